"""Downloader middlewares: keep requests on the source's hosts and off private networks,
and retry with exponential backoff that honours `Retry-After`, within a page's time
budget."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import socket
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response

from autonews.core import crawl_settings as limits
from autonews.core.source import Source
from autonews.core.vocabulary import FetchKind, Outcome
from scrapers.discovery import host_allowed
from scrapers.outcomes import Refused

log = logging.getLogger(__name__)
PAGE_STARTED = "autonews_page_started"  # request.meta: when the page's first attempt began


def is_private(address: str) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified)


def _origin(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return (parts.hostname or "").lower(), port or default


def own_ports(source: Source) -> dict[str, set[int | None]]:
    """The ports the source's configuration names, by host."""
    urls = [source.home, *source.sitemaps, *source.news_sitemaps, *source.feeds,
            *source.listing_pages]
    if source.archive:
        urls.append(source.archive.replace("{", "").replace("}", ""))
    ports: dict[str, set[int | None]] = {}
    for url in urls:
        host, port = _origin(url)
        ports.setdefault(host, set()).add(port)
    return ports


def port_allowed(url: str, ports: dict[str, set[int | None]]) -> bool:
    """A host the configuration names only on the ports it names; another of the source's
    hosts only on its scheme's default port."""
    host, port = _origin(url)
    if host in ports:
        return port in ports[host]
    return port == _origin(f"{urlsplit(url).scheme}://{host}/")[1]


class SourceGuardMiddleware:
    """Refuses requests (first ones and redirects alike) to hosts outside the source's
    domains, and to loopback/private/link-local addresses unless the source allows it (and
    then only on the hosts and ports its configuration names: a redirect to the same host's
    Redis or PostgreSQL port is refused). Once discovery's time is spent, discovery requests
    still queued are dropped (`over_budget`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._resolved: dict[str, list[str]] = {}
        self._ports: dict[str, set[int | None]] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        source = getattr(spider, "source", None)
        if source is None:
            return None
        budget = getattr(spider, "budget", None)
        if budget is not None and request.meta.get("kind", FetchKind.ARTICLE) != \
                FetchKind.ARTICLE and budget.discovery_over():
            budget.hit("discovery_time")
            raise Refused(Outcome.OVER_BUDGET, "discovery's share of the crawl time budget "
                          "ran out before this document was fetched")
        redirected = bool(request.meta.get("redirect_urls"))
        own_host = host_allowed(request.url, source.domains)
        if own_host and source.allow_private_network:
            if self._ports is None:
                self._ports = own_ports(source)
            if not port_allowed(request.url, self._ports):
                outcome = Outcome.OFFSITE_REDIRECT if redirected else Outcome.OFFSITE
                host, port = _origin(request.url)
                raise Refused(outcome, f"{request.url}: port {port} of {host} is not one the "
                              "source's configuration names (a private-network source stays "
                              "on its own host and port)")
        # A source may live on a private network only if it says so, and then only its
        # own hosts: a redirect or link to any other private address is refused.
        if not (own_host and source.allow_private_network):
            for address in await self._addresses(urlsplit(request.url).hostname or ""):
                if is_private(address):
                    raise Refused(Outcome.PRIVATE_ADDRESS,
                                  f"{request.url} resolves to non-public address {address}")
        if not own_host:
            outcome = Outcome.OFFSITE_REDIRECT if redirected else Outcome.OFFSITE
            raise Refused(outcome, f"{request.url} is outside {', '.join(source.domains)}")
        return None

    async def _addresses(self, host: str) -> list[str]:
        if host in self._resolved:
            return self._resolved[host]
        try:
            ipaddress.ip_address(host)
            addresses = [host]
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, None,
                                                                     type=socket.SOCK_STREAM)
                addresses = sorted({str(info[4][0]) for info in infos})
            except (OSError, UnicodeError):
                addresses = []  # the download reports the DNS failure itself
        self._resolved[host] = addresses
        return addresses


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, waiting before each retry: `Retry-After` when the server sends one
    (capped), else `RETRY_BACKOFF_BASE * 2**attempt` with jitter, capped."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)
        self.retry_after_cap = settings.getfloat("RETRY_AFTER_MAX", 60.0)
        self.page_budget = settings.getfloat("PAGE_TIME_BUDGET", limits.PAGE_TIME_BUDGET)
        self.download_timeout = settings.getfloat("DOWNLOAD_TIMEOUT", 180.0)

    def _crawl_left(self) -> float:
        """Seconds left of the crawl's own time budget (infinite outside our spider)."""
        budget = getattr(self.crawler.spider, "budget", None)
        if budget is None:
            return float("inf")
        return float(budget.started + budget.crawl_time - time.monotonic())

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        """Start the page's clock on its first attempt; no attempt may outlast what is left
        of the page's time budget (a trickling server costs one budget, not four timeouts)
        nor of the crawl's (the crawl ends on time instead of waiting for slow pages)."""
        started = request.meta.setdefault(PAGE_STARTED, time.monotonic())
        left = self.page_budget - (time.monotonic() - started)
        if left <= 0:
            self.crawler.stats.inc_value("autonews/page_time_budget")
            raise Refused(Outcome.TIMEOUT, f"page time budget of {self.page_budget:g} s spent "
                          "(retries included)")
        crawl_left = self._crawl_left()
        request.meta["download_timeout"] = max(0.1, min(self.download_timeout, left,
                                                        crawl_left + 1.0))

    def _retry_within_budget(self, request: Request, reason: Any,
                             response: Response | None) -> tuple[Request | None, float]:
        """Scrapy's retry request and the delay before it, or (None, 0) when the retry
        would end after the page's time budget (counted)."""
        delay = self._delay(request, response)
        started = request.meta.get(PAGE_STARTED)
        if started is not None and time.monotonic() + delay - started >= self.page_budget:
            self.crawler.stats.inc_value("autonews/page_time_budget")
            return None, 0.0
        if delay >= self._crawl_left():
            return None, 0.0  # the crawl ends first: its close records what is left
        retry = self._retry(request, reason)
        track = getattr(self.crawler.spider, "track", None)
        if retry is not None and track is not None:
            track(retry)
        return retry, delay

    def _delay(self, request: Request, response: Response | None) -> float:
        attempt = int(request.meta.get("retry_times", 0))
        if response is not None:
            header = response.headers.get(b"Retry-After")
            if header:
                seconds = _retry_after_seconds(header.decode("latin-1"))
                if seconds is not None:
                    return min(seconds, self.retry_after_cap)
        return min(self.cap, self.base * (2 ** attempt)) * random.uniform(0.8, 1.2)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry, delay = self._retry_within_budget(request, f"HTTP {response.status}", response)
        if retry is None:
            return response
        self.crawler.stats.inc_value("autonews/backoff_ms", int(delay * 1000))
        await asyncio.sleep(delay)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry, delay = self._retry_within_budget(request, exception, None)
        if retry is None:
            return None
        await asyncio.sleep(delay)
        return retry


def _retry_after_seconds(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())

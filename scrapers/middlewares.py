"""Downloader middlewares: keep requests on the source's hosts and off private networks,
and retry with exponential backoff that honours `Retry-After`."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import socket
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response

from autonews.core.vocabulary import Outcome
from scrapers.discovery import host_allowed
from scrapers.outcomes import Refused

log = logging.getLogger(__name__)


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


class SourceGuardMiddleware:
    """Refuses requests (first ones and redirects alike) to hosts outside the source's
    domains, and to loopback/private/link-local addresses unless the source allows it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._resolved: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        source = getattr(self.crawler.spider, "source", None)
        if source is None:
            return None
        redirected = bool(request.meta.get("redirect_urls"))
        own_host = host_allowed(request.url, source.domains)
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
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        delay = self._delay(request, response)
        self.crawler.stats.inc_value("autonews/backoff_ms", int(delay * 1000))
        await asyncio.sleep(delay)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await asyncio.sleep(self._delay(request, None))
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

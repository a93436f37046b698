"""The downloader middlewares in process (Scrapy's own test crawler, no network): the guard
that keeps a crawl on its source's hosts and off private networks, and the retry policy."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import SimpleNamespace

import pytest
from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from autonews.core import Outcome, Source
from scrapers.middlewares import (
    BackoffRetryMiddleware,
    SourceGuardMiddleware,
    _retry_after_seconds,
    is_private,
)
from scrapers.outcomes import Refused


def _guard(**source: object) -> SourceGuardMiddleware:
    crawler = get_crawler(Spider)
    crawler.spider = SimpleNamespace(source=Source(
        id="site", name="Site", home="http://93.184.216.34/", feeds=("http://x/f",),
        **source))  # type: ignore[arg-type]
    return SourceGuardMiddleware.from_crawler(crawler)


def _refusal(guard: SourceGuardMiddleware, url: str, **meta: object) -> Outcome | None:
    try:
        asyncio.run(guard.process_request(Request(url, meta=meta)))
    except Refused as refused:
        return refused.outcome
    return None


def test_the_sources_own_public_host_passes():
    assert _refusal(_guard(), "http://93.184.216.34/news/a") is None


def test_other_hosts_are_offsite_and_redirects_there_are_named_so():
    guard = _guard()
    assert _refusal(guard, "http://8.8.4.4/news/a") is Outcome.OFFSITE
    assert _refusal(guard, "http://8.8.4.4/news/a",
                    redirect_urls=["http://93.184.216.34/a"]) is Outcome.OFFSITE_REDIRECT


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]",
                                     "192.168.0.10", "0.0.0.0"])
def test_private_addresses_are_refused_unless_the_source_lives_there(address):
    guard = _guard(allowed_domains=(address.strip("[]"),))
    assert _refusal(guard, f"http://{address}/x") is Outcome.PRIVATE_ADDRESS
    allowed = _guard(allowed_domains=(address.strip("[]"),), allow_private_network=True)
    assert _refusal(allowed, f"http://{address}/x") is None


def test_a_private_source_cannot_be_redirected_to_another_private_address():
    guard = _guard(allowed_domains=("127.0.0.1",), allow_private_network=True)
    assert _refusal(guard, "http://169.254.169.254/latest/meta-data",
                    redirect_urls=["http://127.0.0.1/a"]) is Outcome.PRIVATE_ADDRESS


def test_ipv4_mapped_and_reserved_addresses_count_as_private():
    assert is_private("::ffff:127.0.0.1") and is_private("240.0.0.1")
    assert not is_private("93.184.216.34") and not is_private("not-an-ip")


def _retry_mw(**settings: object) -> tuple[BackoffRetryMiddleware, list[float]]:
    crawler = get_crawler(Spider, {"RETRY_TIMES": 2, "RETRY_BACKOFF_BASE": 0.5,
                                   "RETRY_BACKOFF_MAX": 4, "RETRY_AFTER_MAX": 10, **settings})
    crawler.spider = crawler._create_spider("test")
    return BackoffRetryMiddleware.from_crawler(crawler), []


def _respond(mw: BackoffRetryMiddleware, slept: list[float], request: Request,
             status: int, headers: dict[str, str] | None = None,
             monkeypatch: pytest.MonkeyPatch | None = None) -> Request | Response:
    async def record(seconds: float) -> None:
        slept.append(seconds)

    assert monkeypatch is not None
    monkeypatch.setattr("scrapers.middlewares.asyncio.sleep", record)
    response = Response(request.url, status=status, headers=headers or {}, request=request)
    return asyncio.run(mw.process_response(request, response))


def test_a_5xx_is_retried_with_growing_backoff_then_given_up(monkeypatch):
    mw, slept = _retry_mw()
    request = Request("http://a.example/x")
    first = _respond(mw, slept, request, 503, monkeypatch=monkeypatch)
    assert isinstance(first, Request) and first.meta["retry_times"] == 1
    second = _respond(mw, slept, first, 503, monkeypatch=monkeypatch)
    assert isinstance(second, Request) and second.meta["retry_times"] == 2
    gave_up = _respond(mw, slept, second, 503, monkeypatch=monkeypatch)
    assert isinstance(gave_up, Response) and gave_up.status == 503
    # base 0.5 s doubled per attempt, +-20 % jitter
    assert 0.4 <= slept[0] <= 0.6 and 0.8 <= slept[1] <= 1.2


def test_retry_after_is_honoured_but_capped(monkeypatch):
    mw, slept = _retry_mw()
    _respond(mw, slept, Request("http://a.example/x"), 429, {"Retry-After": "3"},
             monkeypatch=monkeypatch)
    _respond(mw, slept, Request("http://a.example/y"), 429, {"Retry-After": "3600"},
             monkeypatch=monkeypatch)
    assert slept == [3.0, 10.0]


def test_other_statuses_pass_through_untouched(monkeypatch):
    mw, slept = _retry_mw()
    for status in (200, 304, 404):
        response = _respond(mw, slept, Request("http://a.example/x"), status,
                            monkeypatch=monkeypatch)
        assert isinstance(response, Response) and response.status == status
    assert slept == []


def test_retry_after_as_a_date_or_garbage():
    later = datetime.now(UTC) + timedelta(seconds=30)
    assert 25 <= (_retry_after_seconds(format_datetime(later, usegmt=True)) or 0) <= 30
    assert _retry_after_seconds("120") == 120
    assert _retry_after_seconds("soon") is None
    assert _retry_after_seconds(format_datetime(datetime(2000, 1, 1, tzinfo=UTC),
                                                usegmt=True)) == 0.0

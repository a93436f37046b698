"""The one generic spider: discovers a source's URLs for a date window, then fetches them.

Phase 1 (discover) reads sitemaps, news sitemaps, feeds, date archives and listing pages,
collecting every URL with the dates those documents give. When discovery is exhausted
(`spider_idle`), phase 2 chooses the URLs the window needs (`discovery.choose`) and fetches
each once, conditionally when a copy is already stored. Every URL touched becomes one
`raw_pages` row with its outcome; the spider never parses an article.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from autonews.core.crawl_schema import CrawlReport, CrawlRequest, ProgressEvent, progress_line
from autonews.core.vocabulary import FAILED_OUTCOMES, FetchKind, Outcome
from scrapers import outcomes as oc
from scrapers.discovery import (
    Candidate,
    Found,
    Planned,
    archive_urls,
    choose,
    host_allowed,
    merge_found,
    parse_feed,
    parse_listing,
    parse_sitemap,
    plan_fetches,
)
from transforms import url_hash
from warehouse.raw_pages import RawPageStore

# Every non-redirect status reaches the callbacks (redirects are still followed).
HANDLED_STATUSES = [304, *range(400, 600)]
HTML_TYPES = ("text/html", "application/xhtml+xml")


class NewsSpider(Spider):
    name = "news"

    def __init__(self, request_file: str, report_file: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        request = CrawlRequest.read(Path(request_file))
        self.source = request.source
        self.window = request.window
        self.run_id = request.run_id
        self.report_file = report_file
        self.show_progress = request.progress
        self.allow = [re.compile(p) for p in self.source.allow]
        self.deny = [re.compile(p) for p in self.source.deny]
        self.pool: dict[str, Candidate] = {}
        self.phase = "discover"
        self.articles: Counter[str] = Counter()
        self.discovery: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.scheduled = 0
        self.store: RawPageStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        dsn = crawler.settings.get("AUTONEWS_DSN")
        spider.store = RawPageStore(dsn, crawler.settings.getint("AUTONEWS_WRITE_BATCH", 1))
        return spider

    # ------------------------------------------------------------ helpers

    def _emit(self, event: ProgressEvent, **data: Any) -> None:
        if self.show_progress:
            sys.stdout.write(progress_line(event, **data) + "\n")
            sys.stdout.flush()

    def _meta(self, kind: str, **extra: Any) -> dict[str, Any]:
        return {"kind": kind, "handle_httpstatus_list": HANDLED_STATUSES, **extra}

    def _row(self, url: str, kind: str, outcome: Outcome, **extra: Any) -> dict[str, Any]:
        row = {"run_id": self.run_id, "source_id": self.source.id, "url": url,
               "url_hash": url_hash(url), "kind": kind, "outcome": outcome,
               "fetched_at": datetime.now(UTC)}
        row.update(extra)
        if kind == FetchKind.ARTICLE:
            self.articles[outcome] += 1
        else:
            self.discovery[outcome] += 1
        return row

    def _response_row(self, response: Response, kind: str, outcome: Outcome,
                      body: bytes | None = None, **extra: Any) -> dict[str, Any]:
        request = response.request
        assert request is not None
        original = request.meta.get("redirect_urls", [request.url])[0]
        headers = response.headers
        latency = request.meta.get("download_latency")
        if outcome in FAILED_OUTCOMES and "error" not in extra:
            extra["error"] = f"HTTP {response.status} {_reason(response.status)}".strip()
        return self._row(
            original, kind, outcome,
            http_status=response.status,
            final_url=response.url,
            content_type=_header(headers, b"Content-Type"),
            etag=_header(headers, b"ETag"),
            last_modified=_header(headers, b"Last-Modified"),
            body=body,
            body_bytes=len(response.body),
            content_hash=hashlib.sha256(body).hexdigest() if body is not None else None,
            elapsed_ms=int(latency * 1000) if latency is not None else None,
            **extra,
        )

    def _wanted(self, url: str) -> bool:
        if not host_allowed(url, self.source.domains):
            return False
        if any(p.search(url) for p in self.deny):
            return False
        return not self.allow or any(p.search(url) for p in self.allow)

    def _collect(self, found: list[Found]) -> None:
        wanted = [f for f in found if self._wanted(f.url)]
        self.counts[f"filtered_{found[0].via}" if found else "filtered"] += len(found) - len(wanted)
        merge_found(self.pool, wanted)
        self._emit(ProgressEvent.DISCOVERING, urls=len(self.pool))

    # ------------------------------------------------------------ phase 1: discovery

    async def start(self) -> AsyncIterator[Request]:
        source = self.source
        tz = source.timezone
        for url in source.sitemaps:
            yield Request(url, self.parse_sitemap, errback=self.failed,
                          meta=self._meta(FetchKind.SITEMAP))
        for url in source.news_sitemaps:
            yield Request(url, self.parse_sitemap, errback=self.failed,
                          meta=self._meta(FetchKind.NEWS_SITEMAP))
        for url in source.feeds:
            yield Request(url, self.parse_feed, errback=self.failed,
                          meta=self._meta(FetchKind.FEED))
        if source.archive:
            for url in archive_urls(source.archive, self.window, tz):
                yield Request(url, self.parse_listing, errback=self.failed,
                              meta=self._meta(FetchKind.ARCHIVE, depth=0))
        for url in source.listing_pages:
            yield Request(url, self.parse_listing, errback=self.failed,
                          meta=self._meta(FetchKind.LISTING, depth=0))

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        kind = response.meta["kind"]
        if response.status != 200:
            yield self._response_row(response, kind, oc.of_status(response.status))
            return
        try:
            doc = parse_sitemap(response.body, response.url, self.source.timezone)
        except ValueError as exc:  # a gzip bomb
            yield self._response_row(response, kind, Outcome.TOO_LARGE, error=str(exc))
            return
        if doc is None:
            yield self._response_row(response, kind, Outcome.BAD_DOCUMENT,
                                     error="not a sitemap (no urlset or sitemapindex)")
            return
        yield self._response_row(response, kind, Outcome.FETCHED)
        if doc.is_index:
            for child in doc.entries:
                if child.lastmod is not None and child.lastmod < self.window.start:
                    self.counts["sitemaps_skipped_by_lastmod"] += 1
                    continue
                yield Request(child.url, self.parse_sitemap, errback=self.failed,
                              meta=self._meta(kind))
        elif doc.entries:
            self._collect(doc.entries)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        if response.status != 200:
            yield self._response_row(response, FetchKind.FEED, oc.of_status(response.status))
            return
        items = parse_feed(response.body, response.url, self.source.timezone)
        if items is None:
            yield self._response_row(response, FetchKind.FEED, Outcome.BAD_DOCUMENT,
                                     error="not an RSS or Atom feed")
            return
        yield self._response_row(response, FetchKind.FEED, Outcome.FETCHED)
        if items:
            self._collect(items)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        kind = response.meta["kind"]
        if response.status != 200:
            yield self._response_row(response, kind, oc.of_status(response.status))
            return
        yield self._response_row(response, kind, Outcome.FETCHED)
        listing = parse_listing(response.body, response.url, kind, self.source.timezone)
        links = [f for f in listing.links if self._wanted(f.url)]
        merge_found(self.pool, links)
        depth = int(response.meta.get("depth", 0)) + 1
        limit = (self.source.archive_pages if kind == FetchKind.ARCHIVE
                 else self.source.listing_depth)
        if not listing.next_url:
            return
        if (kind == FetchKind.LISTING and listing.oldest is not None
                and listing.oldest < self.window.start):
            return  # newest-first listing already past the window
        if depth >= limit:
            self.counts["pagination_capped"] += 1
            return
        yield Request(listing.next_url, self.parse_listing, errback=self.failed,
                      meta=self._meta(kind, depth=depth))

    # ------------------------------------------------------------ phase 2: fetch

    def on_idle(self) -> None:
        if self.phase != "discover":
            return
        self.phase = "fetch"
        choice = choose(self.pool.values(), self.window, self.source.fetch_undated)
        self.counts["listed"] = len(self.pool)
        self.counts["in_window"] = len(choice.chosen)
        self.counts["out_of_window"] = choice.out_of_window
        self.counts["undated"] = choice.undated
        assert self.store is not None
        known = self.store.previous_fetches(self.source.id,
                                            [url_hash(c.url) for c, _, _ in choice.chosen])
        plan = plan_fetches(choice, known, self.source.max_pages, url_hash)
        for item in plan.over_cap:
            self.store.add(self._planned_row(item, Outcome.OVER_CAP,
                                             error=f"over max_pages={self.source.max_pages}"))
        for item in plan.unchanged:
            self.store.add(self._planned_row(item, Outcome.UNCHANGED))
        requests = [Request(item.candidate.url, self.parse_article, errback=self.failed,
                            headers=item.headers, dont_filter=True,
                            meta=self._meta(FetchKind.ARTICLE, listed_at=item.when,
                                            via=item.basis))
                    for item in plan.fetch]
        self.store.flush()
        self.scheduled = len(requests)
        self._emit(ProgressEvent.FETCHING, total=len(requests))
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    def _planned_row(self, item: Planned, outcome: Outcome, **extra: Any) -> dict[str, Any]:
        return self._row(item.candidate.url, FetchKind.ARTICLE, outcome, listed_at=item.when,
                         discovered_via=item.basis, **extra)

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        extra = {"listed_at": response.meta.get("listed_at"),
                 "discovered_via": response.meta.get("via")}
        outcome = oc.of_status(response.status)
        body = None
        if outcome == Outcome.FETCHED:
            ctype = (_header(response.headers, b"Content-Type") or "").split(";")[0].strip()
            if ctype and ctype.lower() not in HTML_TYPES:
                outcome = Outcome.NOT_HTML
            else:
                body = response.body
        yield self._response_row(response, FetchKind.ARTICLE, outcome, body=body, **extra)
        self._emit(ProgressEvent.FETCHED, outcome=outcome)

    def failed(self, failure: Failure) -> Iterator[dict[str, Any]]:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind", FetchKind.ARTICLE)
        outcome, reason = oc.of_failure(failure)
        original = request.meta.get("redirect_urls", [request.url])[0]
        extra: dict[str, Any] = {"error": reason, "final_url": request.url}
        if kind == FetchKind.ARTICLE:
            extra |= {"listed_at": request.meta.get("listed_at"),
                      "discovered_via": request.meta.get("via")}
        yield self._row(original, kind, outcome, **extra)
        if kind == FetchKind.ARTICLE:
            self._emit(ProgressEvent.FETCHED, outcome=outcome)

    # ------------------------------------------------------------ end

    def closed(self, reason: str) -> None:
        if self.store is not None:
            self.store.close()
        if not self.report_file:
            return
        scrapy_stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        counts = dict(self.counts)
        CrawlReport(
            finish_reason=reason,
            listed=counts.pop("listed", 0),
            in_window=counts.pop("in_window", 0),
            out_of_window=counts.pop("out_of_window", 0),
            undated=counts.pop("undated", 0),
            scheduled=self.scheduled,
            articles=dict(self.articles),
            discovery=dict(self.discovery),
            spider=counts,
            scrapy={k: v for k, v in scrapy_stats.items()
                    if isinstance(v, (int, float, str)) and not k.startswith("log_count/DEBUG")},
        ).write(Path(self.report_file))


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _header(headers: Any, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None

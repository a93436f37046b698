"""The one generic spider: discovers a source's URLs for a date window, then fetches them.

Phase 1 (discover) reads sitemaps, news sitemaps, feeds, date archives and listing pages,
collecting every URL with the dates those documents give. When discovery is exhausted
(`spider_idle`), phase 2 chooses the URLs the window needs (`discovery.choose`) and fetches
each once, conditionally when a copy is already stored. Every URL touched becomes one
`raw_pages` row with its outcome; the spider never parses an article.

Discovery is bounded (`scrapers.budget`): sitemap depth and children, documents fetched,
URLs kept, and a share of the crawl's time; whatever a limit leaves out is counted. A tick
keeps the site lock's connection alive, and stops the crawl when the lock goes to another
crawl, the warehouse stays away, or the process that started the crawl is gone.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import psycopg
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.settings import Settings as ScrapySettings
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from autonews.core.crawl_schema import (
    CrawlReport,
    CrawlRequest,
    FinishReason,
    ProgressEvent,
    progress_line,
)
from autonews.core.errors import WarehouseUnavailable
from autonews.core.vocabulary import FAILED_OUTCOMES, FetchKind, Outcome
from scrapers import outcomes as oc
from scrapers.budget import Budget, Limit
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
from scrapers.watchdog import OUT_OF_TIME, Watchdog
from transforms import canonicalize_url, url_hash
from warehouse.locks import SiteLock
from warehouse.raw_pages import RawPageStore, WarehouseLost

log = logging.getLogger(__name__)

# Every non-redirect status reaches the callbacks (redirects are still followed).
HANDLED_STATUSES = [304, *range(400, 600)]
HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_KINDS = (FetchKind.SITEMAP, FetchKind.NEWS_SITEMAP, FetchKind.FEED)


class NewsSpider(Spider):
    name = "news"

    def __init__(self, request_file: str, report_file: str | None = None,
                 site_lock: SiteLock | None = None, parent_pid: int | None = None,
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
        self.site_lock = site_lock
        self.budget = Budget(ScrapySettings())  # the defaults; a crawler's settings below
        self.watch = Watchdog(self.source.id, self.budget, self._close, site_lock, parent_pid)
        # article requests sent and not answered yet: url -> (listed_at, via)
        self.outstanding: dict[str, tuple[datetime | None, str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_opened, signal=signals.spider_opened)
        dsn = crawler.settings.get("AUTONEWS_DSN")
        spider.store = RawPageStore(dsn, crawler.settings.getint("AUTONEWS_WRITE_BATCH", 1))
        spider.budget = spider.watch.budget = Budget(crawler.settings)
        return spider

    # ------------------------------------------------------------ the watch

    def on_opened(self, spider: Spider) -> None:
        self.watch.start()

    def _close(self, reason: str) -> None:
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    def track(self, request: Request) -> Request:
        """Remember a request sent (the retry middleware tracks its retries too)."""
        return self.watch.track(request)

    def stop(self, reason: str, error: str) -> None:
        """Close the crawl early, saying why (pages already written stay)."""
        self.watch.stop(reason, error)

    def store_row(self, row: dict[str, Any]) -> None:
        """Write one row through the store; a warehouse gone for good stops the crawl."""
        assert self.store is not None
        try:
            self.store.add(row)
        except WarehouseLost as lost:
            self.stop(FinishReason.WAREHOUSE_LOST, str(lost))

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
        self._merge(wanted)
        self._emit(ProgressEvent.DISCOVERING, urls=len(self.pool))

    def _merge(self, found: list[Found]) -> None:
        """Add discovered URLs to the pool, up to DISCOVERY_MAX_URLS distinct ones."""
        new = [f for f in found if canonicalize_url(f.url) not in self.pool]
        room = self.budget.room_for_urls(len(self.pool), len(new))
        if room < len(new):
            kept = {id(f) for f in new[:room]}
            found = [f for f in found if id(f) in kept or canonicalize_url(f.url) in self.pool]
        merge_found(self.pool, found)

    # ------------------------------------------------------------ phase 1: discovery

    def _discover(self, url: str, callback: Any, kind: str, **meta: Any) -> Request | None:
        """A discovery request, or None when the discovery budget is spent (counted)."""
        if self.phase != "discover" or not self.budget.take_fetch():
            return None
        if kind in XML_KINDS:  # sitemaps may be 50 MB (the protocol's limit); pages 8 MB
            meta["download_maxsize"] = self.budget.sitemap_maxsize
        return self.track(Request(url, callback, errback=self.failed,
                                  meta=self._meta(kind, **meta)))

    async def start(self) -> AsyncIterator[Request]:
        source = self.source
        tz = source.timezone
        wanted: list[tuple[str, Any, str, dict[str, Any]]] = []
        wanted += [(u, self.parse_sitemap, FetchKind.SITEMAP, {"sitemap_depth": 0})
                   for u in source.sitemaps]
        wanted += [(u, self.parse_sitemap, FetchKind.NEWS_SITEMAP, {"sitemap_depth": 0})
                   for u in source.news_sitemaps]
        wanted += [(u, self.parse_feed, FetchKind.FEED, {}) for u in source.feeds]
        if source.archive:
            wanted += [(u, self.parse_listing, FetchKind.ARCHIVE, {"depth": 0})
                       for u in archive_urls(source.archive, self.window, tz)]
        wanted += [(u, self.parse_listing, FetchKind.LISTING, {"depth": 0})
                   for u in source.listing_pages]
        for url, callback, kind, meta in wanted:
            request = self._discover(url, callback, kind, **meta)
            if request is not None:
                yield request

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
            fresh = []
            for child in doc.entries:
                if child.lastmod is not None and child.lastmod < self.window.start:
                    self.counts["sitemaps_skipped_by_lastmod"] += 1
                    continue
                fresh.append(child)
            depth = int(response.meta.get("sitemap_depth", 0)) + 1
            for child in self.budget.children(fresh, depth, self.window):
                request = self._discover(child.url, self.parse_sitemap, kind,
                                         sitemap_depth=depth)
                if request is None:
                    break
                yield request
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
        self._merge(links)
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
        request = self._discover(listing.next_url, self.parse_listing, kind, depth=depth)
        if request is not None:
            yield request

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
        try:
            known = self.store.previous_fetches(
                self.source.id, [url_hash(c.url) for c, _, _ in choice.chosen])
        except (psycopg.Error, WarehouseUnavailable) as exc:
            self.stop(FinishReason.WAREHOUSE_LOST, f"cannot read the stored copies: {exc}")
            return
        plan = plan_fetches(choice, known, self.source.max_pages, url_hash)
        for item in plan.over_cap:
            self.store_row(self._planned_row(item, Outcome.OVER_CAP,
                                          error=f"over max_pages={self.source.max_pages}"))
        for item in plan.unchanged:
            self.store_row(self._planned_row(item, Outcome.UNCHANGED))
        requests = [Request(item.candidate.url, self.parse_article, errback=self.failed,
                            headers=item.headers, dont_filter=True,
                            meta=self._meta(FetchKind.ARTICLE, listed_at=item.when,
                                            via=item.basis))
                    for item in plan.fetch]
        self.outstanding = {r.url: (r.meta["listed_at"], r.meta["via"]) for r in requests}
        for request in requests:
            self.track(request)
        try:
            self.store.flush()
        except WarehouseLost as lost:
            self.stop(FinishReason.WAREHOUSE_LOST, str(lost))
        if self.watch.stop_reason is not None:
            return
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
        request = response.request
        assert request is not None
        self.outstanding.pop(request.meta.get("redirect_urls", [request.url])[0], None)
        yield self._response_row(response, FetchKind.ARTICLE, outcome, body=body, **extra)
        self._emit(ProgressEvent.FETCHED, outcome=outcome)

    def failed(self, failure: Failure) -> Iterator[dict[str, Any]]:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind", FetchKind.ARTICLE)
        outcome, reason = oc.of_failure(failure)
        if request.meta.get("over_budget") and outcome in (Outcome.TIMEOUT, Outcome.ERROR):
            self.budget.hit(Limit.CRAWL_TIME if kind == FetchKind.ARTICLE
                            else Limit.DISCOVERY_TIME)
            outcome = Outcome.OVER_BUDGET
            reason = (f"the crawl's time budget of {self.budget.crawl_time:g} s ran out "
                      "before this page")
        original = request.meta.get("redirect_urls", [request.url])[0]
        extra: dict[str, Any] = {"error": reason, "final_url": request.url}
        if kind == FetchKind.ARTICLE:
            extra |= {"listed_at": request.meta.get("listed_at"),
                      "discovered_via": request.meta.get("via")}
        if kind == FetchKind.ARTICLE:
            self.outstanding.pop(original, None)
        yield self._row(original, kind, outcome, **extra)
        if kind == FetchKind.ARTICLE:
            self._emit(ProgressEvent.FETCHED, outcome=outcome)

    # ------------------------------------------------------------ end

    def closed(self, reason: str) -> None:
        self.watch.cancel()
        if reason == OUT_OF_TIME:
            self._left_unfetched(f"the crawl's time budget of {self.budget.crawl_time:g} s "
                                 "ran out before this page")
        lost = 0
        if self.store is not None:
            try:
                self.store.close()
            except WarehouseLost as exc:
                lost = len(self.store.buffer)
                self.watch.stop_reason = self.watch.stop_reason or FinishReason.WAREHOUSE_LOST
                self.watch.stop_error = f"{exc}; {lost} rows not written"
        if not self.report_file:
            return
        scrapy_stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        page_time = int(scrapy_stats.get("autonews/page_time_budget", 0))
        self.budget.hit(Limit.PAGE_TIME, page_time)
        counts = dict(self.counts)
        reconnects = (self.store.reconnects if self.store else 0) + \
            (self.site_lock.reconnects if self.site_lock else 0)
        CrawlReport(
            finish_reason=self.watch.stop_reason or reason,
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
            limits=dict(self.budget.hits),
            error=self.watch.stop_error,
            lock_waited_ms=int(self.site_lock.waited * 1000) if self.site_lock else 0,
            reconnects=reconnects,
        ).write(Path(self.report_file))

    def _left_unfetched(self, why: str) -> None:
        """Record the chosen articles the crawl's time did not reach (`over_budget`): the
        next run fetches them; the limit is counted."""
        if self.phase == "discover":
            self.budget.hit(Limit.CRAWL_TIME)
            return
        self.budget.hit(Limit.CRAWL_TIME, len(self.outstanding))
        for url, (listed_at, via) in list(self.outstanding.items()):
            self.store_row(self._row(url, FetchKind.ARTICLE, Outcome.OVER_BUDGET, error=why,
                                  listed_at=listed_at, discovered_via=via))
        self.outstanding.clear()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _header(headers: Any, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None

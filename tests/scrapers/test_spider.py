"""The spider's logic in process, on responses built here (no network, no database): what
it discovers, when it stops paginating, what it records for each fetch, which URLs it
fetches under a cap and how, and the report it leaves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response, XmlResponse
from twisted.internet.error import ConnectionRefusedError as TxConnectionRefused
from twisted.python.failure import Failure

from autonews.core import FetchKind, Outcome, Source, Window
from autonews.core.crawl_schema import CrawlReport, CrawlRequest
from scrapers.discovery import Candidate, Choice, plan_fetches
from scrapers.spiders.news import NewsSpider
from transforms import url_hash
from warehouse.raw_pages import PreviousFetch

DAY = Window.for_day(date(2026, 11, 13))
HOME = "https://news.example/"


@pytest.fixture
def spider(tmp_path):
    source = Source(id="site", name="Site", home=HOME, sitemaps=(f"{HOME}sitemap.xml",),
                    deny=(r"/tag/",), max_pages=2, listing_depth=3)
    request = tmp_path / "request.json"
    CrawlRequest(source, DAY, "run-1").write(request)
    return NewsSpider(request_file=str(request), report_file=str(tmp_path / "report.json"))


def _response(cls, url, body, kind, status=200, **meta):
    request = Request(url, meta={"kind": kind, **meta})
    return cls(url, status=status, body=body.encode(), request=request,
               headers={"Content-Type": "text/xml" if cls is XmlResponse else "text/html"})


def test_a_sitemap_index_skips_children_older_than_the_window(spider):
    body = f"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>{HOME}old.xml</loc><lastmod>2026-10-01</lastmod></sitemap>
      <sitemap><loc>{HOME}new.xml</loc><lastmod>2026-11-13T08:00:00Z</lastmod></sitemap>
    </sitemapindex>"""
    out = list(spider.parse_sitemap(_response(XmlResponse, f"{HOME}sitemap.xml", body,
                                              FetchKind.SITEMAP)))
    rows = [o for o in out if isinstance(o, dict)]
    followed = [o.url for o in out if isinstance(o, Request)]
    assert [r["outcome"] for r in rows] == [Outcome.FETCHED]
    assert followed == [f"{HOME}new.xml"]
    assert spider.counts["sitemaps_skipped_by_lastmod"] == 1


def test_a_urlset_fills_the_pool_with_dates_and_filters_denied_urls(spider):
    body = f"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
                       xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>{HOME}a</loc><news:news><news:publication_date>2026-11-13T10:00:00Z
      </news:publication_date></news:news></url>
      <url><loc>{HOME}tag/evs</loc></url>
      <url><loc>https://elsewhere.example/b</loc></url>
    </urlset>"""
    list(spider.parse_sitemap(_response(XmlResponse, f"{HOME}news.xml", body,
                                        FetchKind.NEWS_SITEMAP)))
    assert list(spider.pool) == [f"{HOME}a"]
    assert spider.pool[f"{HOME}a"].best_date() == (datetime(2026, 11, 13, 10, tzinfo=UTC),
                                                   "news_sitemap")
    assert sum(n for k, n in spider.counts.items() if k.startswith("filtered")) == 2


def test_a_broken_discovery_document_is_recorded_not_followed(spider):
    out = list(spider.parse_feed(_response(XmlResponse, f"{HOME}feed", "<html>no</html>",
                                           FetchKind.FEED)))
    assert [(r["outcome"], r["error"]) for r in out] == [(Outcome.BAD_DOCUMENT,
                                                          "not an RSS or Atom feed")]
    gone = list(spider.parse_feed(_response(XmlResponse, f"{HOME}feed", "", FetchKind.FEED,
                                            status=404)))
    assert gone[0]["outcome"] == Outcome.HTTP_4XX and gone[0]["error"] == "HTTP 404 Not Found"
    assert spider.discovery == {Outcome.BAD_DOCUMENT: 1, Outcome.HTTP_4XX: 1}


def _listing(spider, oldest: str, depth: int) -> list:
    body = f"""<html><body><article><time datetime="{oldest}"></time>
        <a href="/2026/11/12/a-story-with-a-long-title">A story with a long title</a></article>
        <a rel="next" href="/page/{depth + 2}">Older</a></body></html>"""
    return list(spider.parse_listing(_response(HtmlResponse, f"{HOME}page/{depth + 1}", body,
                                               FetchKind.LISTING, depth=depth)))


def test_listing_pagination_stops_past_the_window_and_at_its_depth(spider):
    in_window = [o for o in _listing(spider, "2026-11-13T09:00:00Z", 0)
                 if isinstance(o, Request)]
    assert [r.meta["depth"] for r in in_window] == [1]
    assert not [o for o in _listing(spider, "2026-11-12T09:00:00Z", 0)
                if isinstance(o, Request)]  # newest first and already before the day
    assert not [o for o in _listing(spider, "2026-11-13T09:00:00Z", 2)
                if isinstance(o, Request)]
    assert spider.counts["pagination_capped"] == 1


def test_article_fetches_record_their_outcome_and_keep_only_html(spider):
    html = _response(HtmlResponse, f"{HOME}a", "<html><body>story</body></html>",
                     FetchKind.ARTICLE, listed_at=DAY.start, via="feed")
    (row,) = spider.parse_article(html)
    assert row["outcome"] == Outcome.FETCHED and row["body"] == b"<html><body>story</body></html>"
    assert row["listed_at"] == DAY.start and row["discovered_via"] == "feed"
    pdf = Response(f"{HOME}b.pdf", body=b"%PDF", headers={"Content-Type": "application/pdf"},
                   request=Request(f"{HOME}b.pdf", meta={"kind": FetchKind.ARTICLE}))
    (row,) = spider.parse_article(pdf)
    assert row["outcome"] == Outcome.NOT_HTML and row["body"] is None
    same = _response(HtmlResponse, f"{HOME}c", "", FetchKind.ARTICLE, status=304)
    assert next(iter(spider.parse_article(same)))["outcome"] == Outcome.NOT_MODIFIED


def test_a_failed_request_is_recorded_under_its_first_url_with_the_reason(spider):
    request = Request(f"{HOME}moved", meta={"kind": FetchKind.ARTICLE,
                                            "redirect_urls": [f"{HOME}original"]})
    failure = Failure(TxConnectionRefused("refused"))
    failure.request = request  # type: ignore[attr-defined]
    (row,) = spider.failed(failure)
    assert row["url"] == f"{HOME}original" and row["final_url"] == f"{HOME}moved"
    assert row["outcome"] == Outcome.CONNECTION_ERROR and "refused" in row["error"]


def _candidate(path: str, lastmod: datetime | None = None) -> Candidate:
    url = HOME + path
    return Candidate(url, url, lastmod=lastmod)


def test_under_a_cap_pages_never_stored_come_first_and_the_rest_is_counted():
    stored = _candidate("stored")
    fresh = [_candidate(f"new-{i}") for i in range(3)]
    choice = Choice([(c, DAY.start, "feed") for c in (stored, *fresh)], 0, 0)
    known = {url_hash(stored.url): PreviousFetch(DAY.start, '"v1"', None)}
    plan = plan_fetches(choice, known, 2, url_hash)
    assert [p.candidate.url for p in plan.fetch] == [fresh[0].url, fresh[1].url]
    assert [p.candidate.url for p in plan.over_cap] == [fresh[2].url, stored.url]
    assert all(p.headers == {} for p in plan.fetch)


def test_stored_pages_are_asked_conditionally_or_skipped_when_the_sitemap_says_unchanged():
    fetched_at = DAY.start + timedelta(hours=5)
    older = _candidate("unchanged", lastmod=fetched_at - timedelta(hours=1))
    newer = _candidate("changed", lastmod=fetched_at + timedelta(hours=1))
    choice = Choice([(older, DAY.start, "lastmod"), (newer, DAY.start, "lastmod")], 0, 0)
    known = {url_hash(c.url): PreviousFetch(fetched_at, '"etag"', "Fri, 13 Nov 2026 05:00:00 GMT")
             for c in (older, newer)}
    plan = plan_fetches(choice, known, 10, url_hash)
    assert [p.candidate.url for p in plan.unchanged] == [older.url]
    (asked,) = plan.fetch
    assert asked.candidate.url == newer.url
    assert asked.headers == {"If-None-Match": '"etag"',
                             "If-Modified-Since": "Fri, 13 Nov 2026 05:00:00 GMT"}


def test_the_report_follows_the_schema_both_sides_read(spider, tmp_path):
    spider.counts.update({"listed": 5, "in_window": 3, "out_of_window": 1, "undated": 1,
                          "pagination_capped": 1})
    spider.articles.update({Outcome.FETCHED: 2, Outcome.HTTP_5XX: 1})
    spider.discovery.update({Outcome.FETCHED: 1})
    spider.crawler = type("C", (), {"stats": None})()
    spider.closed("finished")
    report = CrawlReport.read(tmp_path / "report.json")
    result = report.result("crawl.log")
    assert (result.listed, result.in_window, result.fetched, result.failed) == (5, 3, 2, 1)
    assert report.spider == {"pagination_capped": 1} and result.log_file == "crawl.log"

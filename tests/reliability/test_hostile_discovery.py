"""Hostile discovery documents and slow pages, each reproduced on a loopback site: the
crawl stays within its budgets, counts each limit it reached, and still fetches the day's
articles (issue 16, items 4, 5, 6 and 16)."""

from __future__ import annotations

import time

import psycopg
import pytest

from autonews.core import Window
from autonews.demo.hostile import DAY, HostileSite, article_html, rss, send, trickle
from autonews.jobs import crawl_source

pytestmark = pytest.mark.e2e
WINDOW = Window.for_day(DAY)
ARTICLES = ["/news/a-first-story", "/news/a-second-story", "/news/a-third-story"]
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _index(children: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{c}</loc></sitemap>" for c in children)
    return f"<?xml version='1.0'?><sitemapindex xmlns='{SITEMAP_NS}'>{entries}</sitemapindex>"


def _urlset(urls: list[str], lastmod: str = "2020-01-01", padding: int = 0) -> str:
    pad = "x" * padding
    entries = "".join(f"<url><loc>{u}</loc><lastmod>{lastmod}</lastmod>"
                      f"<!-- {pad} --></url>" for u in urls)
    return f"<?xml version='1.0'?><urlset xmlns='{SITEMAP_NS}'>{entries}</urlset>"


def _with_articles(site: HostileSite) -> None:
    site.page("/feed", rss(site.url, ARTICLES), content_type="application/rss+xml")
    for path in ARTICLES:
        site.page(path, article_html(path.rsplit("/", 1)[-1].replace("-", " ").title()))


def _rows(dsn: str, run_id: str, kind: str | None = None) -> list[tuple[str, str, str]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT url, outcome, coalesce(error, '') FROM raw_pages WHERE run_id = %s "
            "AND (%s::text IS NULL OR kind = %s)", (run_id, kind, kind)).fetchall()


def test_endless_and_huge_sitemap_indexes_stop_at_their_limits_and_articles_are_fetched(dsn):
    with HostileSite() as site:
        _with_articles(site)
        counter = iter(range(10**9))

        def endless(handler) -> None:  # every fetch names ten children never seen before
            send(handler, _index([f"{site.url}/endless/{next(counter)}.xml"
                                  for _ in range(10)]), content_type="application/xml")

        site.prefix_routes.append(("/endless/", endless))
        site.page("/big-index.xml", _index([f"{site.url}/part/{n}.xml" for n in range(50_000)]),
                  content_type="application/xml")
        site.prefix_routes.append(("/part/", lambda h: send(h, _urlset(
            [f"{site.url}/old/{h.path.strip('/').replace('/', '-')}-{n}" for n in range(300)]),
            content_type="application/xml")))
        source = site.source(sitemaps=(f"{site.url}/endless/root.xml",
                                       f"{site.url}/big-index.xml"),
                             feeds=(f"{site.url}/feed",),
                             crawl_settings={"SITEMAP_MAX_CHILDREN": 20,
                                             "DISCOVERY_MAX_FETCHES": 60})
        started = time.monotonic()
        result = crawl_source(dsn, source, WINDOW, "endless")
        took = time.monotonic() - started
    assert result.fetched == len(ARTICLES), result
    limits = result.limits_hit
    assert limits["sitemap_children"] >= 50_000 - 20
    assert limits["discovery_fetches"] > 0
    documents = _rows(dsn, "endless")
    assert len([r for r in documents if "/endless/" in r[0] or "/part/" in r[0]]) <= 60
    assert took < 90


def test_a_sitemap_listing_more_urls_than_the_cap_keeps_the_first(dsn):
    with HostileSite() as site:
        _with_articles(site)
        news = "".join(
            f"<url><loc>{site.url}{p}</loc><news:news><news:publication_date>"
            f"2026-11-13T09:00:00Z</news:publication_date></news:news></url>" for p in ARTICLES)
        old = _urlset([f"{site.url}/old/{n}" for n in range(5000)])
        body = old.replace("<urlset xmlns='" + SITEMAP_NS + "'>", "<urlset xmlns='" +
                           SITEMAP_NS + "' xmlns:news='http://www.google.com/schemas/"
                           "sitemap-news/0.9'>" + news)
        site.page("/news-sitemap.xml", body, content_type="application/xml")
        source = site.source(news_sitemaps=(f"{site.url}/news-sitemap.xml",),
                             crawl_settings={"DISCOVERY_MAX_URLS": 1000})
        result = crawl_source(dsn, source, WINDOW, "many-urls")
    assert result.fetched == len(ARTICLES)
    assert result.listed == 1000
    assert result.limits_hit == {"discovered_urls": 5000 + len(ARTICLES) - 1000}


def test_a_deep_sitemap_chain_stops_at_the_depth_limit(dsn):
    with HostileSite() as site:
        _with_articles(site)
        site.prefix_routes.append(("/deep/", lambda h: send(h, _index(
            [f"{site.url}{h.path.removesuffix('.xml')}/next.xml"]),
            content_type="application/xml")))
        source = site.source(sitemaps=(f"{site.url}/deep/0.xml",), feeds=(f"{site.url}/feed",))
        result = crawl_source(dsn, source, WINDOW, "deep")
    assert result.fetched == len(ARTICLES)
    assert len([r for r in _rows(dsn, "deep", "sitemap")]) == 3  # the default depth
    assert result.limits_hit.get("sitemap_depth") == 1


def test_a_valid_15_mb_sitemap_is_read_not_refused(dsn):
    with HostileSite() as site:
        _with_articles(site)
        urls = [f"{site.url}/news/listed-{n}" for n in range(4000)]
        body = _urlset(urls, padding=3600)
        assert 14 * 2**20 < len(body) < 50 * 2**20
        site.page("/sitemap.xml", body, content_type="application/xml")
        source = site.source(sitemaps=(f"{site.url}/sitemap.xml",), feeds=(f"{site.url}/feed",))
        result = crawl_source(dsn, source, WINDOW, "big-sitemap")
    sitemap = [r for r in _rows(dsn, "big-sitemap", "sitemap")]
    assert [(o, e) for _, o, e in sitemap] == [("fetched", "")]
    assert result.listed >= 4000 + len(ARTICLES)


def test_slow_loris_pages_cost_one_page_budget_each(dsn):
    slow = [f"/news/slow-{n}" for n in range(4)]
    with HostileSite() as site:
        _with_articles(site)
        site.page("/feed", rss(site.url, ARTICLES + slow), content_type="application/rss+xml")
        for path in slow:
            site.routes[path] = lambda h: trickle(h, 30, every=0.2)
        source = site.source(feeds=(f"{site.url}/feed",),
                             crawl_settings={"PAGE_TIME_BUDGET": 3, "DOWNLOAD_TIMEOUT": 2,
                                             "RETRY_TIMES": 3})
        started = time.monotonic()
        result = crawl_source(dsn, source, WINDOW, "loris")
        took = time.monotonic() - started
        hits = {p: site.hits[p] for p in slow}
    assert all(n <= 2 for n in hits.values()), hits  # no retry beyond the page's budget
    assert took < 30
    assert result.fetched == len(ARTICLES)
    assert result.outcomes["timeout"] == len(slow)
    assert result.limits_hit.get("page_time") == len(slow)


def test_a_redirect_to_another_port_of_a_private_sources_host_is_refused(dsn):
    with HostileSite() as site, HostileSite() as internal:
        _with_articles(site)
        internal.page("/", "+OK redis would answer here", content_type="text/plain")
        site.routes["/news/a-third-story"] = lambda h: send(
            h, "", 302, Location=f"{internal.url}/")
        source = site.source(feeds=(f"{site.url}/feed",))
        result = crawl_source(dsn, source, WINDOW, "port")
        internal_hits = sum(internal.hits.values())
    third = [(o, e) for u, o, e in _rows(dsn, "port", "article") if u.endswith("third-story")]
    assert third and third[0][0] == "offsite_redirect" and "port" in third[0][1]
    assert internal_hits == 0
    assert result.fetched == len(ARTICLES) - 1

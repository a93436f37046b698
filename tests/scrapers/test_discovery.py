"""Discovery documents parsed with their dates, and the choice made before fetching."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime

import pytest

from autonews.core import Window
from scrapers.discovery import (
    Candidate,
    Found,
    archive_urls,
    choose,
    maybe_gunzip,
    merge_found,
    parse_feed,
    parse_listing,
    parse_sitemap,
)

DAY = Window.for_day(date(2026, 11, 13))

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://a.example/x</loc><news:news><news:publication><news:name>A</news:name>
<news:language>en</news:language></news:publication>
<news:publication_date>2026-11-13T09:10:00-05:00</news:publication_date>
<news:title>Story X</news:title></news:news></url>
<url><loc>https://a.example/y</loc><lastmod>2026-11-12T10:00:00Z</lastmod></url>
</urlset>"""


def test_news_sitemap_gives_publication_dates():
    doc = parse_sitemap(NEWS, "https://a.example/news.xml")
    assert doc is not None and not doc.is_index
    x, y = doc.entries
    assert x.via == "news_sitemap"
    assert x.published_at == datetime(2026, 11, 13, 14, 10, tzinfo=UTC)
    assert x.title == "Story X"
    assert y.via == "sitemap" and y.published_at is None
    assert y.lastmod == datetime(2026, 11, 12, 10, tzinfo=UTC)


def test_sitemap_index_and_gzip_and_garbage():
    index = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
             b"<loc>/s1.xml</loc><lastmod>2026-10-01</lastmod></sitemap></sitemapindex>")
    doc = parse_sitemap(gzip.compress(index), "https://a.example/index.xml")
    assert doc is not None and doc.is_index
    assert doc.entries[0].url == "https://a.example/s1.xml"
    assert doc.entries[0].lastmod == datetime(2026, 10, 1, tzinfo=UTC)
    assert parse_sitemap(b"<html><body>not a sitemap</body></html>", "https://a.example/") is None
    assert parse_sitemap(b"", "https://a.example/") is None


def test_gzip_bomb_is_refused():
    with pytest.raises(ValueError, match="larger than"):
        maybe_gunzip(gzip.compress(b"0" * 2_000_000), limit=1_000_000)


def test_xml_entities_are_not_expanded():
    evil = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&b;</loc>'
            b"</url></urlset>")
    doc = parse_sitemap(evil, "https://a.example/")
    assert doc is None or all("aaaaaaaaaa" not in e.url for e in doc.entries)


def test_rss_and_atom_dates_with_site_timezone_for_naive_values():
    rss = (b'<rss version="2.0"><channel><item><title>T</title><link>https://a.example/t?utm_source=rss'
           b"</link><pubDate>Fri, 13 Nov 2026 23:50:00 +0000</pubDate></item>"
           b"<item><link>https://a.example/n</link><pubDate>2026-11-13 10:00</pubDate></item>"
           b"</channel></rss>")
    items = parse_feed(rss, "https://a.example/feed", tz="Europe/Berlin")
    assert items is not None
    assert items[0].published_at == datetime(2026, 11, 13, 23, 50, tzinfo=UTC)
    assert items[1].published_at == datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title>'
            b'<link rel="alternate" href="/a"/><published>2026-11-12T21:30:00-05:00</published>'
            b"<updated>2026-11-13T08:00:00-05:00</updated></entry></feed>")
    entries = parse_feed(atom, "https://a.example/feed.atom")
    assert entries is not None
    assert entries[0].url == "https://a.example/a"
    assert entries[0].published_at == datetime(2026, 11, 13, 2, 30, tzinfo=UTC)
    assert parse_feed(b"<html/>", "https://a.example/") is None


def test_listing_dates_teasers_and_finds_next_page():
    html = b"""<html><head><link rel="next" href="/page/2/"></head><body>
    <nav><a href="/about/">About us and the team</a></nav>
    <article><h2><a href="/a/one/">The first headline of the day</a></h2>
      <time datetime="2026-11-13T08:00:00Z">Nov 13</time></article>
    <article><h2><a href="/a/two/">The second headline of the day</a></h2>
      <time datetime="2026-11-12T08:00:00Z">Nov 12</time></article></body></html>"""
    listing = parse_listing(html, "https://a.example/cat/", "listing")
    dated = {f.url: f.published_at for f in listing.links if f.published_at}
    assert dated == {"https://a.example/a/one/": datetime(2026, 11, 13, 8, tzinfo=UTC),
                     "https://a.example/a/two/": datetime(2026, 11, 12, 8, tzinfo=UTC)}
    assert listing.next_url == "https://a.example/page/2/"
    assert listing.oldest == datetime(2026, 11, 12, 8, tzinfo=UTC)


def test_archive_urls_cover_every_local_day_of_the_window():
    urls = archive_urls("https://a.example/{yyyy}/{mm}/{dd}/", DAY, "America/Detroit")
    assert urls == ["https://a.example/2026/11/12/", "https://a.example/2026/11/13/"]
    assert archive_urls("https://a.example/{yyyy}/{mm}/{dd}/", DAY, "UTC") == [
        "https://a.example/2026/11/13/"]


def test_choice_prefers_exact_dates_over_lastmod():
    pool: dict[str, Candidate] = {}
    merge_found(pool, [
        # modified on the 13th, but the feed says it was published on the 12th
        Found("https://a.example/old", "sitemap", lastmod=datetime(2026, 11, 13, 9, tzinfo=UTC)),
        Found("https://a.example/old", "feed", published_at=datetime(2026, 11, 12, 22, tzinfo=UTC)),
        # only a lastmod in the window
        Found("https://a.example/lm", "sitemap", lastmod=datetime(2026, 11, 13, 3, tzinfo=UTC)),
        # the same article twice, once with tracking parameters
        Found("https://a.example/new?utm_source=x", "feed",
              published_at=datetime(2026, 11, 13, 23, tzinfo=UTC)),
        Found("https://a.example/new", "sitemap", lastmod=datetime(2026, 11, 14, 1, tzinfo=UTC)),
        Found("https://a.example/undated", "listing"),
    ])
    assert len(pool) == 4
    picked = choose(pool.values(), DAY, fetch_undated=False)
    urls = {c.url: basis for c, _, basis in picked.chosen}
    assert urls == {"https://a.example/new": "feed", "https://a.example/lm": "lastmod"}
    assert picked.out_of_window == 1 and picked.undated == 1
    assert len(choose(pool.values(), DAY, fetch_undated=True).chosen) == 3

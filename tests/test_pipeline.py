"""The pipeline end to end against the offline demo site and a real PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import date
from urllib.parse import urlsplit

import psycopg
import pytest

from autonews.core import FAILED_OUTCOMES, Window
from autonews.demo import catalog
from autonews.jobs import clean_source, crawl_source, run_source
from transforms.text import count_words

pytestmark = pytest.mark.e2e

BOILERPLATE = ("Share This Article", "Leave a comment", "Leave a Reply", "Min Read",
               "Your email address will not be published", "Advertisement", "You Might Also Like",
               "Also Read", "Read more:", "Sign up for the Morning Ledger", "Add new comment",
               "Submitted by", "Popular content", "Cookie", "cookies")


def _run_day(dsn: str, sources: dict, day: date, run_id: str) -> dict:
    window = Window.for_day(day)
    return {sid: run_source(dsn, src, window, run_id) for sid, src in sources.items()}


def _articles(dsn: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT source_id, canonical_url, title, authors, published_at, body, word_count "
            "FROM articles ORDER BY published_at").fetchall()


def test_demo_day_loads_clean_articles_and_rerun_changes_nothing(dsn, demo_sources):
    day = catalog.latest_day()
    first = _run_day(dsn, demo_sources, day, "run-1")
    assert all(r.ok for r in first.values()), {k: r.error for k, r in first.items()}

    expected = {(a.source, a.path): a for a in catalog.published_on(day)}
    rows = _articles(dsn)
    loaded = {(r[0], urlsplit(r[1]).path): r for r in rows}
    assert set(loaded) == set(expected)
    for key, article in expected.items():
        source_id, url, title, authors, published_at, body, words = loaded[key]
        assert title == article.title
        assert authors == list(article.authors)
        assert published_at == article.published_utc
        assert body == article.body_text
        assert words == count_words(article.body_text)
        for phrase in BOILERPLATE:
            assert phrase not in body, (key, phrase)
    assert sum(r.load.inserted for r in first.values()) == len(expected)

    second = _run_day(dsn, demo_sources, day, "run-2")
    assert all(r.ok for r in second.values())
    assert sum(r.load.inserted + r.load.updated for r in second.values()) == 0
    assert sum(r.load.unchanged for r in second.values()) == len(expected)
    assert sum(r.crawl.fetched for r in second.values()) == 0
    assert _articles(dsn) == rows


def _fetched_paths(dsn: str, run_id: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT url FROM raw_pages WHERE run_id = %s AND kind = 'article' "
            "AND outcome = 'fetched'", (run_id,)).fetchall()
    return {urlsplit(u).path for (u,) in rows}


def _node_aliases(day: date) -> set[str]:
    """The gearbox feed links Drupal's node path of its newest article."""
    gearbox = catalog.by_source("gearbox")
    newest = [a for a in gearbox if a.in_feed_window][-1]
    return {f"/gearbox/node/{newest.nid}"} if newest.published_utc.date() == day else set()


def _broken_on(day: date, source: str) -> list[catalog.BrokenPage]:
    return [p for p in catalog.broken_pages() if p.listed_at.date() == day
            and p.source == source]


def _expected_fetches(day: date) -> set[str]:
    expected = {a.path for a in catalog.published_on(day)} | _node_aliases(day)
    expected |= {p.path for p in catalog.broken_pages()
                 if p.listed_at.date() == day and p.expected_outcome == "fetched"}
    return expected


@pytest.mark.parametrize("day", [date(2026, 11, 5), date(2026, 11, 7), date(2026, 11, 13)],
                         ids=str)
def test_crawl_fetches_exactly_the_days_articles(dsn, demo_sources, day):
    """11-05 and 11-07 hold articles published across midnight in the sites' own time
    zones; 11-13 holds one article only in the news sitemap and one only in the feed."""
    window = Window.for_day(day)
    for source in demo_sources.values():
        crawl_source(dsn, source, window, f"crawl-{day}")
    assert _fetched_paths(dsn, f"crawl-{day}") == _expected_fetches(day)


def test_routes_only_news_sitemap_and_only_feed_are_found(dsn, demo_sources):
    day = catalog.latest_day()
    only_news = [a for a in catalog.published_on(day) if not a.in_sitemap and a.in_news_sitemap
                 and not a.in_feed_window]
    only_feed = [a for a in catalog.published_on(day) if not a.in_sitemap and not a.in_archive
                 and not a.in_news_sitemap]
    assert only_news and only_feed, "the demo must keep one article of each kind"
    window = Window.for_day(day)
    for source in demo_sources.values():
        crawl_source(dsn, source, window, "routes")
    with psycopg.connect(dsn) as conn:
        via = dict(conn.execute(
            "SELECT url, discovered_via FROM raw_pages WHERE run_id = 'routes' "
            "AND kind = 'article'").fetchall())
    by_path = {urlsplit(u).path: v for u, v in via.items()}
    assert by_path[only_news[0].path] == "news_sitemap"
    assert by_path[only_feed[0].path] == "feed"


def test_every_broken_demo_page_is_recorded_with_its_outcome(dsn, demo_sources):
    day = catalog.latest_day()
    window = Window.for_day(day)
    crawls = {sid: crawl_source(dsn, s, window, "broken") for sid, s in demo_sources.items()}
    cleans = {sid: clean_source(dsn, s, window, "broken") for sid, s in demo_sources.items()}
    with psycopg.connect(dsn) as conn:
        outcomes = dict(conn.execute(
            "SELECT url, outcome FROM raw_pages WHERE run_id = 'broken' AND kind = 'article'"
        ).fetchall())
        rejected = dict(conn.execute("SELECT url, reason FROM rejected_pages").fetchall())
    by_path = {urlsplit(u).path: o for u, o in outcomes.items()}
    rejected_paths = {urlsplit(u).path: r for u, r in rejected.items()}
    for page in catalog.broken_pages():
        if page.listed_at.date() != day:
            continue
        assert by_path.get(page.path) == page.expected_outcome, page
    # pages that are fetched but hold no article are rejected with what they are
    reasons = {"gallery": "gallery", "video": "video", "slow": "too_short"}
    not_articles = {p.path: reasons[p.kind] for p in catalog.broken_pages()
                    if p.listed_at.date() == day and p.kind in reasons}
    assert len(not_articles) == len(reasons)
    assert {path: rejected_paths.get(path) for path in not_articles} == not_articles
    for source in demo_sources:
        broken = _broken_on(day, source)
        assert crawls[source].robots_disallowed == sum(
            p.expected_outcome == "robots_disallowed" for p in broken)
        assert crawls[source].failed == sum(p.expected_outcome in FAILED_OUTCOMES
                                            for p in broken)
    assert crawls["gearbox"].failed > 0 and crawls["motorwire"].robots_disallowed > 0
    # node/<nid> and its alias: one article
    assert cleans["gearbox"].duplicates == len(_node_aliases(day)) > 0


def test_crawl_identifies_itself_and_respects_the_page_cap(dsn, demo, demo_sources,
                                                           monkeypatch):
    monkeypatch.setenv("AUTONEWS_CONTACT_URL", "https://ops.example/crawler")
    source = dataclasses.replace(demo_sources["autoledger"], max_pages=2)
    day = Window.for_day(catalog.latest_day())
    counts = crawl_source(dsn, source, day, "capped")
    assert counts.fetched == 2 and counts.over_cap == counts.in_window - 2 > 0
    assert any(ua.startswith("autonews/") and "https://ops.example/crawler" in ua
               for ua in demo.user_agents)
    with psycopg.connect(dsn) as conn:
        capped = conn.execute("SELECT count(*) FROM raw_pages WHERE outcome = 'over_cap' "
                              "AND error LIKE 'over max_pages=2%'").fetchone()[0]
    assert capped == counts.over_cap
    # the next run takes up what the cap left: the stored pages are not fetched again
    again = crawl_source(dsn, source, day, "capped-2")
    assert again.fetched == 2 and again.not_modified == 0

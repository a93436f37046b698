"""A token in a source URL (a private feed, a keyed sitemap) is used to fetch but never
written in clear: not to the crawl log (even at DEBUG, even in errors), not to `raw_pages`,
not to `pipeline_runs`. What is stored is the URL as configured with the token masked."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import psycopg
import pytest

from autonews.core import Settings, SiteDown, Window
from autonews.demo import catalog
from autonews.jobs import crawl_source

pytestmark = pytest.mark.e2e

TOKEN = "s3cr3t-feed-t0ken"
DAY = Window.for_day(catalog.latest_day())


def _keyed(source):
    return dataclasses.replace(source, sitemaps=tuple(f"{u}?token={TOKEN}" for u in
                                                      source.sitemaps),
                               feeds=tuple(f"{u}?token={TOKEN}" for u in source.feeds))


def _everything_stored(dsn: str) -> str:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT url, final_url, error FROM raw_pages").fetchall()
        runs = conn.execute("SELECT counts::text, error FROM pipeline_runs").fetchall()
    return repr(rows) + repr(runs)


def test_a_token_in_a_source_url_is_masked_in_the_log_and_the_warehouse(dsn, demo,
                                                                        demo_sources,
                                                                        tmp_path):
    settings = Settings(home=tmp_path, crawl_log_level="DEBUG")
    source = _keyed(demo_sources["gearbox"])
    result = crawl_source(dsn, source, DAY, "keyed", settings=settings)
    assert result.fetched > 0  # the token did its job: the feed and sitemap were read
    demo.faults.set(["down:gearbox"])  # and errors, which name the URL, are masked too
    with pytest.raises(SiteDown):
        crawl_source(dsn, source, DAY, "keyed-down", settings=settings)

    logs = "".join(p.read_text() for p in Path(tmp_path, "logs").glob("crawl-*.log"))
    assert "rss.xml?token=***" in logs and "ERROR" in logs
    assert TOKEN not in logs
    stored = _everything_stored(dsn)
    assert TOKEN not in stored
    with psycopg.connect(dsn) as conn:
        feeds = {u for (u,) in conn.execute("SELECT url FROM raw_pages WHERE kind = 'feed'")}
    assert feeds == {f"{demo.url}/gearbox/rss.xml?token=***"}

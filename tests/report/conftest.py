"""Warehouses for the report tests (demo days through the pipeline's own stages, a synthetic
13-source month) and the headless Chromium that opens the pages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from autonews.core import CrawlResult, Outcome, Source, Stage, Status, Window
from autonews.evaluation import browser as chromium
from autonews.evaluation.synthetic import SyntheticDay, load_synthetic
from autonews.jobs import enrich_window, skip_stage
from autonews.sources import DEMO_SOURCES, load_sources
from tests.demo_warehouse import DEMO_BASE, load_demo_day
from tests.helpers import create_db, drop_db, fresh_db, with_db
from transforms import url_hash
from warehouse import runs
from warehouse.connection import connect
from warehouse.raw_pages import RawPageStore

DEMO_DAYS = (date(2026, 11, 11), date(2026, 11, 12), date(2026, 11, 13))
DOWN = "gearbox"  # refuses every connection on the last demo day
DOWN_URLS = ("/gearbox/sitemap.xml", "/gearbox/rss.xml", "/gearbox/archive/2026-11-13")
SYNTHETIC_DAY = date(2026, 11, 13)


def record_site_down(dsn: str, source: Source, day: date, run_id: str) -> None:
    """A run of `source` whose site refused every connection, as the crawl records it: its
    sitemap, feed and archive fetches failed, the crawl failed, the later stages skipped."""
    window = Window.for_day(day)
    store = RawPageStore(dsn)
    try:
        for path in DOWN_URLS:
            url = DEMO_BASE + path
            store.add({"run_id": run_id, "source_id": source.id, "url": url,
                       "url_hash": url_hash(url), "kind": "sitemap",
                       "outcome": Outcome.CONNECTION_ERROR, "fetched_at": datetime.now(UTC),
                       "error": "ConnectionRefusedError: Connection was refused by other side"})
    finally:
        store.close()
    outcomes = {Outcome.CONNECTION_ERROR.value: len(DOWN_URLS)}
    with connect(dsn) as conn:
        runs.start_stage(conn, run_id, source.id, Stage.CRAWL, window, "fixture")
        runs.finish_stage(conn, run_id, source.id, Stage.CRAWL, Status.FAILED,
                          CrawlResult(discovery_outcomes=outcomes).to_counts(),
                          f"{source.id}: no sitemap, feed or listing page could be fetched "
                          f"(connection_error={len(DOWN_URLS)}); is the site down?")
    for stage in (Stage.CLEAN, Stage.GATE, Stage.LOAD):
        skip_stage(dsn, source.id, window, run_id, stage, "crawl failed", "fixture")


@pytest.fixture(scope="session")
def demo_report_template(pg_admin_dsn: str, migrated_template: str) -> Iterator[str]:
    """A database of demo days through the pipeline's clean, gate, load and enrich stages
    (pages stored as a crawl stores them): 2026-11-11 and -12 for every source, then
    2026-11-13 with gearbox down (its crawl fails; the others load)."""
    name = create_db(pg_admin_dsn, migrated_template, prefix="autonews_report_")
    dsn = with_db(pg_admin_dsn, name)
    sources = load_sources(DEMO_SOURCES, {"demo_url": DEMO_BASE})
    for day in DEMO_DAYS:
        for source in sources:
            if (day, source.id) == (DEMO_DAYS[-1], DOWN):
                record_site_down(dsn, source, day, f"report-{day}")
            else:
                load_demo_day(dsn, source, day, f"report-{day}", DEMO_BASE)
    enrich_window(dsn, Window.days(DEMO_DAYS[0], DEMO_DAYS[-1]), "report-enrich")
    yield name
    drop_db(pg_admin_dsn, name)


@pytest.fixture
def demo_report_dsn(pg_admin_dsn: str, demo_report_template: str) -> Iterator[str]:
    """A private copy of the demo report warehouse."""
    yield from fresh_db(pg_admin_dsn, demo_report_template)


@pytest.fixture(scope="session")
def synthetic_template(pg_admin_dsn: str, migrated_template: str
                       ) -> Iterator[tuple[str, SyntheticDay]]:
    name = create_db(pg_admin_dsn, migrated_template, prefix="autonews_report13_")
    day = load_synthetic(with_db(pg_admin_dsn, name), SYNTHETIC_DAY)
    yield name, day
    drop_db(pg_admin_dsn, name)


@pytest.fixture
def synthetic(pg_admin_dsn: str, synthetic_template: tuple[str, SyntheticDay]
              ) -> tuple[str, SyntheticDay]:
    """(DSN, facts) of the synthetic 13-source warehouse; tests must not change it."""
    name, day = synthetic_template
    return with_db(pg_admin_dsn, name), day


@pytest.fixture(scope="package")
def headless_chromium() -> Iterator[object]:
    """Debian's Chromium, headless, driven by playwright. Its absence is a failure (the
    set-up installs it: scripts/install-browser), unless AUTONEWS_SKIP_BROWSER=1 says to
    skip the browser tests on this machine. Package scope: playwright's sync API keeps an
    asyncio loop running in the main thread while it is open, which breaks any later test
    that runs its own loop (`asyncio.run`)."""
    missing = chromium.unavailable()
    if missing:
        if os.environ.get(chromium.SKIP_ENV) == "1":
            pytest.skip(f"{missing} (AUTONEWS_SKIP_BROWSER=1)")
        pytest.fail(f"{missing}; install it with scripts/install-browser, or set "
                    "AUTONEWS_SKIP_BROWSER=1 to skip the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            yield browser
        finally:
            browser.close()

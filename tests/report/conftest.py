"""Warehouses for the report tests (a demo crawled by the real pipeline, a synthetic
13-source month) and the headless Chromium that opens the pages."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from psycopg import sql

from autonews.demo.site import DemoSite
from autonews.jobs import Window, run_source
from autonews.sources import DEMO_SOURCES, load_sources
from tests.conftest import _fresh_db, _with_db
from tests.report import browser as chromium
from tests.report.synthetic import SyntheticDay, load_synthetic

DEMO_DAYS = (date(2026, 11, 11), date(2026, 11, 12), date(2026, 11, 13))
DOWN = "gearbox"  # refuses every connection on the last demo day
SYNTHETIC_DAY = date(2026, 11, 13)


def _database(pg_admin_dsn: str, template: str) -> tuple[str, str]:
    name = f"autonews_report_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)))
    return name, _with_db(pg_admin_dsn, name)


def _drop(pg_admin_dsn: str, name: str) -> None:
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


@pytest.fixture(scope="session")
def demo_report_template(pg_admin_dsn: str, migrated_template: str,
                         demo_site: DemoSite) -> Iterator[str]:
    """A database the real pipeline filled from the demo site: 2026-11-11 and -12 for every
    source, then 2026-11-13 with gearbox down (its crawl fails; the others load)."""
    name, dsn = _database(pg_admin_dsn, migrated_template)
    sources = {s.id: s for s in load_sources(DEMO_SOURCES, {"demo_url": demo_site.url})}
    demo_site.faults.clear()
    try:
        for day in DEMO_DAYS:
            if day == DEMO_DAYS[-1]:
                demo_site.faults.set([f"down:{DOWN}"])
            for source in sources.values():
                result = run_source(dsn, source, Window.for_day(day), f"report-{day}")
                assert result.ok == (day != DEMO_DAYS[-1] or source.id != DOWN), result.error
    finally:
        demo_site.faults.clear()
    yield name
    _drop(pg_admin_dsn, name)


@pytest.fixture
def demo_report_dsn(pg_admin_dsn: str, demo_report_template: str) -> Iterator[str]:
    """A private copy of the demo report warehouse."""
    yield from _fresh_db(pg_admin_dsn, demo_report_template)


@pytest.fixture(scope="session")
def synthetic_template(pg_admin_dsn: str, migrated_template: str
                       ) -> Iterator[tuple[str, SyntheticDay]]:
    name, dsn = _database(pg_admin_dsn, migrated_template)
    day = load_synthetic(dsn, SYNTHETIC_DAY)
    yield name, day
    _drop(pg_admin_dsn, name)


@pytest.fixture
def synthetic(pg_admin_dsn: str, synthetic_template: tuple[str, SyntheticDay]
              ) -> tuple[str, SyntheticDay]:
    """(DSN, facts) of the synthetic 13-source warehouse; tests must not change it."""
    name, day = synthetic_template
    return _with_db(pg_admin_dsn, name), day


@pytest.fixture(scope="session")
def headless_chromium() -> Iterator[object]:
    """Debian's Chromium, headless, driven by playwright. Skipped with the reason where it
    is not installed, unless AUTONEWS_REQUIRE_BROWSER=1 (CI), where that is a failure."""
    missing = chromium.unavailable()
    if missing:
        if os.environ.get(chromium.REQUIRE_ENV) == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            yield browser
        finally:
            browser.close()

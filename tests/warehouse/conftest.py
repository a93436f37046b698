"""A warehouse loaded by the real pipeline from three demo days, shared by the analyst tests:
read-only through `loaded_dsn`, or as a private copy through `loaded_copy`."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from psycopg import sql

from autonews.demo.site import DemoSite
from autonews.enrich import enrich_window
from autonews.jobs import Window, run_source
from autonews.sources import DEMO_SOURCES, load_sources
from tests.conftest import _fresh_db, _with_db
from transforms import Article
from warehouse import loader

LOADED_DAYS = (date(2026, 11, 11), date(2026, 11, 12), date(2026, 11, 13))
FAILED_DAY = date(2026, 11, 10)  # gearbox is down that run: a failed run in pipeline_runs
CHANGED_PATH = "/motorwire/industry/midlands-tyre-plant-to-close-with-620-jobs-lost/"
CORRECTION = " Correction: an earlier version of this story misstated the number of jobs."


def _change_one_article(dsn: str) -> None:
    """Load a corrected version of one article through the loader: an `article_versions` row."""
    columns = [f.name for f in dataclasses.fields(Article)]
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            sql.SQL("SELECT {}, raw_page_id FROM articles WHERE canonical_url LIKE %s").format(
                sql.SQL(", ").join(map(sql.Identifier, columns))),
            (f"%{CHANGED_PATH}",)).fetchone()
        assert row is not None, "the demo article to change is not loaded"
        article = Article(**dict(zip(columns, row[:-1], strict=True)))
        changed = dataclasses.replace(article, body=article.body + CORRECTION)
        staged = [loader.staged_row("fixture-correction", "motorwire", changed, row[-1])]
        loader.stage_articles(conn, "fixture-correction", "motorwire", staged)
        counts = loader.merge_staged(conn, "fixture-correction", "motorwire")
    assert counts.updated == 1


@pytest.fixture(scope="session")
def loaded_template(pg_admin_dsn: str, migrated_template: str,
                    demo_site: DemoSite) -> Iterator[str]:
    """Name of a database holding demo days 2026-11-11..13 (every source, loaded by
    `run_source`), one corrected article and one failed run, enriched (`enrich_window`)."""
    name = f"autonews_loaded_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(migrated_template)))
    dsn = _with_db(pg_admin_dsn, name)
    sources = {s.id: s for s in load_sources(DEMO_SOURCES, {"demo_url": demo_site.url})}
    demo_site.faults.clear()
    try:
        for day in LOADED_DAYS:
            for source in sources.values():
                result = run_source(dsn, source, Window.for_day(day), f"fixture-{day}")
                assert result.ok, result.error
        demo_site.faults.set(["down:gearbox"])
        failed = run_source(dsn, sources["gearbox"], Window.for_day(FAILED_DAY), "fixture-down")
        assert not failed.ok
    finally:
        demo_site.faults.clear()
    _change_one_article(dsn)
    enrich_window(dsn, Window(Window.for_day(LOADED_DAYS[0]).start,
                              Window.for_day(LOADED_DAYS[-1]).end), "fixture-enrich")
    yield name
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


@pytest.fixture(scope="session")
def loaded_dsn(pg_admin_dsn: str, loaded_template: str) -> str:
    """DSN of the loaded demo warehouse; tests must not change it."""
    return _with_db(pg_admin_dsn, loaded_template)


@pytest.fixture
def loaded_copy(pg_admin_dsn: str, loaded_template: str) -> Iterator[str]:
    """DSN of a private copy of the loaded demo warehouse."""
    yield from _fresh_db(pg_admin_dsn, loaded_template)

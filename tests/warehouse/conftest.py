"""A warehouse loaded from three demo days by the pipeline's own clean, gate and load (the
pages stored as a crawl stores them, without crawling), shared by the analyst tests:
read-only through `loaded_dsn`, or as a private copy through `loaded_copy`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from autonews.sources import DEMO_SOURCES, load_sources
from tests.demo_warehouse import (
    CHANGED_PATH,
    DEMO_BASE,
    FAILED_DAY,
    LOADED_DAYS,
    load_demo_day,
    record_failed_crawl,
)
from tests.helpers import create_db, drop_db, fresh_db, with_db
from transforms import Article
from warehouse import loader, staging

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
        staged = [staging.staged_row("fixture-correction", "motorwire", changed, row[-1])]
        staging.stage_articles(conn, "fixture-correction", "motorwire", staged)
        counts = loader.merge_staged(conn, "fixture-correction", "motorwire")
    assert counts.updated == 1


@pytest.fixture(scope="session")
def loaded_template(pg_admin_dsn: str, migrated_template: str) -> Iterator[str]:
    """Name of a database holding demo days 2026-11-11..13 (every source), one corrected
    article and one failed run."""
    name = create_db(pg_admin_dsn, migrated_template, prefix="autonews_loaded_")
    dsn = with_db(pg_admin_dsn, name)
    sources = {s.id: s for s in load_sources(DEMO_SOURCES, {"demo_url": DEMO_BASE})}
    for day in LOADED_DAYS:
        for source in sources.values():
            load_demo_day(dsn, source, day, f"fixture-{day}", DEMO_BASE)
    record_failed_crawl(dsn, sources["gearbox"], FAILED_DAY, "fixture-down",
                        "gearbox: no sitemap, feed or listing page could be fetched "
                        "(connection_error=2); is the site down?")
    _change_one_article(dsn)
    yield name
    drop_db(pg_admin_dsn, name)


@pytest.fixture(scope="session")
def loaded_dsn(pg_admin_dsn: str, loaded_template: str) -> str:
    """DSN of the loaded demo warehouse; tests must not change it."""
    return with_db(pg_admin_dsn, loaded_template)


@pytest.fixture
def loaded_copy(pg_admin_dsn: str, loaded_template: str) -> Iterator[str]:
    """DSN of a private copy of the loaded demo warehouse."""
    yield from fresh_db(pg_admin_dsn, loaded_template)

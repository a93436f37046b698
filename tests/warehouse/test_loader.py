"""COPY + merge: idempotent, versioned, all-or-nothing."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import psycopg
import pytest

from transforms import Article
from warehouse import loader, staging


def _article(n: int, body: str = "Body text.") -> Article:
    return Article(
        url=f"https://a.example/story-{n}?utm_source=x", canonical_url=f"https://a.example/story-{n}",
        title=f"Story {n}", body=f"{body} {n}", authors=["Ana Ruiz"], tags=["EV"],
        published_at=datetime(2026, 11, 13, 9, n % 60, tzinfo=UTC), word_count=3,
        reading_time_minutes=1, language="en", site_name="A",
    )


def _load(dsn, articles, run_id="r1", source="src"):
    with psycopg.connect(dsn) as conn:
        rows = [staging.staged_row(run_id, source, a, None) for a in articles]
        staging.stage_articles(conn, run_id, source, rows)
        return loader.merge_staged(conn, run_id, source)


def _snapshot(dsn):
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT * FROM articles ORDER BY url_hash").fetchall()


def test_loading_the_same_batch_twice_changes_nothing(dsn):
    batch = [_article(i) for i in range(50)]
    assert _load(dsn, batch).to_counts() == {"inserted": 50, "updated": 0, "unchanged": 0}
    before = _snapshot(dsn)
    assert _load(dsn, batch, run_id="r2").to_counts() == {"inserted": 0, "updated": 0,
                                                         "unchanged": 50}
    assert _snapshot(dsn) == before
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM staged_articles").fetchone() == (0,)
        row = conn.execute("SELECT authors, tags, published_at FROM articles LIMIT 1").fetchone()
    assert row[0] == ["Ana Ruiz"] and row[1] == ["EV"] and row[2].tzinfo is not None


def test_a_changed_article_is_updated_and_its_old_version_kept(dsn):
    _load(dsn, [_article(1), _article(2)])
    changed = dataclasses.replace(_article(1), title="Story 1, corrected")
    counts = _load(dsn, [changed, _article(2)], run_id="r2")
    assert counts.to_counts() == {"inserted": 0, "updated": 1, "unchanged": 1}
    with psycopg.connect(dsn) as conn:
        title = conn.execute("SELECT title FROM articles WHERE canonical_url LIKE '%story-1'"
                             ).fetchone()
        versions = conn.execute("SELECT version, title, run_id FROM article_versions").fetchall()
    assert title == ("Story 1, corrected",)
    assert versions == [(1, "Story 1", "r1")]


def test_a_merge_that_fails_leaves_the_table_as_before(dsn):
    _load(dsn, [_article(1)])
    before = _snapshot(dsn)
    with psycopg.connect(dsn) as conn:
        rows = [staging.staged_row("r2", "src", _article(i, "New"), None) for i in range(1, 30)]
        staging.stage_articles(conn, "r2", "src", rows)
        # sabotage one staged row so the single INSERT ... ON CONFLICT fails midway
        conn.execute("ALTER TABLE staged_articles ALTER COLUMN title DROP NOT NULL")
        conn.execute("UPDATE staged_articles SET title = NULL WHERE url_hash = "
                     "(SELECT max(url_hash) FROM staged_articles)")
        conn.commit()
        with pytest.raises(psycopg.errors.NotNullViolation):
            loader.merge_staged(conn, "r2", "src")
    assert _snapshot(dsn) == before
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM article_versions").fetchone() == (0,)


def test_the_cleaners_verdict_is_stored_and_follows_a_reclean_without_a_version(dsn):
    from autonews.core import PageKind

    first = dataclasses.replace(_article(1), page_kind=PageKind.LIVEBLOG,
                                extraction_confidence=0.4,
                                confidence_reasons=("short_text",), credit="dpa",
                                rules_version="2.0.0/g-a/generic-1.b/s-c")
    _load(dsn, [first])
    surer = dataclasses.replace(first, extraction_confidence=0.9, confidence_reasons=(),
                                rules_version="2.0.0/g-a/generic-1.b/s-d")
    counts = _load(dsn, [surer], run_id="r2")
    assert counts.to_counts() == {"inserted": 0, "updated": 0, "unchanged": 1}
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT page_kind, extraction_confidence, confidence_reasons, "
                           "credit, rules_version, run_id FROM articles").fetchone()
        versions = conn.execute("SELECT count(*) FROM article_versions").fetchone()
    # the same article to a reader: no version, its run unchanged; the verdict is today's
    assert row == ("liveblog", pytest.approx(0.9), [], "dpa", "2.0.0/g-a/generic-1.b/s-d",
                   "r1")
    assert versions == (0,)

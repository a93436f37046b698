"""The analyst views on a warehouse the pipeline loaded from demo days, against the catalog."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import psycopg

from autonews.demo import catalog
from tests.demo_warehouse import FAILED_DAY, LOADED_DAYS
from transforms.text import count_words

AS_OF = datetime(2026, 11, 14, tzinfo=UTC)  # the 14 days before: 2026-10-31..11-13


def _expected_per_source_day() -> Counter[tuple[str, object]]:
    return Counter((a.source, a.published_utc.date()) for day in LOADED_DAYS
                   for a in catalog.published_on(day))


def test_articles_per_source_day_matches_the_catalog(loaded_dsn):
    with psycopg.connect(loaded_dsn) as conn:
        rows = conn.execute("SELECT source_id, day, articles, words, avg_words, changed "
                            "FROM articles_per_source_day").fetchall()
    assert {(s, d): n for s, d, n, *_ in rows} == dict(_expected_per_source_day())
    words: Counter[tuple[str, object]] = Counter()
    for day in LOADED_DAYS:
        for a in catalog.published_on(day):
            words[(a.source, day)] += count_words(a.body_text)
    assert {(s, d): w for s, d, _, w, _, _ in rows} == dict(words)
    assert {(s, d): c for s, d, *_, c in rows if c} == {("motorwire", LOADED_DAYS[-1]): 1}
    for _, _, articles, total, average, _ in rows:
        assert average == (Decimal(total) / articles).quantize(Decimal(1), ROUND_HALF_UP)


def test_latest_articles_are_newest_first_without_bodies(loaded_dsn):
    with psycopg.connect(loaded_dsn) as conn:
        rows = conn.execute("SELECT published_at, title, changed FROM latest_articles LIMIT 5"
                            ).fetchall()
        columns = {r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'latest_articles'")}
    newest = sorted((a for day in LOADED_DAYS for a in catalog.published_on(day)),
                    key=lambda a: a.published_utc, reverse=True)
    assert [r[1] for r in rows] == [a.title for a in newest[:5]]
    assert [r[0] for r in rows] == sorted((r[0] for r in rows), reverse=True)
    assert "body" not in columns


def test_source_health_as_of_a_day(loaded_dsn):
    with psycopg.connect(loaded_dsn) as conn:
        rows = conn.execute("SELECT * FROM source_health_at(%s)", (AS_OF,)).fetchall()
        names = [c.name for c in conn.execute(
            "SELECT * FROM source_health_at(%s) LIMIT 0", (AS_OF,)).description]
        rejects = dict(conn.execute("SELECT source_id, count(*) FROM rejected_pages "
                                    "GROUP BY 1").fetchall())
    health = {r[0]: dict(zip(names, r, strict=True)) for r in rows}
    assert set(health) == set(catalog.SOURCES)
    loaded = Counter(a.source for day in LOADED_DAYS for a in catalog.published_on(day))
    broken = Counter(p.source for p in catalog.broken_pages()
                     if p.listed_at.date() in LOADED_DAYS and p.kind in ("gallery", "video",
                                                                         "slow"))
    for source, row in health.items():
        assert row["articles_14d"] == loaded[source]
        assert row["articles_per_day_14d"] == (Decimal(loaded[source]) / 14).quantize(
            Decimal("0.01"), ROUND_HALF_UP)
        assert row["pages_rejected_14d"] == broken[source] == rejects.get(source, 0)
        assert row["reject_rate_14d"] == (Decimal(broken[source]) / row["pages_cleaned_14d"]
                                          ).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        assert row["last_success_day"] == LOADED_DAYS[-1]
    assert health["gearbox"]["last_run_status"] == "failed"
    assert health["gearbox"]["last_error"].startswith("crawl: ")
    assert health["gearbox"]["failed_runs_14d"] == 1
    assert health["gearbox"]["runs_14d"] == len(LOADED_DAYS) + 1
    assert health["motorwire"]["last_run_status"] == "success"
    assert health["motorwire"]["failed_runs_14d"] == 0
    assert health["motorwire"]["pages_cleaned_14d"] >= loaded["motorwire"]


def test_source_health_before_any_run_is_empty(loaded_dsn):
    with psycopg.connect(loaded_dsn) as conn:
        early = conn.execute("SELECT count(*) FROM source_health_at('2000-01-01')").fetchone()
        now = conn.execute("SELECT count(*) FROM source_health").fetchone()
    assert early == (0,)
    assert now == (len(catalog.SOURCES),)


def test_the_failed_day_is_outside_the_articles_but_inside_the_runs(loaded_dsn):
    with psycopg.connect(loaded_dsn) as conn:
        status = conn.execute(
            "SELECT status, error FROM pipeline_runs WHERE run_id = 'fixture-down' "
            "AND stage = 'crawl'").fetchone()
        days = {r[0] for r in conn.execute("SELECT DISTINCT day FROM articles_per_source_day")}
    assert status is not None and status[0] == "failed"
    assert FAILED_DAY not in days

"""`daily_stats`: every source and day of a range, gaps shown as zeros, runs and rejects."""

from __future__ import annotations

from collections import Counter

import psycopg

from autonews.core import Window
from autonews.demo import catalog
from tests.demo_warehouse import FAILED_DAY, LOADED_DAYS
from warehouse.analytics import daily_stats


def test_every_source_and_day_of_the_range_with_runs_and_rejects(loaded_dsn):
    days = Window.days(FAILED_DAY, LOADED_DAYS[-1])
    with psycopg.connect(loaded_dsn) as conn:
        rows = daily_stats(conn, days)
    by_key = {(r.day, r.source_id): r for r in rows}
    assert len(rows) == len(days) * len(catalog.SOURCES)
    published = Counter((a.published_utc.date(), a.source) for d in LOADED_DAYS
                        for a in catalog.published_on(d))
    for (day, source), row in by_key.items():
        assert row.articles == published[(day, source)]
    down = by_key[(FAILED_DAY, "gearbox")]
    assert (down.articles, down.runs, down.failed_runs, down.last_status) == (0, 1, 1, "failed")
    idle = by_key[(FAILED_DAY, "motorwire")]
    assert (idle.articles, idle.runs, idle.last_status, idle.reject_rate) == (0, 0, None, None)
    last = by_key[(LOADED_DAYS[-1], "autoledger")]
    assert last.rejected == 2 and last.reject_rate == 2 / last.pages_cleaned
    assert by_key[(LOADED_DAYS[-1], "motorwire")].changed == 1
    assert all(r.last_status == "success" for r in rows if r.day in LOADED_DAYS)
    assert rows == sorted(rows, key=lambda r: (r.day, r.source_id))


def test_one_source_only(loaded_dsn):
    with psycopg.connect(loaded_dsn) as conn:
        rows = daily_stats(conn, Window.days(LOADED_DAYS[0], LOADED_DAYS[-1]), "gearbox")
    assert {r.source_id for r in rows} == {"gearbox"} and len(rows) == len(LOADED_DAYS)
    assert rows[0].as_dict()["day"] == str(LOADED_DAYS[0])


def test_a_range_with_nothing_in_it_is_empty(loaded_dsn):
    with psycopg.connect(loaded_dsn) as conn:
        assert daily_stats(conn, Window.parse("2020-01-01", "2020-01-31")) == []

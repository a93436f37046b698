"""Which publication day a DAG run covers, for every kind of run."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pendulum

from autonews.airflow_support import run_day


def _context(logical=None, run_after=None, params=None):
    return {"logical_date": logical, "params": params or {},
            "dag_run": SimpleNamespace(run_after=run_after)}


def test_scheduled_run_covers_its_data_interval_day():
    # CronDataIntervalTimetable("0 0 * * *"): the run for [11-20, 11-21) starts at 11-21
    # 00:00 and has logical date 11-20.
    ctx = _context(logical=pendulum.datetime(2026, 11, 20, tz="UTC"),
                   run_after=pendulum.datetime(2026, 11, 21, tz="UTC"))
    assert run_day(ctx) == date(2026, 11, 20)


def test_backfill_run_covers_its_logical_date():
    ctx = _context(logical=datetime(2026, 11, 3, tzinfo=UTC),
                   run_after=datetime(2026, 11, 25, 9, tzinfo=UTC))
    assert run_day(ctx) == date(2026, 11, 3)


def test_manual_run_with_a_logical_date_covers_that_date():
    ctx = _context(logical=pendulum.datetime(2026, 11, 12, tz="UTC"),
                   run_after=pendulum.datetime(2026, 11, 25, 10, 13, tz="UTC"))
    assert run_day(ctx) == date(2026, 11, 12)


def test_logical_date_in_another_zone_is_read_in_utc():
    ctx = _context(logical=pendulum.datetime(2026, 11, 12, 20, tz="America/Detroit"))
    assert run_day(ctx) == date(2026, 11, 13)


def test_api_run_without_logical_date_covers_the_previous_complete_day():
    ctx = _context(logical=None, run_after=datetime(2026, 11, 25, 10, 13, tzinfo=UTC))
    assert run_day(ctx) == date(2026, 11, 24)


def test_day_param_overrides_everything():
    ctx = _context(logical=pendulum.datetime(2026, 11, 20, tz="UTC"), params={"day": "2026-11-05"})
    assert run_day(ctx) == date(2026, 11, 5)

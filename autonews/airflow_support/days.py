"""Which UTC publication day (or range) a DAG run covers, from its params, logical date or
trigger time; the same rules for every task and for the failure callback."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from autonews.core.errors import AutonewsError
from autonews.core.window import Window, parse_day, today_utc


def run_day(context: Any) -> date:
    """The UTC publication day a DAG run covers.

    - `params.day` (YYYY-MM-DD, not after today) when given: any kind of run;
    - else the UTC date of the run's logical date: a scheduled run (its data interval
      [D, D+1) starts at D), a backfill run for D, a manual trigger for logical date D;
    - else (API runs with `logical_date: null`): the day before `run_after`, the last
      complete day.

    A bad `day` raises `BadInput` naming it (the DAG's params refuse it at trigger time;
    this is for conf that bypassed them).
    """
    params = context.get("params") or {}
    wanted = params.get("day")
    if wanted:
        return parse_day(str(wanted), option="day", latest=today_utc())
    logical = context.get("logical_date")
    if logical is not None:
        return _utc(logical).date()
    dag_run = context.get("dag_run")
    run_after = getattr(dag_run, "run_after", None) or datetime.now(UTC)
    return (_utc(run_after) - timedelta(days=1)).date()


def reclean_window(context: Any) -> Window:
    """The [from, to] UTC day range of an autonews_reclean run (default: the 30 days
    before the run)."""
    params = context.get("params") or {}
    conf = getattr(context.get("dag_run"), "conf", None) or {}
    last_text = conf.get("to") or params.get("to")
    first_text = conf.get("from") or params.get("from")
    last = parse_day(str(last_text), option="to") if last_text else run_day(
        {"dag_run": context.get("dag_run")})
    first = parse_day(str(first_text), option="from") if first_text \
        else last - timedelta(days=29)
    return Window.days(first, last)


def described_day(context: Any) -> str | None:
    """The day for a message about the run, even when the run's `day` is the bad input
    being reported (then as typed)."""
    try:
        return str(run_day(context))
    except AutonewsError:
        wanted = (context.get("params") or {}).get("day")
        return None if wanted is None else str(wanted)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

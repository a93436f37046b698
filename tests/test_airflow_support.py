"""Airflow support without an Airflow process: which publication day a DAG run covers,
the alerts webhook from each form of connection, and what a retry can fix."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pendulum
import pytest

from autonews.airflow_support import (
    ALERTS_CONN_ID,
    described_day,
    run_day,
    webhook_target,
)
from autonews.core import (
    BadInput,
    ConfigError,
    GateFailed,
    SiteBusy,
    SiteDown,
    StageFailed,
    StageInputMissing,
    WarehouseUnavailable,
)

Connection = pytest.importorskip("airflow.sdk").Connection


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


# ---------------------------------------------------------------- bad days


def test_a_bad_or_future_day_param_is_refused_naming_it():
    with pytest.raises(BadInput, match="day '2026-13-45' is not a date"):
        run_day(_context(params={"day": "2026-13-45"}))
    with pytest.raises(BadInput, match="day 2999-01-01 is in the future"):
        run_day(_context(params={"day": "2999-01-01"}))


def test_a_message_about_a_run_with_a_bad_day_quotes_the_day_as_typed():
    assert described_day(_context(params={"day": "2026-13-45"})) == "2026-13-45"
    assert described_day(_context(params={"day": "2026-11-05"})) == "2026-11-05"


# ---------------------------------------------------------------- the alerts connection

WEBHOOK = "http://127.0.0.1:8099/alerts"


@pytest.mark.parametrize(("form", "conn"), [
    # AIRFLOW_CONN_AUTONEWS_ALERTS as a URI: Airflow puts the path in `schema`
    ("uri", lambda: Connection.from_uri("http://:t0ken@127.0.0.1:8099/alerts",
                                        conn_id=ALERTS_CONN_ID)),
    # ... as JSON
    ("json", lambda: Connection.from_json(json.dumps(
        {"conn_type": "http", "host": "127.0.0.1", "port": 8099, "schema": "alerts",
         "password": "t0ken"}), conn_id=ALERTS_CONN_ID)),
    # the UI's fields, Airflow's HTTP convention: schema is the URL scheme
    ("ui", lambda: Connection(conn_id=ALERTS_CONN_ID, conn_type="http",
                              host="127.0.0.1/alerts", schema="http", port=8099,
                              password="t0ken")),
    # the UI with the whole URL as host
    ("ui-url", lambda: Connection(conn_id=ALERTS_CONN_ID, conn_type="generic",
                                  host="http://127.0.0.1:8099/alerts", password="t0ken")),
])
def test_the_webhook_is_the_same_whichever_form_defines_the_connection(form, conn):
    target = webhook_target(conn())
    assert target.url == WEBHOOK, form
    assert target.headers["Authorization"] == "Bearer t0ken"


def test_a_webhook_with_a_secret_query_and_basic_auth():
    conn = Connection.from_uri("https://ops:pw@hooks.example.com/services/T1/B2?key=k3y",
                               conn_id=ALERTS_CONN_ID)
    target = webhook_target(conn)
    assert target.url == "https://hooks.example.com/services/T1/B2?key=k3y"
    assert target.headers["Authorization"].startswith("Basic ")
    assert "k3y" not in repr(target) and "pw" not in repr(target)


def test_a_connection_without_a_usable_url_is_refused_naming_it():
    with pytest.raises(ConfigError, match="autonews_alerts has no host"):
        webhook_target(Connection(conn_id=ALERTS_CONN_ID, conn_type="http"))
    with pytest.raises(ConfigError, match="'ftp://h' is not an http"):
        webhook_target(Connection(conn_id=ALERTS_CONN_ID, host="ftp://h"))


# ---------------------------------------------------------------- retry decisions


@pytest.mark.parametrize(("error", "action"), [
    (SiteDown("gearbox: no sitemap could be fetched"), "fail"),
    (GateFailed("quality gate failed for gearbox"), "fail"),
    (BadInput("day '2026-13-45' is not a date"), "fail"),
    (StageInputMissing("gearbox: nothing to judge"), "fail"),
    (SiteBusy("gearbox: another crawl holds its lock"), "default"),
    (StageFailed("crawl exited with code -9"), "default"),
    (WarehouseUnavailable("cannot connect"), "default"),
    (OSError("disk full"), "default"),
])
def test_what_a_retry_cannot_fix_fails_at_once(error, action):
    from autonews.airflow_support.retries import RETRY_POLICY

    assert RETRY_POLICY.evaluate(error, try_number=1, max_tries=4).action.value == action


def test_a_busy_site_reschedules_until_it_has_waited_an_hour():
    from airflow.sdk.exceptions import AirflowRescheduleException

    from autonews.airflow_support.retries import LOCK_GIVE_UP, wait_for_lock

    busy = SiteBusy("gearbox: another crawl holds its lock")
    now = datetime.now(UTC)

    class TaskInstance:
        def __init__(self, first):
            self.first, self.start_date = first, now

        def get_first_reschedule_date(self, context):
            return self.first

    soon = wait_for_lock({"ti": TaskInstance(None)}, busy)
    assert isinstance(soon, AirflowRescheduleException)
    assert now < soon.reschedule_date < now + timedelta(minutes=1)
    late = wait_for_lock({"ti": TaskInstance(now - LOCK_GIVE_UP)}, busy)
    assert late is busy

"""Failure alerts from the callback Airflow calls, in process: posted to a real webhook
through the `autonews_alerts` connection as Airflow reads it from the environment, recorded
in the warehouse, and an alert that could not be sent is an error in the log and in the
run's report."""

from __future__ import annotations

import json
import logging
from datetime import date
from types import SimpleNamespace

import psycopg
import pytest

from autonews.airflow_support import on_task_failure
from autonews.core import SiteDown, Stage, Status, Window
from autonews.reports import build_report
from tests.alert_receiver import AlertReceiver
from warehouse import runs
from warehouse.connection import connect

pytest.importorskip("airflow.sdk")

TOKEN = "t0ken-abc123"
DAY = "2026-11-13"


def _context(day: str = DAY, error: Exception | None = None) -> dict:
    ti = SimpleNamespace(dag_id="autonews_daily", task_id="per_source.crawl", map_index=2,
                         rendered_map_index="gearbox", run_id="scheduled__2026-11-14",
                         try_number=1)
    return {"ti": ti, "task_instance": ti, "params": {"day": day},
            "task": SimpleNamespace(op_kwargs={"source_id": "gearbox"}),
            "exception": error or SiteDown(
                "gearbox: cannot reach postgresql://app:hunter2@db/wh; is the site down?")}


@pytest.fixture(params=["uri", "json"])
def hook(request, monkeypatch, dsn):
    """A webhook, and the `autonews_alerts` connection pointing at it in the environment, in
    Airflow's URI or JSON form."""
    with AlertReceiver() as receiver:
        form = receiver.connection_uri if request.param == "uri" else receiver.connection_json
        monkeypatch.setenv("AIRFLOW_CONN_AUTONEWS_ALERTS", form(TOKEN))
        monkeypatch.setenv("AIRFLOW_CONN_AUTONEWS_WAREHOUSE", dsn)
        yield receiver


def _alerts(dsn: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT task_id, map_index, source_id, day::text, delivered, "
                            "delivery_error FROM alerts ORDER BY alert_id").fetchall()


def test_a_failed_task_posts_its_alert_naming_the_source_without_secrets(hook, dsn):
    on_task_failure(_context())
    [received] = hook.received
    body = received["body"]
    assert received["path"] == "/alerts"
    assert received["authorization"] == f"Bearer {TOKEN}"
    assert (body["source"], body["task_id"], body["day"]) == ("gearbox", "per_source.crawl",
                                                               DAY)
    assert body["error"].startswith("SiteDown: gearbox:")
    assert "hunter2" not in json.dumps(body)
    assert _alerts(dsn) == [("per_source.crawl", 2, "gearbox", DAY, True, None)]


def test_a_run_with_a_bad_day_still_alerts_with_the_day_as_typed(hook, dsn):
    on_task_failure(_context(day="2026-13-45", error=ValueError("bad")))
    assert hook.bodies()[0]["day"] == "2026-13-45"
    assert _alerts(dsn)[0][3] is None  # not a date: kept in the payload only


def test_an_alert_that_cannot_be_sent_is_an_error_and_is_in_the_report(hook, dsn, caplog):
    hook.status = 503
    with connect(dsn) as conn:  # the run's failed crawl, as the stage recorded it
        runs.start_stage(conn, "scheduled__2026-11-14", "gearbox", Stage.CRAWL,
                         Window.for_day(date.fromisoformat(DAY)), "airflow")
        runs.finish_stage(conn, "scheduled__2026-11-14", "gearbox", Stage.CRAWL,
                          Status.FAILED, {}, "gearbox: is the site down?")
    with caplog.at_level(logging.ERROR):
        on_task_failure(_context())
    assert any(r.levelno == logging.ERROR and "ALERT NOT SENT" in r.getMessage()
               and "503" in r.getMessage() for r in caplog.records)
    assert _alerts(dsn)[0][4:] == (False, f"{hook.url} answered 503 Service Unavailable")
    report = build_report(dsn, "scheduled__2026-11-14",
                          Window.for_day(date.fromisoformat(DAY)))
    failure = report.failure() or ""
    assert failure.startswith("failed: gearbox")
    assert "1 failure alert of this run could not be sent" in failure
    assert report.as_dict()["alerts_not_sent"][0]["source"] == "gearbox"


def test_no_alerts_connection_is_an_error_too(monkeypatch, dsn, caplog):
    monkeypatch.delenv("AIRFLOW_CONN_AUTONEWS_ALERTS", raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_AUTONEWS_WAREHOUSE", dsn)
    with caplog.at_level(logging.ERROR):
        on_task_failure(_context())
    assert any("no Airflow connection autonews_alerts" in r.getMessage()
               for r in caplog.records if r.levelno == logging.ERROR)
    assert _alerts(dsn)[0][4] is False

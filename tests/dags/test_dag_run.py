"""`airflow dags test` of autonews_daily for a demo day against real PostgreSQL, twice; and of
autonews_ccnews_backfill against the demo site's CC-NEWS-like archive."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from autonews.demo import catalog
from tests.helpers import ONE_AIRFLOW_AT_A_TIME, run_airflow

pytestmark = [pytest.mark.e2e, ONE_AIRFLOW_AT_A_TIME]


def _counts(dsn):
    with psycopg.connect(dsn) as conn:
        articles = conn.execute("SELECT count(*), max(last_changed_at) FROM articles").fetchone()
        stages = conn.execute(
            "SELECT run_id, source_id, stage, status, counts FROM pipeline_runs "
            "WHERE stage = 'load' ORDER BY run_id").fetchall()
    return articles, stages


def test_dag_test_of_a_demo_day_loads_once(airflow_env, dsn, demo, tmp_path):
    day = catalog.latest_day()
    env = {**airflow_env, "AIRFLOW_CONN_AUTONEWS_WAREHOUSE": dsn, "AUTONEWS_DEMO_URL": demo.url}
    first = run_airflow(env, "dags", "test", "autonews_daily", day.isoformat())
    assert first.returncode == 0, (first.stdout + first.stderr)[-4000:]
    (count, changed), stages = _counts(dsn)
    assert count == len(catalog.published_on(day))
    assert {s[1] for s in stages} == {"motorwire", "autoledger", "gearbox"}
    assert all(s[3] == "success" for s in stages)
    with psycopg.connect(dsn) as conn:  # the enrich task ran over the day's articles
        enriched = conn.execute("SELECT status, counts ->> 'enriched' FROM pipeline_runs "
                                "WHERE stage = 'enrich'").fetchall()
    assert enriched == [("success", str(count))]
    # the report task writes the run's page and says where
    page = Path(env["AUTONEWS_HOME"]) / "reports" / f"autonews-report-{day}.html"
    assert page.stat().st_size > 10_000
    assert f"report page of {day}: {page}" in first.stdout + first.stderr

    # an Airflow Variable moves the pages (here from the environment, as Airflow reads them)
    env["AIRFLOW_VAR_AUTONEWS_REPORTS_DIR"] = str(tmp_path / "shared")
    second = run_airflow(env, "dags", "test", "autonews_daily", day.isoformat())
    assert second.returncode == 0, (second.stdout + second.stderr)[-4000:]
    assert (tmp_path / "shared" / page.name).exists()
    (count2, changed2), stages2 = _counts(dsn)
    assert (count2, changed2) == (count, changed)
    latest_run = max(s[0] for s in stages2)
    loads = [s[4] for s in stages2 if s[0] == latest_run]
    assert sum(c["inserted"] + c["updated"] for c in loads) == 0
    assert sum(c["unchanged"] for c in loads) == count


def test_dag_test_of_a_ccnews_backfill_loads_and_enriches_the_days(airflow_env, dsn, demo):
    """The demo site's own CC-NEWS-like archive, planned, imported file by file (mapped),
    loaded per day and source, then enriched."""
    day = catalog.latest_day()
    env = {**airflow_env, "AIRFLOW_CONN_AUTONEWS_WAREHOUSE": dsn, "AUTONEWS_DEMO_URL": demo.url,
           "AUTONEWS_CCNEWS_BASE_URL": f"{demo.url}/ccnews"}
    conf = json.dumps({"from": str(day), "to": str(day)})
    done = run_airflow(env, "dags", "test", "autonews_ccnews_backfill", "-c", conf)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    with psycopg.connect(dsn) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        files = conn.execute("SELECT status, count(*) FROM archive_files GROUP BY status"
                             ).fetchall()
        stages = conn.execute("SELECT stage, status, count(*) FROM pipeline_runs "
                              "WHERE trigger = 'ccnews' GROUP BY stage, status").fetchall()
        enriched = conn.execute("SELECT status, counts ->> 'enriched' FROM pipeline_runs "
                                "WHERE stage = 'enrich'").fetchall()
    assert articles == len(catalog.published_on(day))
    assert [status for status, _ in files] == ["done"]
    sources = len(catalog.SOURCES)
    assert sorted(stages) == sorted([*((stage, "success", sources) for stage in
                                       ("crawl", "clean", "gate", "load")),
                                     ("enrich", "success", 1)])
    assert enriched == [("success", str(articles))]

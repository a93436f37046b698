"""The run's report (what the daily DAG's `report` task logs, keeps as its XCom and fails
the run on): every source, and the enrich stage, whether it failed, never ran, or ran before
a load a recovery redid; clearing `enrich` is safe and completes the day."""

from __future__ import annotations

import psycopg
import pytest

from autonews.core import Stage, StageFailed, Status, Window
from autonews.demo import catalog
from autonews.jobs import enrich_window
from autonews.reports import RunReport, build_report
from autonews.sources import DEMO_SOURCES, load_sources
from tests.demo_warehouse import DEMO_BASE, load_demo_day
from warehouse import runs
from warehouse.connection import connect

DAY = catalog.latest_day()
SOURCES = {s.id: s for s in load_sources(DEMO_SOURCES, {"demo_url": DEMO_BASE})}
RUN = "scheduled__recovery"
WINDOW = Window.for_day(DAY)


def _load(dsn: str, *source_ids: str) -> None:
    for source_id in source_ids:
        load_demo_day(dsn, SOURCES[source_id], DAY, RUN, DEMO_BASE)


def _report(dsn: str) -> RunReport:
    return build_report(dsn, RUN, WINDOW, enrich_expected=True)


def _enriched(dsn: str) -> dict[str, int]:
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute(
            "SELECT a.source_id, count(*) FROM article_enrichments e "
            "JOIN articles a USING (url_hash) GROUP BY a.source_id").fetchall())


def test_a_day_loaded_and_enriched_is_reported_ok_with_the_enrich_counts(dsn):
    _load(dsn, "motorwire", "autoledger")
    result = enrich_window(dsn, WINDOW, RUN, trigger="airflow")
    report = _report(dsn)
    assert report.ok and report.failure() is None
    summary = report.as_dict()
    assert set(summary["sources"]) == {"motorwire", "autoledger"}
    assert summary["enrich"]["*"]["status"] == "success"
    assert summary["enrich"]["*"]["enriched"] == result.enriched > 0
    assert f"{WINDOW} enrich (*): success, articles={result.articles}" in report.lines()[-1]


def test_a_failed_enrich_fails_the_run_and_says_why(dsn):
    _load(dsn, "motorwire")
    with connect(dsn) as conn:  # as the stage records a failure
        runs.start_stage(conn, RUN, "*", Stage.ENRICH, WINDOW, "airflow")
        runs.finish_stage(conn, RUN, "*", Stage.ENRICH, Status.FAILED, {},
                          "OperationalError: the warehouse went away")
    report = _report(dsn)
    assert not report.ok and report.as_dict()["ok"] is False
    assert report.failure() == "failed: enrich (OperationalError: the warehouse went away)"
    assert report.as_dict()["enrich"]["*"]["error"] == \
        "OperationalError: the warehouse went away"
    with pytest.raises(StageFailed, match="enrich"):
        report.raise_if_failed()


def test_an_enrich_killed_before_it_recorded_its_end_is_a_failure(dsn):
    _load(dsn, "motorwire")
    with connect(dsn) as conn:  # the task was killed: its row stays `running`
        runs.start_stage(conn, RUN, "*", Stage.ENRICH, WINDOW, "airflow")
    report = _report(dsn)
    assert report.failure() == "failed: enrich (running)"
    assert "FAILED did not finish" in report.lines()[-1]


def test_an_enrich_that_recorded_nothing_fails_the_dags_run_not_a_cli_report(dsn):
    _load(dsn, "motorwire")
    failure = _report(dsn).failure() or ""
    assert failure.startswith("failed: enrich (no result recorded: the task failed before "
                              "it started")
    assert any("FAILED enrich (no result recorded" in line for line in _report(dsn).lines())
    # a run without an enrich stage (the report of any run id) is not blamed for it
    assert build_report(dsn, RUN, WINDOW).failure() is None


def test_a_recovered_load_after_enrich_fails_the_run_until_enrich_is_cleared(dsn):
    # the run: motorwire loads, autoledger's crawl fails, enrich runs on what loaded
    _load(dsn, "motorwire")
    first = enrich_window(dsn, WINDOW, RUN, trigger="airflow")
    assert set(_enriched(dsn)) == {"motorwire"}
    # the recovery clears autoledger's tasks only (`--only-failed`): it loads after enrich
    _load(dsn, "autoledger")
    report = _report(dsn)
    assert report.failure() == ("failed: enrich (ran before the load of autoledger finished: "
                                "clear enrich so that the new articles are enriched)")
    assert report.as_dict()["ok"] is False
    # clearing enrich: the new articles are enriched, the others skipped, one row
    again = enrich_window(dsn, WINDOW, RUN, trigger="airflow")
    loaded = _articles(dsn)
    assert _enriched(dsn) == loaded
    assert again.enriched == loaded["autoledger"]
    assert again.skipped == first.enriched == loaded["motorwire"]
    assert _report(dsn).ok
    # and clearing it once more changes nothing: every article skipped, no story moved
    stories = _stories(dsn)
    third = enrich_window(dsn, WINDOW, RUN, trigger="airflow")
    assert (third.enriched, third.skipped, third.story_changes) == (0, sum(loaded.values()), 0)
    assert _stories(dsn) == stories and _enriched(dsn) == loaded
    with connect(dsn) as conn:
        [(scope, row)] = runs.stage_outcomes(conn, RUN, Stage.ENRICH)
        attempts = conn.execute("SELECT attempts FROM pipeline_runs WHERE run_id = %s "
                                "AND stage = 'enrich'", (RUN,)).fetchone()[0]
    assert (scope, row.status, attempts) == ("*", Status.SUCCESS, 3)
    assert _report(dsn).ok


def _articles(dsn: str) -> dict[str, int]:
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute(
            "SELECT source_id, count(*) FROM articles GROUP BY source_id").fetchall())


def _stories(dsn: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT url_hash, story_id FROM article_enrichments "
                            "ORDER BY url_hash").fetchall()

"""Rerunning a stage of a run is always safe: a gate cleared after a threshold change loads
the day it refused, a load cleared after its success keeps the run's counts, and a load
that would pass on nothing fails instead (the stages as the DAG's tasks call them)."""

from __future__ import annotations

import threading

import psycopg
import pytest

from autonews.core import (
    GateFailed,
    Settings,
    SiteBusy,
    Stage,
    StageInputMissing,
    Status,
    Window,
)
from autonews.demo import catalog
from autonews.jobs import clean_source, crawl_source, gate_source, load_source
from autonews.jobs.day import prepare_warehouse
from autonews.sources import DEMO_SOURCES, load_sources
from tests.demo_warehouse import DEMO_BASE, store_demo_pages
from warehouse import runs
from warehouse.connection import connect
from warehouse.locks import site_lock

DAY = catalog.latest_day()
WINDOW = Window.for_day(DAY)
SOURCE = next(s for s in load_sources(DEMO_SOURCES, {"demo_url": DEMO_BASE})
              if s.id == "motorwire")
EXPECTED = len(catalog.published_on(DAY, "motorwire"))


def _settings(tmp_path, quality: str) -> Settings:
    path = tmp_path / "quality.toml"
    path.write_text(quality)
    return Settings(quality_file=path)


STRICT = "[default]\nmax_reject_rate = 0.0\n"  # the day's gallery page is a reject
NORMAL = "[default]\n"


def _crawled_and_cleaned(dsn: str, run_id: str) -> None:
    with connect(dsn) as conn:
        runs.start_stage(conn, run_id, "motorwire", Stage.CRAWL, WINDOW, "test")
        crawl = store_demo_pages(dsn, SOURCE, DAY, run_id, DEMO_BASE)
        runs.finish_stage(conn, run_id, "motorwire", Stage.CRAWL, Status.SUCCESS,
                          crawl.to_counts())
    clean_source(dsn, SOURCE, WINDOW, run_id, trigger="test")


def _articles(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT count(*) FROM articles WHERE source_id = 'motorwire' "
                            "AND published_at >= %s AND published_at < %s",
                            WINDOW.bounds).fetchone()[0]


def _stage(dsn: str, run_id: str, stage: Stage) -> runs.StageRow:
    with connect(dsn) as conn:
        row = runs.stage_row(conn, run_id, "motorwire", stage)
    assert row is not None
    return row


def test_a_gate_cleared_after_a_threshold_change_loads_the_day_it_refused(dsn, tmp_path):
    _crawled_and_cleaned(dsn, "r1")
    with pytest.raises(GateFailed, match="reject_rate"):
        gate_source(dsn, "motorwire", WINDOW, "r1", settings=_settings(tmp_path, STRICT))
    # the load cannot be talked into loading a refused day (e.g. the gate marked success)
    with pytest.raises(GateFailed, match="not loaded, the quality gate of run r1 is failed"):
        load_source(dsn, "motorwire", WINDOW, "r1")
    assert _articles(dsn) == 0
    # clearing the gate alone with the old thresholds: the same verdict, nothing lost
    with pytest.raises(GateFailed):
        gate_source(dsn, "motorwire", WINDOW, "r1", settings=_settings(tmp_path, STRICT))
    # the threshold fixed, the gate cleared: it passes and the load finds its rows
    gate_source(dsn, "motorwire", WINDOW, "r1", settings=_settings(tmp_path, NORMAL))
    loaded = load_source(dsn, "motorwire", WINDOW, "r1")
    assert loaded.inserted == EXPECTED == _articles(dsn)
    assert _stage(dsn, "r1", Stage.LOAD).status is Status.SUCCESS


def test_a_load_cleared_after_its_success_keeps_the_run_counts(dsn, tmp_path):
    _crawled_and_cleaned(dsn, "r2")
    gate_source(dsn, "motorwire", WINDOW, "r2", settings=_settings(tmp_path, NORMAL))
    first = load_source(dsn, "motorwire", WINDOW, "r2")
    assert first.inserted == EXPECTED
    again = load_source(dsn, "motorwire", WINDOW, "r2")  # nothing staged any more
    row = _stage(dsn, "r2", Stage.LOAD)
    assert again == first
    assert row.counts == {"inserted": EXPECTED, "updated": 0, "unchanged": 0, "foreign": 0}
    assert row.status is Status.SUCCESS and _articles(dsn) == EXPECTED


def test_a_run_redone_from_its_clean_adds_to_the_counts_it_had(dsn, tmp_path):
    settings = _settings(tmp_path, NORMAL)
    _crawled_and_cleaned(dsn, "r3")
    gate_source(dsn, "motorwire", WINDOW, "r3", settings=settings)
    load_source(dsn, "motorwire", WINDOW, "r3")
    clean_source(dsn, SOURCE, WINDOW, "r3", trigger="test")  # cleared from the clean down
    with pytest.raises(GateFailed, match="ran again after its quality gate"):
        load_source(dsn, "motorwire", WINDOW, "r3")  # the gate has not judged it yet
    gate_source(dsn, "motorwire", WINDOW, "r3", settings=settings)
    redone = load_source(dsn, "motorwire", WINDOW, "r3")
    # the articles this run inserted stay counted as inserted, not "unchanged"
    assert (redone.inserted, redone.updated, redone.unchanged) == (EXPECTED, 0, 0)
    assert _articles(dsn) == EXPECTED


def test_a_load_whose_staged_rows_are_gone_fails_instead_of_loading_nothing(dsn, tmp_path):
    _crawled_and_cleaned(dsn, "r4")
    gate_source(dsn, "motorwire", WINDOW, "r4", settings=_settings(tmp_path, NORMAL))
    with psycopg.connect(dsn) as conn:  # as if the run's preparation had dropped them
        conn.execute("UPDATE pipeline_runs SET finished_at = now() - interval '15 days' "
                     "WHERE run_id = 'r4' AND stage = 'clean'")
    prepare_warehouse(dsn)
    with pytest.raises(StageInputMissing, match=f"staged {EXPECTED} articles but none"):
        load_source(dsn, "motorwire", WINDOW, "r4")
    assert _stage(dsn, "r4", Stage.LOAD).status is Status.FAILED
    assert _articles(dsn) == 0


def test_staged_rows_of_a_refused_day_wait_two_weeks_for_a_recovery(dsn, tmp_path):
    _crawled_and_cleaned(dsn, "r5")
    prepare_warehouse(dsn)  # a later run's preparation: the recent rows stay
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM staged_articles").fetchone()[0] == EXPECTED


def test_a_gate_with_no_clean_to_judge_says_to_rerun_the_clean(dsn, tmp_path):
    with pytest.raises(StageInputMissing, match="no clean stage recorded.*rerun from the "
                                                "clean"):
        gate_source(dsn, "motorwire", WINDOW, "r6", settings=_settings(tmp_path, NORMAL))


def test_a_crawl_gives_up_waiting_for_a_busy_site_with_site_busy(dsn):
    held, release = threading.Event(), threading.Event()

    def other_crawl() -> None:
        with connect(dsn) as conn, site_lock(conn, "motorwire", wait_seconds=5):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=other_crawl)
    holder.start()
    try:
        assert held.wait(10)
        with pytest.raises(SiteBusy, match="motorwire: another crawl holds the site lock"):
            crawl_source(dsn, SOURCE, WINDOW, "r7", lock_wait=0.5)
    finally:
        release.set()
        holder.join()
    row = _stage(dsn, "r7", Stage.CRAWL)
    assert row.status is Status.FAILED and "holds the site lock" in (row.error or "")

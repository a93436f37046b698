"""Warehouse and process faults: an absent database, a killed crawl, a killed clean, an
unwritable or full data directory. Clear errors, non-zero exits, nothing lost on rerun."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import psycopg
import pytest

from autonews.core import StageFailed, Window
from autonews.demo import catalog
from autonews.jobs import clean, clean_source, crawl_source, run_source
from tests.helpers import autonews

pytestmark = pytest.mark.e2e

DAY = Window.for_day(catalog.latest_day())


def test_run_with_the_database_absent_is_one_line_and_exit_3(tmp_path):
    env = {**os.environ, "AUTONEWS_DSN": "postgresql://postgres@127.0.0.1:1/none",
           "AUTONEWS_HOME": str(tmp_path)}
    done = autonews(env, "run", "--demo", "--demo-port", "0")
    assert done.returncode == 3
    assert done.stderr.count("\n") <= 3 and "cannot connect to the warehouse" in done.stderr
    assert "Traceback" not in done.stderr


def _kill_crawler_when(dsn: str, ready: str, stop: threading.Event) -> None:
    """Poll the warehouse; SIGKILL the Scrapy subprocess once `ready` returns a row."""
    while not stop.is_set():
        with psycopg.connect(dsn) as conn:
            if conn.execute(ready).fetchone():
                break
        time.sleep(0.05)
    for child in psutil.Process().children(recursive=True):
        if "scrapers.run" in " ".join(child.cmdline()):
            child.kill()


def test_a_crawl_killed_midway_is_finished_by_the_rerun_without_refetching(dsn, demo,
                                                                           demo_sources):
    demo.faults.set(["slow:autoledger"])
    source = demo_sources["autoledger"]
    stop = threading.Event()
    killer = threading.Thread(target=_kill_crawler_when, args=(
        dsn, "SELECT 1 FROM raw_pages WHERE kind = 'article' AND outcome = 'fetched'", stop))
    killer.start()
    try:
        with pytest.raises(StageFailed, match="exited with code -9"):
            crawl_source(dsn, source, DAY, "killed")
    finally:
        stop.set()
        killer.join()
    with psycopg.connect(dsn) as conn:
        before = {u for (u,) in conn.execute(
            "SELECT url FROM raw_pages WHERE kind = 'article' AND outcome = 'fetched'")}
        status = conn.execute("SELECT status FROM pipeline_runs WHERE run_id = 'killed'"
                              ).fetchone()
    assert before and status == ("failed",)

    demo.faults.clear()
    result = run_source(dsn, source, DAY, "rerun")
    assert result.ok, result.error
    with psycopg.connect(dsn) as conn:
        refetched = {u for (u,) in conn.execute(
            "SELECT url FROM raw_pages WHERE run_id = 'rerun' AND outcome = 'fetched'")}
        per_url = conn.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM raw_pages "
                               "WHERE outcome = 'fetched' AND kind = 'article' "
                               "GROUP BY url) x").fetchone()[0]
        articles = conn.execute("SELECT count(*), count(DISTINCT canonical_url) FROM articles"
                                ).fetchone()
    assert not refetched & before  # what the killed crawl got is not fetched again
    assert per_url == 1
    expected = len(catalog.published_on(catalog.latest_day(), "autoledger"))
    assert articles == (expected, expected)


def test_a_clean_interrupted_midway_stages_nothing_and_the_rerun_completes(dsn, demo_sources,
                                                                           monkeypatch):
    source = demo_sources["motorwire"]
    crawl_source(dsn, source, DAY, "c1")
    real = clean._outcome  # the clean's step for each extracted page, in page order
    calls = {"n": 0}

    def dies_on_second_page(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(clean, "_outcome", dies_on_second_page)
    with pytest.raises(KeyboardInterrupt):
        clean_source(dsn, source, DAY, "c1")
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM staged_articles").fetchone() == (0,)
        assert conn.execute("SELECT status FROM pipeline_runs WHERE stage = 'clean'"
                            ).fetchone() == ("failed",)
    monkeypatch.setattr(clean, "_outcome", real)
    result = run_source(dsn, source, DAY, "c1")
    assert result.ok and result.load.inserted == len(
        catalog.published_on(catalog.latest_day(), "motorwire"))


def test_an_unwritable_data_directory_is_refused_clearly(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    env = {**os.environ, "AUTONEWS_HOME": str(blocker / "home")}
    env.pop("AUTONEWS_DSN", None)
    done = autonews(env, "db", "migrate")
    assert done.returncode == 3
    assert "is not writable" in done.stderr and "AUTONEWS_HOME" in done.stderr


@pytest.fixture
def tiny_disk():
    # under a folder the embedded server's user can reach when the tests run as root
    # (pytest's own tmp_path is 0700, and nothing outside AUTONEWS_HOME is opened up)
    import tempfile

    mount = Path(tempfile.mkdtemp(prefix="autonews-tiny-"))
    mount.chmod(0o755)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a small tmpfs to fill up ({done.stderr.strip()})")
    mount.chmod(0o777)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)
    mount.rmdir()


def test_a_full_disk_for_the_embedded_database_is_a_clear_error(tiny_disk):
    env = {**os.environ, "AUTONEWS_HOME": str(tiny_disk / "home")}
    env.pop("AUTONEWS_DSN", None)
    done = autonews(env, "db", "migrate", timeout=120)
    assert done.returncode == 3
    assert "could not start the embedded PostgreSQL" in done.stderr
    assert "MB free" in done.stderr
    # nothing half-done: no half-initialised database is left to trip the next run
    assert not (tiny_disk / "home" / "pgdata" / "PG_VERSION").exists()


def test_soak_of_the_last_four_days_with_faults_loses_nothing(dsn):
    """bench/soak.py on 4 days (a site down, a broken template, the fault lab)."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([str(Path(sys.executable)), str(root / "bench" / "soak.py"),
                           "--days", "4", "--dsn", dsn], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "all checks hold" in done.stdout
    assert "rerun" in done.stdout  # the down day and the broken-template day were rerun

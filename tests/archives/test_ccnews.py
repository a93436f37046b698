"""CC-NEWS backfills against a CC-NEWS-shaped archive of the demo served on 127.0.0.1: file
choice by capture time and lag, a failed file retried by the next run, and a backfill
killed mid-way that resumes at the next unfinished file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from autonews.archives.ccnews import (
    CCNewsError,
    CCNewsFile,
    ccnews_backfill,
    choose_files,
    day_window,
    parse_params,
)
from autonews.demo import catalog
from autonews.demo.archive import capture_lag
from autonews.sources import DEMO_SOURCES
from tests.archives.conftest import articles, count, write_ccnews

FIRST, LAST = date(2026, 11, 11), date(2026, 11, 13)
DAYS = tuple(FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1))
AUTONEWS = Path(sys.executable).with_name("autonews")


def _expected(base: str, days: tuple[date, ...] = DAYS) -> set[str]:
    return {base + a.path for day in days for a in catalog.published_on(day)}


def _urls(dsn: str) -> set[str]:
    return {row[2] for row in articles(dsn, DAYS).values()}


def _file(stamp: str) -> CCNewsFile:
    starts = datetime.strptime(stamp, "%Y%m%d%H").replace(tzinfo=UTC)
    return CCNewsFile(f"crawl-data/CC-NEWS/x/CC-NEWS-{starts:%Y%m%d%H%M%S}-00001.warc.gz",
                      starts)


def test_files_are_chosen_by_capture_time_and_lag():
    files = [_file(s) for s in ("2026110918", "2026111006", "2026111106", "2026111118",
                                "2026111212", "2026111300", "2026111406", "2026111600")]
    window = day_window(date(2026, 11, 11), date(2026, 11, 12))
    names = [f.starts_at.strftime("%d%H") for f in choose_files(files, window, 0)]
    # the file started on the 10th runs into the 11th; the one of the 13th is too late
    assert names == ["1006", "1106", "1118", "1212"]
    with_lag = [f.starts_at.strftime("%d%H") for f in choose_files(files, window, 2)]
    assert with_lag == ["1006", "1106", "1118", "1212", "1300", "1406"]


@pytest.mark.parametrize(("params", "message"), [
    ({"to": "2026-11-12"}, "param 'from' is required"),
    ({"from": "2026-11-13", "to": "2026-11-12"}, "is after 'to'"),
    ({"from": "12/11/2026", "to": "2026-11-12"}, "is not a date"),
    ({"from": "2015-01-01", "to": "2015-01-02"}, "before CC-NEWS began"),
    ({"from": "2026-11-12", "to": "2999-01-01"}, "is in the future"),
])
def test_dag_params_are_checked(params, message):
    with pytest.raises(CCNewsError, match=message):
        parse_params(params, date(2026, 12, 1))


def test_backfill_imports_the_window_and_a_failed_file_is_retried_next_time(
        dsn, demo, demo_sources, file_server):
    paths = write_ccnews(file_server.root, demo.url)
    sources = list(demo_sources.values())
    hidden = file_server.root / next(p for p in paths if "CC-NEWS-20261112000000" in p)
    kept = hidden.read_bytes()
    hidden.unlink()  # the archive fails to serve one file
    first = ccnews_backfill(dsn, sources, FIRST, LAST, base_url=file_server.url, lag_days=3)
    missing = hidden.relative_to(file_server.root).as_posix()
    assert not first.ok and "HTTP 404" in first.errors[missing]
    # the month before is listed too (its last file may run into the window); absent: fine
    assert "/crawl-data/CC-NEWS/2026/10/warc.paths.gz" in file_server.requests
    planned = [f.path for f in first.plan.files]
    assert first.plan.files[0].starts_at <= first.plan.window.start
    assert first.plan.files[-1].starts_at < first.plan.window.end + timedelta(days=3)
    assert count(dsn, "SELECT count(*) FROM archive_files WHERE status = 'done'") \
        == len(planned) - 1
    file_server.requests.clear()
    hidden.write_bytes(kept)
    second = ccnews_backfill(dsn, sources, FIRST, LAST, base_url=file_server.url, lag_days=3)
    assert second.ok, second.errors
    fetched = [p for p in file_server.requests if p.endswith(".warc.gz")]
    assert fetched == ["/" + missing]  # the done files are not read again
    assert _urls(dsn) == _expected(demo.url)
    assert second.plan.run_id == first.plan.run_id  # the same backfill, resumed


def test_no_lag_misses_the_pages_captured_after_the_window(dsn, demo, demo_sources,
                                                          file_server):
    write_ccnews(file_server.root, demo.url)
    end = datetime(LAST.year, LAST.month, LAST.day, tzinfo=UTC) + timedelta(days=1)
    late = {demo.url + a.path for a in catalog.published_on(LAST)
            if a.published_utc + capture_lag(a) >= end}
    assert late, "the demo archive should capture some of the last day's pages the day after"
    report = ccnews_backfill(dsn, list(demo_sources.values()), FIRST, LAST,
                             base_url=file_server.url, lag_days=0)
    assert report.ok
    assert _urls(dsn) == _expected(demo.url) - late


def test_a_killed_backfill_resumes_at_the_next_unfinished_file(dsn, demo, file_server,
                                                               tmp_path):
    paths = write_ccnews(file_server.root, demo.url)
    sources = tmp_path / "sources.toml"
    sources.write_text(DEMO_SOURCES.read_text().replace("{demo_url}", demo.url))
    env = {**os.environ, "AUTONEWS_DSN": dsn, "AUTONEWS_HOME": str(tmp_path / "home"),
           "AUTONEWS_CCNEWS_BASE_URL": file_server.url, "AUTONEWS_CCNEWS_LAG_DAYS": "3"}
    command = [str(AUTONEWS), "backfill", "--ccnews", "--from", str(FIRST), "--to",
               str(LAST), "--sources", str(sources), "--json"]
    file_server.throttle(0.3)  # each file takes a while: time to kill in the middle
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        # killed while reading its third file (or a later one)
        if count(dsn, "SELECT count(*) FROM archive_files WHERE status = 'done'") >= 2 and \
                count(dsn, "SELECT count(*) FROM archive_files WHERE status = 'running'"):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the backfill ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    done_before = {row for row in _done_files(dsn)}
    assert 2 <= len(done_before) < len(paths)
    assert count(dsn, "SELECT count(*) FROM archive_files WHERE status = 'running'") == 1
    file_server.throttle(0)
    file_server.requests.clear()
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    reread = {p.lstrip("/") for p in file_server.requests if p.endswith(".warc.gz")}
    assert not reread & done_before  # finished files are not read again
    assert count(dsn, "SELECT count(*) FROM archive_files WHERE status <> 'done'") == 0
    assert _urls(dsn) == _expected(demo.url)
    # the file read twice (killed, then resumed) stored each page once
    assert count(dsn, "SELECT count(*) FROM raw_pages") == count(
        dsn, "SELECT count(DISTINCT (url_hash, content_hash)) FROM raw_pages")


def _done_files(dsn: str) -> list[str]:
    import psycopg

    with psycopg.connect(dsn) as conn:
        return [r[0] for r in conn.execute(
            "SELECT warc_file FROM archive_files WHERE status = 'done'").fetchall()]

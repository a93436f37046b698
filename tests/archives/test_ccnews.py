"""CC-NEWS backfills against a CC-NEWS-shaped archive of the demo served on 127.0.0.1: file
choice by capture time and lag, a failed file retried by the next run, and a backfill
killed mid-way that resumes at the next unfinished file."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from autonews.archives.ccnews import CCNewsFile, ccnews_backfill, choose_files, parse_params
from autonews.core import BadInput, Settings, Window
from autonews.demo import catalog
from autonews.demo.archive import capture_lag
from autonews.sources import DEMO_SOURCES
from tests.archives.warcs import BASE, articles, count, write_ccnews
from tests.helpers import AUTONEWS

FIRST, LAST = date(2026, 11, 11), date(2026, 11, 13)
WINDOW = Window.days(FIRST, LAST)
DAYS = tuple(WINDOW.dates())


def _expected(days: tuple[date, ...] = DAYS) -> set[str]:
    return {BASE + a.path for day in days for a in catalog.published_on(day)}


def _urls(dsn: str) -> set[str]:
    return {row[2] for row in articles(dsn, DAYS).values()}


def _file(stamp: str) -> CCNewsFile:
    starts = datetime.strptime(stamp, "%Y%m%d%H").replace(tzinfo=UTC)
    return CCNewsFile(f"crawl-data/CC-NEWS/x/CC-NEWS-{starts:%Y%m%d%H%M%S}-00001.warc.gz",
                      starts)


def _done_files(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {r[0] for r in conn.execute(
            "SELECT warc_file FROM archive_files WHERE status = 'done'").fetchall()}


def test_files_are_chosen_by_capture_time_and_lag():
    files = [_file(s) for s in ("2026110918", "2026111006", "2026111106", "2026111118",
                                "2026111212", "2026111300", "2026111406", "2026111600")]
    window = Window.days(date(2026, 11, 11), date(2026, 11, 12))
    names = [f.starts_at.strftime("%d%H") for f in choose_files(files, window, 0)]
    # the file started on the 10th runs into the 11th; the one of the 13th is too late
    assert names == ["1006", "1106", "1118", "1212"]
    with_lag = [f.starts_at.strftime("%d%H") for f in choose_files(files, window, 2)]
    assert with_lag == ["1006", "1106", "1118", "1212", "1300", "1406"]


@pytest.mark.parametrize(("params", "message"), [
    ({"to": "2026-11-12"}, "param 'from' is required"),
    ({"from": "2026-11-13", "to": "2026-11-12"}, "is after 'to'"),
    ({"from": "12/11/2026", "to": "2026-11-12"}, "param 'from' '12/11/2026' is not a date"),
    ({"from": "2015-01-01", "to": "2015-01-02"}, "before CC-NEWS began"),
    ({"from": "2026-11-12", "to": "2999-01-01"}, "param 'to' 2999-01-01 is in the future"),
])
def test_dag_params_are_checked(params, message):
    with pytest.raises(BadInput, match=message):
        parse_params(params, date(2026, 12, 1))


def test_dag_params_give_the_window_and_the_source():
    window, source = parse_params({"from": "2026-11-11", "to": "2026-11-13",
                                   "source": "gearbox"}, date(2026, 12, 1))
    assert window == WINDOW and source == "gearbox"
    assert parse_params({"from": "2026-11-11", "to": "2026-11-11"}, date(2026, 12, 1))[1] is None


def test_backfill_imports_the_window_and_a_failed_file_is_retried_next_time(
        dsn, archived_sources, file_server):
    paths = write_ccnews(file_server.root)
    sources = list(archived_sources.values())
    settings = Settings(ccnews_base_url=file_server.url, ccnews_lag_days=3)
    hidden = file_server.root / next(p for p in paths if "CC-NEWS-20261112000000" in p)
    kept = hidden.read_bytes()
    hidden.unlink()  # the archive fails to serve one file
    first = ccnews_backfill(dsn, sources, WINDOW, settings)
    missing = hidden.relative_to(file_server.root).as_posix()
    assert not first.ok and "HTTP 404" in first.errors[missing]
    # the month before is listed too (its last file may run into the window); absent: fine
    assert "/crawl-data/CC-NEWS/2026/10/warc.paths.gz" in file_server.requests
    planned = [f.path for f in first.plan.files]
    assert first.plan.files[0].starts_at <= first.plan.window.start
    assert first.plan.files[-1].starts_at < first.plan.window.end + timedelta(days=3)
    assert count(dsn, "SELECT count(*) FROM archive_files WHERE status = 'done'") \
        == len(planned) - 1
    assert count(dsn, "SELECT count(DISTINCT run_id) FROM pipeline_runs "
                 "WHERE trigger = 'ccnews'") == len(DAYS)  # one run per day
    file_server.requests.clear()
    hidden.write_bytes(kept)
    second = ccnews_backfill(dsn, sources, WINDOW, settings)
    assert second.ok, second.errors
    fetched = [p for p in file_server.requests if p.endswith(".warc.gz")]
    assert fetched == ["/" + missing]  # the done files are not read again
    assert _urls(dsn) == _expected()
    assert second.plan.run_id == first.plan.run_id  # the same backfill, resumed


def test_no_lag_misses_the_pages_captured_after_the_window(dsn, archived_sources,
                                                          file_server):
    write_ccnews(file_server.root)
    late = {BASE + a.path for a in catalog.published_on(LAST)
            if a.published_utc + capture_lag(a) >= WINDOW.end}
    assert late, "the demo archive should capture some of the last day's pages the day after"
    report = ccnews_backfill(dsn, list(archived_sources.values()), WINDOW,
                             Settings(ccnews_lag_days=3), base_url=file_server.url,
                             lag_days=0)  # the arguments win over the settings
    assert report.ok and report.plan.lag_days == 0
    assert _urls(dsn) == _expected() - late


def test_an_archive_without_files_for_the_window_is_bad_input(dsn, archived_sources,
                                                             file_server):
    write_ccnews(file_server.root)
    with pytest.raises(BadInput, match="lists no file for 2025-03-01..2025-03-02"):
        ccnews_backfill(dsn, list(archived_sources.values()),
                        Window.days(date(2025, 3, 1), date(2025, 3, 2)),
                        Settings(ccnews_base_url=file_server.url))


@pytest.mark.e2e
def test_a_killed_backfill_resumes_at_the_next_unfinished_file(dsn, file_server, tmp_path):
    paths = write_ccnews(file_server.root)
    sources = tmp_path / "sources.toml"
    sources.write_text(DEMO_SOURCES.read_text().replace("{demo_url}", BASE))
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
    done_before = _done_files(dsn)
    assert 2 <= len(done_before) < len(paths)
    assert count(dsn, "SELECT count(*) FROM archive_files WHERE status = 'running'") == 1
    file_server.throttle(0)
    file_server.requests.clear()
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    reread = {p.lstrip("/") for p in file_server.requests if p.endswith(".warc.gz")}
    assert not reread & done_before  # finished files are not read again
    assert count(dsn, "SELECT count(*) FROM archive_files WHERE status <> 'done'") == 0
    assert _urls(dsn) == _expected()
    # the file read twice (killed, then resumed) stored each page once
    assert count(dsn, "SELECT count(*) FROM raw_pages") == count(
        dsn, "SELECT count(DISTINCT (url_hash, content_hash)) FROM raw_pages")

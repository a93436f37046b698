"""Kills, signals, dropped connections and a second run on a busy site, each reproduced on
a loopback site whose pages are slow: no crawler outlives its run, the lock belongs to the
crawler and survives an idle or terminated connection, a busy site is said so within a
bound, and what dead runs leave behind is reaped (issue 16, items 9 to 12)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import psutil
import psycopg
import pytest

from autonews.core import SiteBusy, Stage, Window
from autonews.demo.hostile import DAY, HostileSite, article_html, rss, sources_file
from autonews.jobs import clean_source, crawl_source, run_source
from tests.helpers import AUTONEWS, autonews
from warehouse import runs
from warehouse.locks import hold_stage, site_lock

pytestmark = pytest.mark.e2e
WINDOW = Window.for_day(DAY)
SLOW = 1.0  # seconds each article page waits before answering


def _slow_site(site: HostileSite, articles: int) -> list[str]:
    paths = [f"/news/story-number-{n}" for n in range(articles)]
    site.page("/feed", rss(site.url, paths), content_type="application/rss+xml")

    def slow_page(handler) -> None:
        time.sleep(SLOW)
        from autonews.demo.hostile import send

        send(handler, article_html(handler.path.rsplit("/", 1)[-1].replace("-", " ").title()))

    for path in paths:
        site.routes[path] = slow_page
    return paths


def _source(site: HostileSite, source_id: str = "slowsite", **settings: object):
    # a small delay: Scrapy 2.19 starts a burst of queued requests at once otherwise,
    # whatever CONCURRENT_REQUESTS_PER_DOMAIN says
    return site.source(source_id, feeds=(f"{site.url}/feed",),
                       crawl_settings={"CONCURRENT_REQUESTS_PER_DOMAIN": 1,
                                       "DOWNLOAD_DELAY": 0.05, **settings})


def _env(dsn: str, home: Path, sources: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "AUTONEWS_DSN": dsn, "AUTONEWS_HOME": str(home),
            "AUTONEWS_SOURCES": str(sources), **extra}


def _wait_for(dsn: str, query: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(dsn) as conn:
            if conn.execute(query).fetchone():
                return
        time.sleep(0.2)
    raise AssertionError(f"never true: {query}")


def _crawler(parent: psutil.Process) -> psutil.Process:
    for child in parent.children(recursive=True):
        if "scrapers.run" in " ".join(child.cmdline()):
            return child
    raise AssertionError("no crawl subprocess")


def _article_rows(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT count(*) FROM raw_pages WHERE kind = 'article'").fetchone()
    return int(row[0])


def _stages(dsn: str, run_like: str = "%") -> dict[str, tuple[str, str | None]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT stage, status, error FROM pipeline_runs WHERE run_id LIKE %s",
                            (run_like,)).fetchall()
    return {stage: (status, error) for stage, status, error in rows}


def _start_run(dsn: str, tmp_path: Path, site: HostileSite) -> subprocess.Popen[str]:
    sources = sources_file(tmp_path / "sources.toml", _source(site))
    proc = subprocess.Popen([str(AUTONEWS), "run", "--date", str(DAY)], text=True,
                            env=_env(dsn, tmp_path / "home", sources),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for(dsn, "SELECT 1 FROM raw_pages WHERE kind = 'article' AND run_id LIKE 'cli-%'")
    return proc


def test_a_killed_run_takes_its_crawler_along_and_frees_the_site(dsn, tmp_path):
    with HostileSite() as site:
        _slow_site(site, 40)
        proc = _start_run(dsn, tmp_path, site)
        crawler = _crawler(psutil.Process(proc.pid))
        proc.kill()  # SIGKILL: no handler runs in the parent
        proc.wait(timeout=10)
        crawler.wait(timeout=20)  # the kernel's parent-death signal ends it
        written = _article_rows(dsn)
        time.sleep(2 * SLOW)
        assert _article_rows(dsn) == written  # nobody writes any more
    with psycopg.connect(dsn) as conn, site_lock(conn, "slowsite", wait_seconds=5):
        pass  # the lock went with the crawler


def test_sigterm_ends_the_run_and_its_crawler_and_records_why(dsn, tmp_path):
    with HostileSite() as site:
        _slow_site(site, 40)
        proc = _start_run(dsn, tmp_path, site)
        crawler = _crawler(psutil.Process(proc.pid))
        proc.send_signal(signal.SIGTERM)  # as systemd, Kubernetes and `timeout` do
        _, stderr = proc.communicate(timeout=40)
        crawler.wait(timeout=5)
    assert proc.returncode == 128 + signal.SIGTERM, stderr[-2000:]
    stages = _stages(dsn)
    assert stages["crawl"][0] == "failed" and "SIGTERM" in (stages["crawl"][1] or "")
    assert {s for s, _ in stages.values()} == {"failed", "skipped"}


def test_a_busy_site_is_said_so_and_waited_for_only_so_long(dsn, tmp_path):
    with HostileSite() as site:
        _slow_site(site, 3)
        holder = psycopg.connect(dsn, application_name="test-holder", autocommit=True)
        try:
            with site_lock(holder, "slowsite", wait_seconds=0):
                started = time.monotonic()
                with pytest.raises(SiteBusy, match=r"slowsite: another crawl holds the site "
                                                   r"lock: test-holder") as busy:
                    crawl_source(dsn, _source(site), WINDOW, "second", lock_wait=2)
                assert time.monotonic() - started < 30
                assert busy.value.retryable
                env = _env(dsn, tmp_path, sources_file(tmp_path / "s.toml", _source(site)),
                           AUTONEWS_LOCK_WAIT="2")
                done = autonews(env, "run", "--date", str(DAY), "--json", timeout=120)
        finally:
            holder.close()
    assert done.returncode == 1
    assert "test-holder" in done.stdout and "waiting up to" in done.stderr
    assert _article_rows(dsn) == 0  # nothing fetched while another crawl held the site


def _database(dsn: str) -> str:
    return str(psycopg.conninfo.conninfo_to_dict(dsn)["dbname"])


def test_an_idle_session_timeout_shorter_than_the_crawl_loses_nothing(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("ALTER DATABASE {} SET idle_session_timeout = '2s'")
                     .format(psycopg.sql.Identifier(_database(dsn))))
    with HostileSite() as site:
        paths = _slow_site(site, 8)
        result = crawl_source(dsn, _source(site), WINDOW, "idle")
    assert result.fetched == len(paths)
    assert _stages(dsn, "idle")["crawl"] == ("success", None)


def test_terminated_backends_mid_crawl_are_reconnected_and_nothing_is_lost(dsn):
    stop = threading.Event()
    killed: list[int] = []

    def terminate_ours() -> None:
        while not stop.is_set():
            with psycopg.connect(dsn, autocommit=True) as conn:
                busy = conn.execute("SELECT 1 FROM raw_pages WHERE kind = 'article'").fetchone()
                if busy:
                    killed.extend(pid for (pid,) in conn.execute(
                        "SELECT pid FROM pg_stat_activity WHERE application_name LIKE "
                        "'autonews%%' AND pid <> pg_backend_pid() AND datname = %s",
                        (_database(dsn),)))
                    conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE pid = ANY(%s)", (killed,))
                    return
            time.sleep(0.2)

    with HostileSite() as site:
        paths = _slow_site(site, 8)
        killer = threading.Thread(target=terminate_ours)
        killer.start()
        try:
            result = crawl_source(dsn, _source(site), WINDOW, "terminated")
        finally:
            stop.set()
            killer.join()
    assert len(killed) >= 2  # the crawl's lock and store connections at least
    assert result.fetched == len(paths) and result.reconnects >= 2
    with psycopg.connect(dsn) as conn:
        stored = conn.execute("SELECT count(DISTINCT url) FROM raw_pages WHERE kind = 'article' "
                              "AND outcome = 'fetched'").fetchone()
    assert stored == (len(paths),)
    assert _stages(dsn, "terminated")["crawl"] == ("success", None)


def test_what_dead_runs_left_is_reaped_by_the_next_run_of_that_source_and_day(dsn, tmp_path):
    with HostileSite() as site:
        paths = _slow_site(site, 6)
        source = _source(site, CONCURRENT_REQUESTS_PER_DOMAIN=8, DOWNLOAD_DELAY=0)
        # a run killed mid-crawl, its crawl row left running
        killed = _start_run(dsn, tmp_path, site)
        killed.kill()
        killed.wait()
        # a run killed mid-load: crawl and clean done, load running when its process died
        crawl_source(dsn, source, WINDOW, "dead-run")
        clean_source(dsn, source, WINDOW, "dead-run")
        dying = psycopg.connect(dsn)
        runs.start_stage(dying, "dead-run", source.id, Stage.LOAD, WINDOW, "cli")
        hold_stage(dying, "dead-run", source.id, Stage.LOAD)
        dying.close()  # the process is gone: its connection with it
        with psycopg.connect(dsn) as conn:
            staged = conn.execute("SELECT count(*) FROM staged_articles WHERE run_id = "
                                  "'dead-run'").fetchone()
        assert staged == (len(paths),)
        assert {s for s, _ in _stages(dsn, "cli-%").values()} == {"running"}
        summary = run_source(dsn, source, WINDOW, "next-run")
    assert summary.ok, summary.error
    assert any("dead-run" in n and "load" in n for n in summary.notes), summary.notes
    assert any("staged articles" in n for n in summary.notes)
    assert _stages(dsn, "dead-run")["load"][0] == "failed"
    assert "abandoned" in (_stages(dsn, "dead-run")["load"][1] or "")
    assert {s for s, _ in _stages(dsn, "cli-%").values()} == {"failed"}
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT count(*) FROM staged_articles").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM pipeline_runs WHERE status = 'running'"
                            ).fetchone() == (0,)

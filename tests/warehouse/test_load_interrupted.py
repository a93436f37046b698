"""A load killed part-way (its backend terminated, or its worker process killed) leaves no
partial rows, keeps the staged batch, and a rerun completes it."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from transforms import Article, url_hash
from warehouse import loader, staging

ROOT = Path(__file__).resolve().parents[2]
PARAGRAPH = ("The plant will build the new battery modules from next spring, the company said, "
             "after a year of negotiations with the regional government and its suppliers. ")


def _article(n: int, edition: str = "") -> Article:
    body = f"{edition}Story {n}. " + PARAGRAPH * (20 + n % 30)  # 3-8 KB
    return Article(url=f"https://kill.example/{n}", canonical_url=f"https://kill.example/{n}",
                   title=f"Story {n}{edition}", body=body, authors=["Ana Ruiz"], language="en",
                   published_at=datetime(2026, 11, 13, tzinfo=UTC) + timedelta(seconds=n),
                   word_count=len(body.split()))


def _stage(dsn: str, run_id: str, articles: list[Article]) -> None:
    with psycopg.connect(dsn) as conn:
        staging.stage_articles(conn, run_id, "src",
                              [staging.staged_row(run_id, "src", a, None) for a in articles])


def _state(dsn: str) -> dict[str, object]:
    with psycopg.connect(dsn) as conn:
        return {
            "articles": conn.execute("SELECT url_hash, content_hash, title FROM articles "
                                     "ORDER BY 1").fetchall(),
            "versions": conn.execute("SELECT count(*) FROM article_versions").fetchone(),
        }


def _staged(dsn: str, run_id: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT count(*) FROM staged_articles WHERE run_id = %s",
                           (run_id,)).fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
def blocked_batch(dsn):
    """A loaded batch, a second batch staged (1,500 new articles, 10 changed), and a lock on
    a changed article that makes the second merge stop part-way until released."""
    first = [_article(n) for n in range(50)]
    _stage(dsn, "r1", first)
    with psycopg.connect(dsn) as conn:
        loader.merge_staged(conn, "r1", "src")
    changed = [_article(n, "Updated: ") for n in range(10)]
    _stage(dsn, "r2", [_article(n) for n in range(1000, 2500)] + changed)
    # the changed article the upsert reaches last, whether it reads in COPY or key order
    last = max(changed, key=lambda a: url_hash(a.canonical_url))
    blocker = psycopg.connect(dsn)
    # NO KEY UPDATE: lets the version rows' foreign-key checks pass, stops the upsert itself
    blocker.execute("SELECT 1 FROM articles WHERE canonical_url = %s FOR NO KEY UPDATE",
                    (last.canonical_url,))
    yield _state(dsn), blocker
    blocker.close()


def _written_bytes(dsn: str) -> int:
    """Bytes of `articles` and `article_versions` on disk, committed or not."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT pg_total_relation_size('articles') + "
                           "pg_total_relation_size('article_versions')").fetchone()
    return int(row[0]) if row else 0


def _wait_until_blocked(dsn: str, pid: int | None = None, app: str | None = None) -> int:
    """The pid of the merging backend once its upsert waits on the locked row (the version
    rows are written by then, and some articles inserted)."""
    with psycopg.connect(dsn, autocommit=True) as watcher:
        for _ in range(600):
            row = watcher.execute(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE %s AND (%s::int IS NULL OR pid = %s) "
                "AND (%s::text IS NULL OR application_name = %s)",
                ("%INSERT INTO articles%", pid, pid, app, app)).fetchone()
            if row:
                return int(row[0])
            time.sleep(0.05)
    raise AssertionError("the merge never reached the locked row")


def _rerun_completes(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        counts = loader.merge_staged(conn, "r2", "src")
    assert counts.to_counts() == {"inserted": 1500, "updated": 10, "unchanged": 0,
                                  "foreign": 0}
    state = _state(dsn)
    assert len(state["articles"]) == 1550 and state["versions"] == (10,)
    assert _staged(dsn, "r2") == 0


def test_a_merge_whose_backend_is_terminated_leaves_no_partial_rows(dsn, blocked_batch):
    before, blocker = blocked_batch
    conn = psycopg.connect(dsn)
    failure: list[BaseException] = []

    def merge() -> None:
        try:
            loader.merge_staged(conn, "r2", "src")
        except psycopg.Error as exc:
            failure.append(exc)

    size = _written_bytes(dsn)
    worker = threading.Thread(target=merge)
    worker.start()
    pid = _wait_until_blocked(dsn, pid=conn.info.backend_pid)
    assert _written_bytes(dsn) > size + 1_000_000  # mid-way: most new rows are written
    with psycopg.connect(dsn, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
    worker.join(timeout=60)
    blocker.rollback()
    conn.close()
    assert failure and isinstance(failure[0], psycopg.OperationalError)
    assert _state(dsn) == before
    assert _staged(dsn, "r2") == 1510
    _rerun_completes(dsn)


_WORKER = """
import sys
import psycopg
from warehouse import loader
with psycopg.connect(sys.argv[1], application_name="killed-load") as conn:
    loader.merge_staged(conn, "r2", "src")
"""


@pytest.mark.e2e  # a loader process, killed
def test_a_merge_whose_worker_process_is_killed_leaves_no_partial_rows(dsn, blocked_batch):
    before, blocker = blocked_batch
    size = _written_bytes(dsn)
    worker = subprocess.Popen([sys.executable, "-c", _WORKER, dsn], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        pid = _wait_until_blocked(dsn, app="killed-load")
        assert _written_bytes(dsn) > size + 1_000_000
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    # the orphaned backend goes on once the lock is free, then finds its client gone
    blocker.rollback()
    with psycopg.connect(dsn, autocommit=True) as watcher:
        for _ in range(600):
            if not watcher.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                                   (pid,)).fetchone():
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the killed worker's backend never ended")
    assert _state(dsn) == before
    assert _staged(dsn, "r2") == 1510
    _rerun_completes(dsn)


def test_the_changed_rows_get_version_rows_in_the_same_transaction(dsn):
    _stage(dsn, "r1", [_article(1), _article(2)])
    with psycopg.connect(dsn) as conn:
        loader.merge_staged(conn, "r1", "src")
    changed = dataclasses.replace(_article(1), body=_article(1).body + " Correction.")
    _stage(dsn, "r2", [changed, _article(2)])
    with psycopg.connect(dsn) as conn:
        counts = loader.merge_staged(conn, "r2", "src")
        versions = conn.execute("SELECT v.version, v.body = a.body, v.valid_to = "
                                "a.last_changed_at FROM article_versions v JOIN articles a "
                                "USING (url_hash)").fetchall()
    assert counts.to_counts() == {"inserted": 0, "updated": 1, "unchanged": 1,
                                  "foreign": 0}
    assert versions == [(1, False, True)]

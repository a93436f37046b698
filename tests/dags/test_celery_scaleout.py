"""Scale-out for real on this machine: Airflow with CeleryExecutor on the local Redis and
PostgreSQL, two workers, a backfill of several demo days running in parallel."""

from __future__ import annotations

import socket
import time
import uuid

import psycopg
import pytest
from psycopg import sql

from autonews.demo import catalog
from tests.dags.celery_stack import CeleryStack
from tests.helpers import LOCAL_PG, ONE_AIRFLOW_AT_A_TIME, ROOT

pytestmark = [pytest.mark.e2e, ONE_AIRFLOW_AT_A_TIME]

DAYS = ("2026-11-10", "2026-11-11", "2026-11-12")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def warehouse_on_local_pg(local_pg):
    name = f"autonews_wh_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(local_pg, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield local_pg.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(local_pg, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                     .format(sql.Identifier(name)))


def test_backfill_on_two_celery_workers_loads_every_day_once(warehouse_on_local_pg, demo,
                                                             tmp_path):
    if not _redis_up():
        pytest.skip("no Redis server at 127.0.0.1:6379 for the Celery broker")
    stack = CeleryStack(LOCAL_PG, "redis://127.0.0.1:6379", tmp_path, env_extra={
        "AIRFLOW_CONN_AUTONEWS_WAREHOUSE": warehouse_on_local_pg,
        "AUTONEWS_SOURCES": str(ROOT / "config" / "demo-sources.toml"),
        "AUTONEWS_DEMO_URL": demo.url,
        "AUTONEWS_HOME": str(tmp_path / "autonews"),
    }, workers=2)
    try:
        stack.start()
        stack.wait_until_parsed("autonews_daily")
        assert stack.airflow("dags", "unpause", "autonews_daily").returncode == 0
        created = stack.airflow("backfill", "create", "--dag-id", "autonews_daily",
                                "--from-date", DAYS[0], "--to-date", DAYS[-1],
                                "--max-active-runs", "3")
        assert created.returncode == 0, created.stderr[-2000:]
        deadline = time.monotonic() + 600
        runs = []
        while time.monotonic() < deadline:
            stack.check_alive()
            runs = stack.runs("autonews_daily")
            if len(runs) == len(DAYS) and all(s in ("success", "failed") for _, s in runs):
                break
            time.sleep(5)
        assert [(d.date().isoformat(), s) for d, s in runs] == [(d, "success") for d in DAYS], \
            stack.log_tail("scheduler")
        hosts = stack.task_hosts("autonews_daily")
        assert {"worker1", "worker2"} <= set(hosts), hosts
    finally:
        stack.stop()

    with psycopg.connect(warehouse_on_local_pg) as conn:
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT canonical_url) FROM articles").fetchone()
        per_day = dict(conn.execute(
            "SELECT (published_at AT TIME ZONE 'UTC')::date::text, count(*) FROM articles "
            "GROUP BY 1").fetchall())
    expected = {d: len(catalog.published_on(catalog.date.fromisoformat(d))) for d in DAYS}
    assert total == distinct == sum(expected.values())
    assert {d: per_day.get(d, 0) for d in DAYS} == expected

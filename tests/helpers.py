"""Helpers the tests share: databases by name, free ports, the `autonews` console script."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
AUTONEWS = Path(sys.executable).with_name("autonews")
AIRFLOW = Path(sys.executable).with_name("airflow")
FIXTURE_PAGES = Path(__file__).parent / "fixtures" / "pages"
# The machine's own PostgreSQL, next to the embedded one (tests needing it skip without it).
LOCAL_PG = os.environ.get("AUTONEWS_TEST_LOCAL_PG", "postgresql://postgres@127.0.0.1:5432/test")


def with_db(dsn: str, dbname: str) -> str:
    """`dsn` pointed at `dbname`, as a URI (Airflow connections need URIs; a Unix socket
    directory goes in the `host` query parameter)."""
    parts = psycopg.conninfo.conninfo_to_dict(dsn)
    user = quote(str(parts.get("user") or "postgres"), safe="")
    password = f":{quote(str(parts['password']), safe='')}" if parts.get("password") else ""
    host = str(parts.get("host") or "localhost")
    port = f":{parts['port']}" if parts.get("port") else ""
    if host.startswith("/"):
        return f"postgresql://{user}{password}@localhost{port}/{dbname}?host={quote(host, safe='')}"
    return f"postgresql://{user}{password}@{host}{port}/{dbname}"


def create_db(admin: str, template: str | None = None, prefix: str = "autonews_t_") -> str:
    """Name of a new database on `admin`'s server (a copy of `template` when given)."""
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                     sql.Identifier(template))
        conn.execute(query)
    return name


def drop_db(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                     .format(sql.Identifier(name)))


def fresh_db(admin: str, template: str | None) -> Iterator[str]:
    """DSN of a new database, dropped afterwards."""
    name = create_db(admin, template)
    try:
        yield with_db(admin, name)
    finally:
        drop_db(admin, name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def autonews(env: dict[str, str], *args: str, timeout: int = 600
             ) -> subprocess.CompletedProcess[str]:
    """Run the `autonews` console script as a user would."""
    return subprocess.run([str(AUTONEWS), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def run_airflow(env: dict[str, str], *args: str, timeout: int = 600
                ) -> subprocess.CompletedProcess[str]:
    """Run the `airflow` command (its settings are global to a process: never in-process)."""
    return subprocess.run([str(AIRFLOW), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


# The tests that start a whole Airflow (scheduler, API server, workers): when the end-to-end
# tier is spread over processes (`scripts/test -m e2e -n 2 --dist loadgroup`), they run on one
# xdist worker, one stack after another: two stacks side by side on a 2-core machine starve
# each other's heartbeats and task timeouts. (`scripts/test` runs that tier in one process.)
ONE_AIRFLOW_AT_A_TIME = pytest.mark.xdist_group("airflow_stack")

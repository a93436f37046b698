"""Shared fixtures: a real PostgreSQL (embedded pgserver, or AUTONEWS_DSN's server), a fresh
database per test, the offline demo site, and the machine's own PostgreSQL when present."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from autonews.demo.site import DemoSite
from autonews.sources import DEMO_SOURCES, Source, load_sources
from warehouse.connection import DSN_ENV, temporary_server
from warehouse.schema import migrate

ROOT = Path(__file__).resolve().parent.parent
LOCAL_PG = os.environ.get("AUTONEWS_TEST_LOCAL_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _with_db(dsn: str, dbname: str) -> str:
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


@pytest.fixture(scope="session")
def pg_admin_dsn() -> Iterator[str]:
    """A PostgreSQL server for the whole session: AUTONEWS_DSN's when set, else an
    embedded one (pgserver) in a temporary data directory."""
    configured = os.environ.get(DSN_ENV)
    if configured:
        yield configured
        return
    with temporary_server("autonews-test-pg-") as dsn:
        yield dsn


@pytest.fixture(scope="session")
def migrated_template(pg_admin_dsn: str) -> str:
    """A database with every migration applied, copied for each test that needs one."""
    name = f"autonews_tmpl_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(_with_db(pg_admin_dsn, name)) as conn:
        migrate(conn)
    return name


def _fresh_db(admin: str, template: str | None) -> Iterator[str]:
    name = f"autonews_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                     sql.Identifier(template))
        conn.execute(query)
    try:
        yield _with_db(admin, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))


@pytest.fixture
def empty_dsn(pg_admin_dsn: str) -> Iterator[str]:
    """DSN of a new, empty database (no migrations)."""
    yield from _fresh_db(pg_admin_dsn, None)


@pytest.fixture
def dsn(pg_admin_dsn: str, migrated_template: str) -> Iterator[str]:
    """DSN of a new database with the warehouse schema."""
    yield from _fresh_db(pg_admin_dsn, migrated_template)


@pytest.fixture(scope="session")
def demo_site() -> Iterator[DemoSite]:
    with DemoSite() as site:
        yield site


@pytest.fixture
def demo(demo_site: DemoSite) -> Iterator[DemoSite]:
    """The session's demo site, with no fault switched on before or after the test."""
    demo_site.faults.clear()
    yield demo_site
    demo_site.faults.clear()


@pytest.fixture
def demo_sources(demo: DemoSite) -> dict[str, Source]:
    return {s.id: s for s in load_sources(DEMO_SOURCES, {"demo_url": demo.url})}


@pytest.fixture(scope="session")
def local_pg() -> str:
    """The machine's own PostgreSQL server (127.0.0.1:5432), next to the embedded one."""
    try:
        with psycopg.connect(LOCAL_PG, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {LOCAL_PG}: {str(exc).splitlines()[0]}")
    return LOCAL_PG

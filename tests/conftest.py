"""Shared fixtures: a real PostgreSQL (embedded pgserver, or AUTONEWS_DSN's server), a fresh
database per test, the offline demo site, and the machine's own PostgreSQL when present.

The tiers: `e2e` tests (subprocess crawls, the console script, Airflow, Celery) are marked
so in their modules; a test using a database is `integration`; the rest are `unit`.
`scripts/test --fast` runs all but `e2e`."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from autonews.core import Source
from autonews.core.settings import Settings
from autonews.demo.site import DemoSite
from autonews.sources import DEMO_SOURCES, load_sources
from tests.demo_warehouse import build_analyst_warehouse
from tests.helpers import LOCAL_PG, create_db, drop_db, fresh_db, with_db
from warehouse.connection import temporary_server
from warehouse.schema import migrate


@pytest.fixture(scope="session")
def pg_admin_dsn() -> Iterator[str]:
    """A PostgreSQL server for the whole session: AUTONEWS_DSN's when set, else an
    embedded one (pgserver) in a temporary data directory."""
    configured = Settings.from_env().dsn
    if configured:
        yield configured
        return
    with temporary_server("autonews-test-pg-", durable=False) as dsn:
        yield dsn


@pytest.fixture(scope="session")
def migrated_template(pg_admin_dsn: str) -> str:
    """A database with every migration applied, copied for each test that needs one."""
    name = create_db(pg_admin_dsn, prefix="autonews_tmpl_")
    with psycopg.connect(with_db(pg_admin_dsn, name)) as conn:
        migrate(conn)
    return name


@pytest.fixture
def empty_dsn(pg_admin_dsn: str) -> Iterator[str]:
    """DSN of a new, empty database (no migrations)."""
    yield from fresh_db(pg_admin_dsn, None)


@pytest.fixture
def dsn(pg_admin_dsn: str, migrated_template: str) -> Iterator[str]:
    """DSN of a new database with the warehouse schema."""
    yield from fresh_db(pg_admin_dsn, migrated_template)


@pytest.fixture
def other_dsn(pg_admin_dsn: str, migrated_template: str) -> Iterator[str]:
    """A second fresh warehouse (to compare two ways of reaching the same rows)."""
    yield from fresh_db(pg_admin_dsn, migrated_template)


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


@pytest.fixture(scope="session")
def loaded_template(pg_admin_dsn: str, migrated_template: str) -> Iterator[str]:
    """Name of a database holding the analysts' demo warehouse
    (`tests.demo_warehouse.build_analyst_warehouse`)."""
    name = create_db(pg_admin_dsn, migrated_template, prefix="autonews_loaded_")
    build_analyst_warehouse(with_db(pg_admin_dsn, name))
    yield name
    drop_db(pg_admin_dsn, name)


@pytest.fixture(scope="session")
def loaded_dsn(pg_admin_dsn: str, loaded_template: str) -> str:
    """DSN of the loaded demo warehouse; tests must not change it."""
    return with_db(pg_admin_dsn, loaded_template)


@pytest.fixture
def loaded_copy(pg_admin_dsn: str, loaded_template: str) -> Iterator[str]:
    """DSN of a private copy of the loaded demo warehouse."""
    yield from fresh_db(pg_admin_dsn, loaded_template)


_DATABASE_FIXTURES = {"pg_admin_dsn", "dsn", "empty_dsn", "local_pg", "loaded_dsn",
                      "loaded_copy"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its tier (see the module docstring)."""
    for item in items:
        if item.get_closest_marker("e2e"):
            continue
        fixtures = set(getattr(item, "fixturenames", ()))
        item.add_marker(pytest.mark.integration if fixtures & _DATABASE_FIXTURES
                        else pytest.mark.unit)

"""Numbered migrations on a real PostgreSQL: from empty, step by step, tracked, repeatable."""

from __future__ import annotations

import psycopg
import pytest

from warehouse.schema import MigrationError, available, migrate, status


def _tables(dsn):
    with psycopg.connect(dsn) as conn:
        return {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")}


def test_migrate_from_empty_creates_the_tables_once(empty_dsn):
    with psycopg.connect(empty_dsn) as conn:
        applied = migrate(conn)
        assert [m.version for m in applied] == [m.version for m in available()]
        assert migrate(conn) == []
        rows = status(conn)
    assert all(r["applied_at"] is not None and not r["changed"] for r in rows)
    assert {"raw_pages", "articles", "pipeline_runs", "rejected_pages", "staged_articles",
            "article_versions", "schema_migrations"} <= _tables(empty_dsn)


@pytest.mark.parametrize("start", [m.version for m in available()][:-1] or [0])
def test_migrate_from_every_earlier_version(empty_dsn, start):
    with psycopg.connect(empty_dsn) as conn:
        migrate(conn, target=start)
        assert max(r["version"] for r in status(conn) if r["applied_at"]) == start
        rest = migrate(conn)
        assert [m.version for m in rest] == [m.version for m in available() if m.version > start]


def test_a_database_from_a_newer_version_is_refused(empty_dsn):
    with psycopg.connect(empty_dsn) as conn:
        migrate(conn)
        conn.execute("INSERT INTO schema_migrations (version, name, checksum) "
                     "VALUES (9999, 'from_the_future', 'x')")
        conn.commit()
        with pytest.raises(MigrationError, match="newer version"):
            migrate(conn)

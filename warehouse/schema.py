"""Numbered SQL migrations (`migrations/NNNN_verb_object.sql`), one transaction each, tracked
in `schema_migrations` with a checksum; a lock keeps concurrent workers from racing."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import psycopg

from autonews.core.errors import MigrationError

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# pg_advisory_lock key: any constant shared by every autonews process.
_LOCK_KEY = 0x6175746F6E657773 & 0x7FFFFFFFFFFFFFFF


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available() -> list[Migration]:
    """Migrations shipped with this version, in order."""
    found = []
    for entry in resources.files("warehouse.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text()))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration numbers in {versions}")
    return found


def _ensure_table(conn: psycopg.Connection[Any]) -> None:
    conn.execute(
        """CREATE TABLE IF NOT EXISTS schema_migrations (
               version    integer     PRIMARY KEY,
               name       text        NOT NULL,
               checksum   text        NOT NULL,
               applied_at timestamptz NOT NULL DEFAULT now())"""
    )


def applied(conn: psycopg.Connection[Any]) -> dict[int, tuple[str, str, Any]]:
    """version -> (name, checksum, applied_at) of migrations already in the database."""
    with conn.transaction():
        exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return {}
        rows = conn.execute("SELECT version, name, checksum, applied_at FROM schema_migrations")
        return {v: (n, c, a) for v, n, c, a in rows.fetchall()}


def migrate(conn: psycopg.Connection[Any], target: int | None = None) -> list[Migration]:
    """Apply pending migrations up to `target` (all by default); returns those applied."""
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise MigrationError("migrate() needs a connection outside any transaction")
    done = applied(conn)
    wanted = [m for m in available() if target is None or m.version <= target]
    if done and all(m.version in done for m in wanted) and set(done) <= {
            m.version for m in available()}:
        return []  # up to date: no lock, no DDL (a read-only analyst login works)
    conn.autocommit = True
    conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
    try:
        _ensure_table(conn)
        done = applied(conn)
        known = {m.version: m for m in available()}
        unknown = sorted(set(done) - set(known))
        if unknown:
            raise MigrationError(
                f"the database has migrations {unknown} that this autonews does not know: "
                "it was migrated by a newer version"
            )
        for version, (name, checksum, _) in done.items():
            if known[version].checksum != checksum:
                log.warning("migration %04d_%s changed after it was applied", version, name)
        newly = []
        for migration in known.values():
            if migration.version in done or (target is not None and migration.version > target):
                continue
            try:
                with conn.transaction():
                    conn.execute(migration.sql.encode())
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) "
                        "VALUES (%s, %s, %s)",
                        (migration.version, migration.name, migration.checksum),
                    )
            except psycopg.Error as exc:
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} failed and was rolled "
                    f"back: {str(exc).strip().splitlines()[0]}"
                ) from exc
            log.info("applied migration %04d_%s", migration.version, migration.name)
            newly.append(migration)
        return newly
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
        conn.autocommit = False


def status(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """Each known migration with whether and when it was applied."""
    done = applied(conn)
    rows = []
    for migration in available():
        entry = done.get(migration.version)
        rows.append({
            "version": migration.version,
            "name": migration.name,
            "applied_at": entry[2] if entry else None,
            "changed": bool(entry and entry[1] != migration.checksum),
        })
    return rows

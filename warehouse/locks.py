"""Advisory locks in the warehouse: one crawl per site at a time, whatever the number of
workers, runs and machines; and the liveness of a running stage.

A site lock is a session lock held by the process that writes the crawl (the crawl
subprocess), on a connection of its own: it goes when that process or its connection does,
so a killed crawler frees its site. Waiting for it is bounded (`SiteBusy` names who holds
it). `SiteLock` keeps its connection busy (a heartbeat shorter than the server's
`idle_session_timeout`) and, when the connection drops anyway, reconnects and takes the
lock again, or reports that another crawl has it (`LockLost`).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from autonews.core.errors import SiteBusy
from warehouse.connection import connect, ping

log = logging.getLogger(__name__)

_SITE = "autonews-crawl"
_STAGE = "autonews-stage"
POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 5.0
# application_name holds at most 63 bytes (NAMEDATALEN - 1)
_APP_NAME_MAX = 63

WaitFn = Callable[[str, float], None]  # (holder, seconds left) while waiting


class LockLost(Exception):
    """The site lock's connection dropped and another crawl took the lock meanwhile."""


def _try_lock(conn: psycopg.Connection[Any], namespace: str, name: str) -> bool:
    with conn.transaction():
        row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s), hashtext(%s))",
                           (namespace, name)).fetchone()
    return bool(row and row[0])


def _unlock(conn: psycopg.Connection[Any], namespace: str, name: str) -> None:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_unlock(hashtext(%s), hashtext(%s))", (namespace, name))


def lock_holder(conn: psycopg.Connection[Any], source_id: str) -> str:
    """Who holds `source_id`'s site lock, as a person reads it ("unknown" if not visible)."""
    with conn.transaction():
        row = conn.execute(
            """SELECT a.application_name, a.pid, host(a.client_addr),
                      to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
                 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                  AND l.database = (SELECT oid FROM pg_database
                                     WHERE datname = current_database())
                  AND l.classid = (hashtext(%s)::bigint & 4294967295)::oid
                  AND l.objid = (hashtext(%s)::bigint & 4294967295)::oid""",
            (_SITE, source_id),
        ).fetchone()
    if row is None:
        return "unknown"
    app, pid, addr, since = row
    where = f" from {addr}" if addr else ""
    return f"{app or 'a session'} (server pid {pid}{where}, connected since {since} UTC)"


def acquire_site_lock(conn: psycopg.Connection[Any], source_id: str, *, wait_seconds: float,
                      on_wait: WaitFn | None = None) -> float:
    """Take `source_id`'s site lock on `conn`, waiting at most `wait_seconds`; the seconds
    waited. Raises `SiteBusy` naming the source and the holder when it stays taken."""
    started = time.monotonic()
    deadline = started + max(0.0, wait_seconds)
    told = False
    while not _try_lock(conn, _SITE, source_id):
        left = deadline - time.monotonic()
        if left <= 0:
            raise SiteBusy(f"{source_id}: another crawl holds the site lock: "
                           f"{lock_holder(conn, source_id)}; waited {wait_seconds:g} s "
                           "(AUTONEWS_LOCK_WAIT); try again once it is done")
        if not told:
            holder = lock_holder(conn, source_id)
            log.warning("%s: waiting up to %.0f s for the site lock held by %s", source_id,
                        left, holder)
            if on_wait is not None:
                on_wait(holder, left)
            told = True
        time.sleep(min(POLL_SECONDS, left))
    return time.monotonic() - started


def release_site_lock(conn: psycopg.Connection[Any], source_id: str) -> None:
    _unlock(conn, _SITE, source_id)


@contextmanager
def site_lock(conn: psycopg.Connection[Any], source_id: str, *, wait_seconds: float,
              on_wait: WaitFn | None = None) -> Iterator[None]:
    """Hold the crawl lock of `source_id` on `conn` (a session lock: it goes when the
    connection does, so a killed holder frees it). Waits at most `wait_seconds`, then raises
    `SiteBusy` with the holder's name."""
    acquire_site_lock(conn, source_id, wait_seconds=wait_seconds, on_wait=on_wait)
    try:
        yield
    finally:
        if not conn.closed and not conn.broken:
            release_site_lock(conn, source_id)


def holder_name(run_id: str) -> str:
    """The application_name a crawl's lock connection shows (`pg_stat_activity`)."""
    return f"autonews {run_id} pid {os.getpid()}@{socket.gethostname()}"[:_APP_NAME_MAX]


def heartbeat_interval(conn: psycopg.Connection[Any]) -> float:
    """How often to touch an idle connection so the server's `idle_session_timeout` never
    closes it: a third of that timeout, at most `HEARTBEAT_SECONDS`."""
    with conn.transaction():
        row = conn.execute("SELECT setting FROM pg_settings "
                           "WHERE name = 'idle_session_timeout'").fetchone()
    timeout_ms = int(row[0]) if row and str(row[0]).isdigit() else 0
    if timeout_ms <= 0:
        return HEARTBEAT_SECONDS
    return max(0.2, min(HEARTBEAT_SECONDS, timeout_ms / 3000))


class SiteLock:
    """A site's crawl lock on a connection of its own, for the process that writes the
    crawl: `acquire`, `heartbeat` at `interval`, `release`."""

    def __init__(self, dsn: str, source_id: str, run_id: str) -> None:
        self.dsn = dsn
        self.source_id = source_id
        self.run_id = run_id
        self.conn: psycopg.Connection[Any] | None = None
        self.interval = HEARTBEAT_SECONDS
        self.reconnects = 0
        self.waited = 0.0

    def _connect(self) -> psycopg.Connection[Any]:
        conn = connect(self.dsn, application_name=holder_name(self.run_id))
        self.interval = heartbeat_interval(conn)
        return conn

    def acquire(self, wait_seconds: float, on_wait: WaitFn | None = None) -> None:
        """Take the lock, waiting at most `wait_seconds` (`SiteBusy` after)."""
        self.conn = self._connect()
        try:
            self.waited = acquire_site_lock(self.conn, self.source_id,
                                            wait_seconds=wait_seconds, on_wait=on_wait)
        except BaseException:
            self.conn.close()
            self.conn = None
            raise

    def heartbeat(self) -> None:
        """Touch the connection; if it is gone, reconnect and take the lock again. Raises
        `LockLost` when another crawl took it in between."""
        try:
            assert self.conn is not None
            ping(self.conn)
            return
        except psycopg.Error as exc:
            log.warning("%s: the site lock's connection dropped (%s); reconnecting",
                        self.source_id, str(exc).strip().splitlines()[0] if str(exc) else exc)
        if self.conn is not None:
            self.conn.close()
        self.conn = self._connect()
        self.reconnects += 1
        if not _try_lock(self.conn, _SITE, self.source_id):
            holder = lock_holder(self.conn, self.source_id)
            raise LockLost(f"{self.source_id}: the site lock's connection dropped and "
                           f"another crawl took the lock: {holder}")
        log.warning("%s: site lock taken again after a reconnect", self.source_id)

    def release(self) -> None:
        if self.conn is None:
            return
        try:
            if not self.conn.closed and not self.conn.broken:
                release_site_lock(self.conn, self.source_id)
        except psycopg.Error as exc:  # the lock goes with the connection anyway
            log.warning("%s: could not release the site lock cleanly: %s", self.source_id,
                        exc)
        finally:
            self.conn.close()
            self.conn = None


# ---------------------------------------------------------------- stage liveness


def hold_stage(conn: psycopg.Connection[Any], run_id: str, source_id: str, stage: str) -> bool:
    """Mark (run, source, stage) alive for as long as `conn` lives: a `running` row whose
    mark nobody holds belongs to a process that is gone (`stage_is_alive`)."""
    return _try_lock(conn, _STAGE, f"{run_id}/{source_id}/{stage}")


def stage_is_alive(conn: psycopg.Connection[Any], run_id: str, source_id: str,
                   stage: str) -> bool:
    """Whether some session holds the liveness mark of (run, source, stage)."""
    name = f"{run_id}/{source_id}/{stage}"
    if _try_lock(conn, _STAGE, name):
        _unlock(conn, _STAGE, name)
        return False
    return True

"""Advisory locks in the warehouse: one crawl per site at a time, whatever the number of
workers, runs and machines."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from autonews.core.errors import SiteBusy

# How often a bounded wait asks for the lock again.
_POLL_SECONDS = 0.5


@contextmanager
def site_lock(conn: psycopg.Connection[Any], source_id: str, *,
              wait: float | None = None) -> Iterator[None]:
    """Hold the crawl lock of `source_id` on `conn` (a session lock: it goes when the
    connection does, so a killed holder frees it). With `wait`, give up after that many
    seconds with `SiteBusy` instead of waiting for as long as the holder runs."""
    key = ("autonews-crawl:" + source_id,)
    if wait is None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", key)
    else:
        _try_lock(conn, source_id, key, wait)
    try:
        yield
    finally:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", key)


def _try_lock(conn: psycopg.Connection[Any], source_id: str, key: tuple[str], wait: float
              ) -> None:
    deadline = time.monotonic() + wait
    while True:
        with conn.transaction():
            row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", key).fetchone()
        if row and row[0]:
            return
        if time.monotonic() >= deadline:
            raise SiteBusy(f"{source_id}: another crawl of this site holds its lock "
                           f"(waited {wait:.0f} s)")
        time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))

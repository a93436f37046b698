"""Advisory locks in the warehouse: one crawl per site at a time, whatever the number of
workers, runs and machines."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg


@contextmanager
def site_lock(conn: psycopg.Connection[Any], source_id: str) -> Iterator[None]:
    """Hold the crawl lock of `source_id` on `conn` (a session lock: it goes when the
    connection does, so a killed holder frees it)."""
    key = ("autonews-crawl:" + source_id,)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", key)
    try:
        yield
    finally:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", key)

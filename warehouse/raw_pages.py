"""`raw_pages`: every URL a crawl touched (its outcome, headers and HTML), written by the
crawl as it goes and read back for conditional requests and by the clean stage."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from autonews.core.errors import WarehouseUnavailable
from autonews.core.secrets import mask_secrets
from autonews.core.vocabulary import FetchKind, Outcome, RejectReason
from autonews.core.window import Window
from warehouse.connection import connect

log = logging.getLogger(__name__)

RAW_COLUMNS = ("run_id", "source_id", "url", "url_hash", "kind", "outcome", "http_status",
               "fetched_at", "final_url", "content_type", "etag", "last_modified", "body",
               "body_bytes", "content_hash", "listed_at", "discovered_via", "error",
               "elapsed_ms")
_MASKED = frozenset({"url", "final_url", "error"})
_INSERT = "INSERT INTO raw_pages ({}) VALUES ({})".format(  # noqa: S608 - constant columns
    ", ".join(RAW_COLUMNS), ", ".join(["%s"] * len(RAW_COLUMNS)))

# A stored copy the cleaner found empty may be a broken template, not the page: fetch it
# again in full instead of trusting it through a conditional request.
SUSPECT_REJECTS = (RejectReason.EMPTY, RejectReason.UNPARSABLE)


@dataclass(frozen=True)
class PreviousFetch:
    """The latest stored copy of a URL: what a conditional request needs."""

    fetched_at: datetime
    etag: str | None
    last_modified: str | None


def previous_fetches(conn: psycopg.Connection[Any], source_id: str,
                     url_hashes: Sequence[str]) -> dict[str, PreviousFetch]:
    """Latest stored copy (a fetch with a body) of each URL, for conditional GETs; URLs whose
    latest copy was rejected as empty are left out so they are fetched again."""
    if not url_hashes:
        return {}
    with conn.transaction():
        rows = conn.execute(
            """SELECT url_hash, fetched_at, etag, last_modified FROM (
                   SELECT DISTINCT ON (r.url_hash) r.url_hash, r.fetched_at, r.etag,
                          r.last_modified, rp.reason
                     FROM raw_pages r
                     LEFT JOIN rejected_pages rp ON rp.raw_page_id = r.raw_page_id
                    WHERE r.source_id = %s AND r.url_hash = ANY(%s) AND r.kind = %s
                      AND r.outcome = %s AND r.body IS NOT NULL
                    ORDER BY r.url_hash, r.fetched_at DESC) latest
                WHERE reason IS NULL OR reason <> ALL(%s)""",
            (source_id, list(url_hashes), FetchKind.ARTICLE, Outcome.FETCHED,
             [r.value for r in SUSPECT_REJECTS]),
        ).fetchall()
    return {h: PreviousFetch(f, e, m) for h, f, e, m in rows}


class WarehouseLost(Exception):
    """The warehouse stayed unreachable longer than the store may wait: stop fetching."""


class RawPageStore:
    """Buffered writer of `raw_pages` rows; `flush()` commits what is buffered.

    A dropped connection (a server's idle timeout, a restarted server, a terminated
    backend) loses nothing: the rows stay buffered, the store reconnects and writes them.
    While the warehouse is unreachable rows wait in memory; after `outage_seconds` (or
    `max_buffer` rows) `add` raises `WarehouseLost` so the crawl stops fetching instead of
    fetching pages it cannot keep."""

    def __init__(self, dsn: str, batch_size: int = 10, *, outage_seconds: float = 60.0,
                 max_buffer: int = 500) -> None:
        self.dsn = dsn
        self.conn: psycopg.Connection[Any] | None = connect(dsn)
        self.batch_size = batch_size
        self.buffer: list[tuple[Any, ...]] = []
        self.written = 0
        self.reconnects = 0
        self.outage_seconds = outage_seconds
        self.max_buffer = max_buffer
        self.down_since: float | None = None
        self._next_try = 0.0

    def add(self, row: dict[str, Any]) -> None:
        """Buffer one row; its URLs and error are stored with secrets masked (a token in a
        feed URL is not kept in clear; `url_hash` is still the real URL's)."""
        masked = {k: mask_secrets(v) if k in _MASKED and isinstance(v, str) else v
                  for k, v in row.items()}
        self.buffer.append(tuple(masked.get(c) for c in RAW_COLUMNS))
        if len(self.buffer) >= self.batch_size:
            self.flush()

    def _write(self) -> None:
        if self.conn is None or self.conn.closed or self.conn.broken:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            self.conn = connect(self.dsn)
            self.reconnects += 1
            log.warning("raw page store reconnected to the warehouse")
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.executemany(_INSERT, self.buffer)

    def flush(self, *, wait: float = 0.0) -> None:
        """Write the buffered rows. If the warehouse cannot be reached they stay buffered
        (retried at most every 2 s, or for up to `wait` seconds now)."""
        if not self.buffer:
            return
        now = time.monotonic()
        if self.down_since is not None and now < self._next_try and not wait:
            self._check_outage(now)
            return
        deadline = now + wait
        while True:
            try:
                self._write()
            except (psycopg.OperationalError, psycopg.InterfaceError, WarehouseUnavailable
                    ) as exc:
                if self.conn is not None and (self.conn.closed or self.conn.broken):
                    self.conn.close()
                    self.conn = None
                now = time.monotonic()
                if self.down_since is None:
                    self.down_since = now
                    log.warning("raw page store lost the warehouse (%s); %d rows kept in "
                                "memory", mask_secrets(str(exc).strip()), len(self.buffer))
                    continue  # one immediate reconnect: most drops are one idle session
                self._next_try = now + 2.0
                if now >= deadline:
                    self._check_outage(now)
                    return
                time.sleep(min(1.0, deadline - now))
                continue
            break
        self.written += len(self.buffer)
        self.buffer.clear()
        self.down_since = None

    def _check_outage(self, now: float) -> None:
        assert self.down_since is not None
        if now - self.down_since > self.outage_seconds or len(self.buffer) > self.max_buffer:
            raise WarehouseLost(f"the warehouse has been unreachable for "
                                f"{now - self.down_since:.0f} s ({len(self.buffer)} rows "
                                "waiting); fetching stopped")

    def previous_fetches(self, source_id: str, url_hashes: Sequence[str]
                         ) -> dict[str, PreviousFetch]:
        for attempt in (1, 2):
            try:
                if self.conn is None or self.conn.closed or self.conn.broken:
                    self.conn = connect(self.dsn)
                    self.reconnects += 1
                return previous_fetches(self.conn, source_id, url_hashes)
            except psycopg.OperationalError:
                if attempt == 2:
                    raise
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
        return {}

    def close(self, *, wait: float = 30.0) -> None:
        """Write what is left (trying for up to `wait` seconds), then disconnect."""
        try:
            self.flush(wait=wait)
        except WarehouseLost:
            log.error("raw page store: %d rows could not be written", len(self.buffer))
            raise
        finally:
            if self.conn is not None:
                self.conn.close()


_PAGES_TO_CLEAN = """
WITH touched AS (
    SELECT DISTINCT url_hash FROM raw_pages
     WHERE source_id = %(source)s AND kind = 'article'
       AND ((listed_at >= %(start)s AND listed_at < %(end)s) OR run_id = %(run)s))
SELECT DISTINCT ON (r.url_hash)
       r.raw_page_id, r.url, r.final_url, r.content_type, r.listed_at,
       r.discovered_via, r.url_hash, r.content_hash
  FROM raw_pages r JOIN touched t USING (url_hash)
 WHERE r.source_id = %(source)s AND r.kind = 'article' AND r.outcome = 'fetched'
   AND r.body IS NOT NULL
 ORDER BY r.url_hash, r.fetched_at DESC
"""


@dataclass(frozen=True)
class PageToClean:
    """The latest stored copy of a page the clean stage must read, without its body (read
    in batches with `page_bodies`, only for the pages that must be extracted)."""

    raw_page_id: int
    url: str
    final_url: str | None
    content_type: str | None
    listed_at: datetime | None
    discovered_via: str | None
    url_hash: str
    content_hash: str | None


def pages_to_clean(conn: psycopg.Connection[Any], source_id: str, window: Window,
                   run_id: str) -> list[PageToClean]:
    """The latest stored copy of every article page listed in `window` or touched by
    `run_id` (a rerun reaches pages its crawl only confirmed as not modified), in url_hash
    order. Bodies are left out: a day's list is a few hundred bytes a page."""
    with conn.transaction():
        rows = conn.execute(_PAGES_TO_CLEAN, {"source": source_id, "start": window.start,
                                              "end": window.end, "run": run_id}).fetchall()
    return [PageToClean(*row) for row in rows]


def page_bodies(conn: psycopg.Connection[Any], raw_page_ids: Sequence[int]
                ) -> dict[int, bytes]:
    """raw_page_id -> stored HTML of one batch of pages (a page whose body retention
    cleared meanwhile is left out)."""
    if not raw_page_ids:
        return {}
    rows = conn.execute("SELECT raw_page_id, body FROM raw_pages WHERE raw_page_id = ANY(%s) "
                        "AND body IS NOT NULL", (list(raw_page_ids),)).fetchall()
    return {rid: bytes(body) for rid, body in rows}

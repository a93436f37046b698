"""The crawl's side of the warehouse: previous fetches of a URL, and writing `raw_pages`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

RAW_COLUMNS = ("run_id", "source_id", "url", "url_hash", "kind", "outcome", "http_status",
               "fetched_at", "final_url", "content_type", "etag", "last_modified", "body",
               "body_bytes", "content_hash", "listed_at", "discovered_via", "error",
               "elapsed_ms")


@dataclass(frozen=True)
class PreviousFetch:
    fetched_at: datetime
    etag: str | None
    last_modified: str | None


# A stored copy the cleaner found empty may be a broken template, not the page: fetch it
# again in full instead of trusting it through a conditional request.
SUSPECT_REJECTS = ("empty", "unparsable")


def previous_fetches(dsn: str, source_id: str, url_hashes: Sequence[str]
                     ) -> dict[str, PreviousFetch]:
    """Latest stored copy (a fetch with a body) of each URL, for conditional GETs; URLs whose
    latest copy was rejected as empty are left out so they are fetched again."""
    if not url_hashes:
        return {}
    with psycopg.connect(dsn, connect_timeout=10) as conn:
        rows = conn.execute(
            """SELECT url_hash, fetched_at, etag, last_modified FROM (
                   SELECT DISTINCT ON (r.url_hash) r.url_hash, r.fetched_at, r.etag,
                          r.last_modified, rp.reason
                     FROM raw_pages r
                     LEFT JOIN rejected_pages rp ON rp.raw_page_id = r.raw_page_id
                    WHERE r.source_id = %s AND r.url_hash = ANY(%s) AND r.kind = 'article'
                      AND r.outcome = 'fetched' AND r.body IS NOT NULL
                    ORDER BY r.url_hash, r.fetched_at DESC) latest
                WHERE reason IS NULL OR reason <> ALL(%s)""",
            (source_id, list(url_hashes), list(SUSPECT_REJECTS)),
        ).fetchall()
    return {h: PreviousFetch(f, e, m) for h, f, e, m in rows}


class RawPageStore:
    """Buffered writer of `raw_pages` rows; `flush()` commits what is buffered."""

    def __init__(self, dsn: str, batch_size: int = 10) -> None:
        self.conn = psycopg.connect(dsn, connect_timeout=10, application_name="autonews-crawl")
        self.batch_size = batch_size
        self.buffer: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, row: dict[str, Any]) -> None:
        self.buffer.append(tuple(row.get(c) for c in RAW_COLUMNS))
        if len(self.buffer) >= self.batch_size:
            self.flush()

    def add_many(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.add(row)

    def flush(self) -> None:
        if not self.buffer:
            return
        placeholders = ", ".join(["%s"] * len(RAW_COLUMNS))
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO raw_pages ({', '.join(RAW_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608 - constant column list
                self.buffer,
            )
        self.written += len(self.buffer)
        self.buffer.clear()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.conn.close()

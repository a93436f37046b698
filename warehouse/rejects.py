"""`rejected_pages`: the pages the cleaner refused, with the reason, one row per stored page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg


@dataclass(frozen=True)
class Reject:
    """A stored page the cleaner refused."""

    raw_page_id: int
    run_id: str
    source_id: str
    url: str
    reason: str
    detail: str


def record_rejects(conn: psycopg.Connection[Any], rejects: Sequence[Reject],
                   cleaned_raw_ids: Sequence[int], extractor_version: str) -> None:
    """Store `rejects` (a page rejected again keeps one row, updated), and forget earlier
    rejects of pages an improved cleaner now reads (`cleaned_raw_ids`). One transaction."""
    with conn.transaction():
        if rejects:
            with conn.cursor() as cur:
                cur.executemany(
                    """INSERT INTO rejected_pages (raw_page_id, run_id, source_id, url, reason,
                                                   detail, extractor_version)
                       VALUES (%s, %s, %s, %s, %s, %s, %s)
                       ON CONFLICT (raw_page_id) DO UPDATE
                          SET run_id = EXCLUDED.run_id, reason = EXCLUDED.reason,
                              detail = EXCLUDED.detail,
                              extractor_version = EXCLUDED.extractor_version,
                              rejected_at = now()""",
                    [(r.raw_page_id, r.run_id, r.source_id, r.url, r.reason, r.detail,
                      extractor_version) for r in rejects],
                )
        if cleaned_raw_ids:
            conn.execute("DELETE FROM rejected_pages WHERE raw_page_id = ANY(%s)",
                         (list(cleaned_raw_ids),))

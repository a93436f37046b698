"""Raw HTML retention: dropping the stored HTML of old fetches, keeping every row."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg

from autonews.core.errors import BadInput

log = logging.getLogger(__name__)

_AGE = re.compile(r"^\s*(\d{1,5})\s*([dw])\s*$", re.IGNORECASE)
_AGE_UNITS = {"d": 1, "w": 7}

# Only `raw_pages.body` is cleared: rows stay (articles.raw_page_id and rejected_pages point
# at them, and they are the crawl's history), `articles` is never read or written.
_CANDIDATES = """
SELECT raw_page_id, coalesce(body_bytes, octet_length(body)) AS bytes
  FROM raw_pages
 WHERE body IS NOT NULL AND fetched_at < %(cutoff)s
"""
_PRUNE_SQL = f"""
WITH doomed AS ({_CANDIDATES} FOR UPDATE),
cleared AS (
    UPDATE raw_pages r SET body = NULL
      FROM doomed d
     WHERE r.raw_page_id = d.raw_page_id
    RETURNING r.raw_page_id)
SELECT count(*), coalesce(sum(d.bytes), 0)
  FROM doomed d JOIN cleared c USING (raw_page_id)
"""  # noqa: S608 - composed from constants only
# A clean's verdict serves only while the HTML it was made from is stored (the clean reads
# only pages with a body): the verdicts of cleared copies go with them.
_FORGET_VERDICTS_SQL = """
DELETE FROM clean_verdicts v
 WHERE NOT EXISTS (SELECT 1 FROM raw_pages r
                    WHERE r.url_hash = v.url_hash AND r.source_id = v.source_id
                      AND r.content_hash = v.content_hash AND r.body IS NOT NULL)
"""
_COUNT_SQL = f"SELECT count(*), coalesce(sum(bytes), 0) FROM ({_CANDIDATES}) AS c"  # noqa: S608


@dataclass(frozen=True)
class PruneResult:
    pages: int
    bytes: int
    cutoff: datetime
    dry_run: bool
    verdicts: int = 0  # clean verdicts forgotten with the HTML they were made from


def prune_raw(conn: psycopg.Connection[Any], older_than: timedelta, *,
              dry_run: bool = False) -> PruneResult:
    """Set `raw_pages.body` to NULL for fetches older than `older_than`, in one transaction;
    with `dry_run`, only count them. Later crawls of those URLs fetch them in full again."""
    if older_than <= timedelta(0):
        raise ValueError("older_than must be positive")
    with conn.transaction():
        row = conn.execute("SELECT now() - %s::interval", (older_than,)).fetchone()
        assert row is not None
        cutoff: datetime = row[0]
        counted = conn.execute(_COUNT_SQL if dry_run else _PRUNE_SQL,
                               {"cutoff": cutoff}).fetchone()
        verdicts = 0 if dry_run else conn.execute(_FORGET_VERDICTS_SQL).rowcount
    pages, size = (int(counted[0]), int(counted[1])) if counted else (0, 0)
    if not dry_run:
        log.info("cleared the raw HTML of %d pages fetched before %s (and %d clean "
                 "verdicts)", pages, cutoff, verdicts)
    return PruneResult(pages, size, cutoff, dry_run, verdicts)


def parse_age(text: str, *, minimum: timedelta = timedelta(days=1)) -> timedelta:
    """An age like `90d` (days) or `12w` (weeks); at least `minimum`."""
    match = _AGE.match(text or "")
    if not match:
        raise BadInput(f"'{text}' is not an age: use a number of days or weeks, "
                       "like 90d or 12w")
    age = timedelta(days=int(match.group(1)) * _AGE_UNITS[match.group(2).lower()])
    if age < minimum:
        raise BadInput(f"'{text}' is too recent: the age must be at least "
                       f"{minimum.days} day(s)")
    return age

"""The web-archive side of the warehouse: archived pages into `raw_pages` with their
provenance (`raw_page_archives`), the per-file progress of imports (`archive_files`), and
the stored pages read back for a WARC export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from autonews.core.results import ArchiveImportResult
from autonews.core.secrets import mask_secrets
from autonews.core.vocabulary import ArchiveKind, FileStatus
from autonews.core.window import Window

# Every writer of archived pages takes this transaction lock: two workers importing files
# that share records cannot both find a record new and store it twice.
_STORE_LOCK = 0x6172636869766573  # "archives"


@dataclass(frozen=True)
class ArchivedPage:
    """One WARC response record kept for a source, ready for `raw_pages`."""

    record_id: str
    archive: ArchiveKind
    warc_file: str
    record_offset: int
    record_length: int
    captured_at: datetime
    run_id: str
    source_id: str
    url: str
    url_hash: str
    http_status: int
    content_type: str | None
    etag: str | None
    last_modified: str | None
    body: bytes
    content_hash: str
    listed_at: datetime
    discovered_via: str


@dataclass
class StoreResult:
    stored: int = 0  # new raw pages
    already_stored: int = 0  # the same content of the same page was stored (live or archived)
    duplicate_records: int = 0  # the record itself was imported before

    def add(self, other: StoreResult) -> None:
        self.stored += other.stored
        self.already_stored += other.already_stored
        self.duplicate_records += other.duplicate_records


_SAME_CONTENT_SQL = """
SELECT DISTINCT ON (r.source_id, r.url_hash, r.content_hash)
       r.source_id, r.url_hash, r.content_hash, r.raw_page_id
  FROM raw_pages r
  JOIN unnest(%s::text[], %s::text[], %s::text[]) AS k(source_id, url_hash, content_hash)
    ON r.source_id = k.source_id AND r.url_hash = k.url_hash
   AND r.content_hash = k.content_hash
 WHERE r.kind = 'article' AND r.outcome = 'fetched' AND r.body IS NOT NULL
 ORDER BY r.source_id, r.url_hash, r.content_hash, r.fetched_at DESC
"""

_INSERT_PAGE_SQL = """
INSERT INTO raw_pages (run_id, source_id, url, url_hash, kind, outcome, http_status,
                       fetched_at, final_url, content_type, etag, last_modified, body,
                       body_bytes, content_hash, listed_at, discovered_via)
VALUES (%s, %s, %s, %s, 'article', 'fetched', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
RETURNING raw_page_id
"""

_INSERT_PROVENANCE_SQL = """
INSERT INTO raw_page_archives (record_id, raw_page_id, archive, warc_file, record_offset,
                               record_length, captured_at, run_id)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
"""


def store_pages(conn: psycopg.Connection[Any], pages: Sequence[ArchivedPage]) -> StoreResult:
    """Store a batch of archived pages in one transaction. A record already imported is
    skipped; a record whose page is stored with the same content only gains provenance."""
    result = StoreResult()
    if not pages:
        return result
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_STORE_LOCK,))
        known = {row[0] for row in conn.execute(
            "SELECT record_id FROM raw_page_archives WHERE record_id = ANY(%s)",
            ([p.record_id for p in pages],)).fetchall()}
        fresh = [p for p in pages if p.record_id not in known]
        same = {(s, u, c): rid for s, u, c, rid in conn.execute(
            _SAME_CONTENT_SQL, ([p.source_id for p in fresh], [p.url_hash for p in fresh],
                                [p.content_hash for p in fresh])).fetchall()}
        for page in fresh:
            if page.record_id in known:  # twice in one batch
                result.duplicate_records += 1
                continue
            known.add(page.record_id)
            key = (page.source_id, page.url_hash, page.content_hash)
            raw_page_id = same.get(key)
            if raw_page_id is None:
                row = conn.execute(_INSERT_PAGE_SQL, (
                    page.run_id, page.source_id, page.url, page.url_hash, page.http_status,
                    page.captured_at, page.url, page.content_type, page.etag,
                    page.last_modified, page.body, len(page.body), page.content_hash,
                    page.listed_at, page.discovered_via)).fetchone()
                assert row is not None
                raw_page_id = same[key] = row[0]
                result.stored += 1
            else:
                result.already_stored += 1
            conn.execute(_INSERT_PROVENANCE_SQL, (
                page.record_id, raw_page_id, page.archive, page.warc_file, page.record_offset,
                page.record_length, page.captured_at, page.run_id))
        result.duplicate_records += len(pages) - len(fresh)
    return result


_TOUCHED_SQL = """
SELECT DISTINCT r.source_id, (r.listed_at AT TIME ZONE 'UTC')::date AS day
  FROM raw_page_archives a
  JOIN raw_pages r USING (raw_page_id)
 WHERE a.warc_file = ANY(%(files)s)
   AND r.listed_at >= coalesce(%(start)s, '-infinity'::timestamptz)
   AND r.listed_at < coalesce(%(end)s, 'infinity'::timestamptz)
   AND (%(sources)s::text[] IS NULL OR r.source_id = ANY(%(sources)s))
 ORDER BY day, r.source_id
"""


def touched_days(conn: psycopg.Connection[Any], files: Sequence[str], window: Window | None,
                 sources: Sequence[str] | None) -> list[tuple[str, date]]:
    """(source, UTC day) pairs of the pages the records of `files` hold in `window` (every
    date when None), of `sources` (every source when None), by day."""
    with conn.transaction():
        rows = conn.execute(_TOUCHED_SQL, {
            "files": list(files), "start": window.start if window else None,
            "end": window.end if window else None,
            "sources": list(sources) if sources else None}).fetchall()
    return [(source, day) for source, day in rows]


_DAY_COUNTS_SQL = """
SELECT count(*) AS records,
       count(DISTINCT a.raw_page_id) FILTER (WHERE r.discovered_via LIKE 'archive:%%')
           AS archived_pages,
       count(*) FILTER (WHERE r.discovered_via NOT LIKE 'archive:%%'
                           OR r.discovered_via IS NULL) AS already_crawled
  FROM raw_page_archives a
  JOIN raw_pages r USING (raw_page_id)
 WHERE a.warc_file = ANY(%s) AND r.source_id = %s
   AND r.listed_at >= %s AND r.listed_at < %s
"""


def day_counts(conn: psycopg.Connection[Any], files: Sequence[str], source_id: str,
               window: Window) -> ArchiveImportResult:
    """What the records of `files` hold for one source and window: the import's crawl
    stage."""
    with conn.transaction():
        row = conn.execute(_DAY_COUNTS_SQL, (list(files), source_id, window.start,
                                             window.end)).fetchone()
    assert row is not None
    records, archived, crawled = (int(v or 0) for v in row)
    return ArchiveImportResult(listed=records, in_window=records, fetched=archived,
                               not_modified=crawled, archive_files=len(files))


# ---------------------------------------------------------------- per-file progress


def done_files(conn: psycopg.Connection[Any], scope: str) -> set[str]:
    """The files of `scope` read to their end."""
    with conn.transaction():
        rows = conn.execute("SELECT warc_file FROM archive_files WHERE scope = %s "
                            "AND status = %s", (scope, FileStatus.DONE)).fetchall()
    return {row[0] for row in rows}


def start_file(conn: psycopg.Connection[Any], scope: str, warc_file: str, run_id: str) -> None:
    """Mark a file being read; reading it again counts an attempt."""
    with conn.transaction():
        conn.execute(
            """INSERT INTO archive_files (scope, warc_file, run_id, status)
               VALUES (%(scope)s, %(file)s, %(run)s, %(status)s)
               ON CONFLICT (scope, warc_file) DO UPDATE
                  SET status = %(status)s, run_id = EXCLUDED.run_id,
                      attempts = archive_files.attempts + 1, started_at = now(),
                      finished_at = NULL, error = NULL""",
            {"scope": scope, "file": warc_file, "run": run_id, "status": FileStatus.RUNNING})


def finish_file(conn: psycopg.Connection[Any], scope: str, warc_file: str, status: FileStatus,
                bytes_read: int, counts: dict[str, Any], error: str | None = None) -> None:
    """Record how the reading of a file ended: done, or failed with the (masked) error."""
    with conn.transaction():
        conn.execute(
            """UPDATE archive_files
                  SET status = %s, bytes_read = %s, counts = %s, error = %s, finished_at = now()
                WHERE scope = %s AND warc_file = %s""",
            (status, bytes_read, Jsonb(counts), mask_secrets(error) if error else None, scope,
             warc_file))


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class StoredPage:
    raw_page_id: int
    run_id: str
    source_id: str
    url: str
    final_url: str | None
    http_status: int | None
    fetched_at: datetime
    content_type: str | None
    etag: str | None
    last_modified: str | None
    body: bytes
    content_hash: str | None
    listed_at: datetime | None
    discovered_via: str | None


_EXPORT_SQL = """
SELECT raw_page_id, run_id, source_id, url, final_url, http_status, fetched_at, content_type,
       etag, last_modified, body, content_hash, listed_at, discovered_via
  FROM raw_pages
 WHERE kind = 'article' AND outcome = 'fetched' AND body IS NOT NULL
   AND listed_at >= %(start)s AND listed_at < %(end)s
   AND (%(source)s::text IS NULL OR source_id = %(source)s)
 ORDER BY fetched_at, raw_page_id
"""


def stored_pages(conn: psycopg.Connection[Any], window: Window, source_id: str | None = None,
                 batch: int = 200) -> Iterator[StoredPage]:
    """Every stored page with its HTML listed in `window`, oldest fetch first, from a
    server-side cursor (a range of any size never sits in memory at once)."""
    with conn.transaction(), conn.cursor(name="autonews_export_warc") as cur:
        cur.itersize = batch
        cur.execute(_EXPORT_SQL, {"start": window.start, "end": window.end,
                                  "source": source_id})
        for row in cur:
            values = list(row)
            values[10] = bytes(values[10])
            yield StoredPage(*values)

"""Import WARC files: keep the response records of configured sources whose page falls in
the window, store them as `raw_pages` with their provenance, then clean, gate and load the
days they hold exactly as a crawl's (`autonews.jobs`)."""

from __future__ import annotations

import hashlib
import http.client
import logging
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import psycopg

from autonews.archives.loading import load_days
from autonews.archives.matching import SourceMatcher, date_page, is_http_url
from autonews.archives.reader import CountingReader, Damage, parse_record, split_records
from autonews.core.errors import ArchiveUnavailable
from autonews.core.results import SourceSummary
from autonews.core.secrets import mask_secrets
from autonews.core.settings import Settings
from autonews.core.source import Source
from autonews.core.vocabulary import ArchiveKind, FileStatus, Trigger
from autonews.core.window import Window
from autonews.jobs import new_run_id
from transforms import url_hash
from warehouse import archives
from warehouse.connection import connect

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
BATCH = 50


@dataclass
class FileProgress:
    """What the progress display needs while a file is read."""

    location: str
    bytes_read: int = 0
    total_bytes: int | None = None
    counts: Counter[str] = field(default_factory=Counter)


ProgressFn = Callable[[FileProgress], None]


@contextmanager
def open_archive(location: str, settings: Settings) -> Iterator[tuple[BinaryIO, int | None]]:
    """(stream, size in bytes or None) of a local WARC file or an http(s) URL, streamed:
    nothing is written to disk. A server silent for `settings.archive_timeout` seconds
    breaks the download off."""
    if location.startswith(("http://", "https://")):
        from scrapers.run import user_agent

        request = urllib.request.Request(location,
                                         headers={"User-Agent": user_agent(settings)})
        try:
            response = urllib.request.urlopen(  # noqa: S310 - http(s) only, checked above
                request, timeout=settings.archive_timeout)
        except urllib.error.HTTPError as exc:
            raise ArchiveUnavailable(f"cannot fetch {location}: HTTP {exc.code} {exc.reason}"
                                     ) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ArchiveUnavailable(f"cannot fetch {location}: {reason}") from exc
        with response:
            length = response.headers.get("Content-Length")
            yield response, int(length) if length and length.isdigit() else None
        return
    path = Path(location)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ArchiveUnavailable(f"cannot read {location}: {exc.strerror or exc}") from exc
    with handle:
        yield handle, path.stat().st_size


def archive_name(location: str) -> str:
    """A file's identity in the warehouse: its URL, or its absolute path."""
    if location.startswith(("http://", "https://")):
        return location
    return str(Path(location).resolve())


def import_file(
    dsn: str,
    location: str,
    sources: list[Source],
    window: Window | None,
    run_id: str,
    settings: Settings,
    *,
    archive: ArchiveKind = ArchiveKind.WARC,
    scope: str | None = None,
    name: str | None = None,
    on_progress: ProgressFn | None = None,
) -> Counter[str]:
    """Read one WARC file and store the pages it holds for `sources` in `window` (every
    date when None). Damaged records are skipped and counted; the file's row in
    `archive_files` (under `scope`, default the run id) says how it went. Raises
    `ArchiveUnavailable` when the file cannot be opened or its download breaks off. `name`
    is the file's identity in the warehouse (default: `location`)."""
    scope = scope or run_id
    name = name or location
    matcher = SourceMatcher(sources)
    progress = FileProgress(location)
    counts = progress.counts
    with connect(dsn) as conn:
        archives.start_file(conn, scope, name, run_id)
        try:
            with open_archive(location, settings) as (stream, size):
                progress.total_bytes = size
                reader = CountingReader(stream, size)
                _read_into(conn, reader, name, matcher, window, run_id, archive, progress,
                           on_progress)
        except (ArchiveUnavailable, OSError, http.client.HTTPException, psycopg.Error) as exc:
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.rollback()
            message = str(exc) if isinstance(exc, ArchiveUnavailable) else \
                f"reading {location} broke off after {progress.bytes_read} bytes: " \
                f"{type(exc).__name__}: {exc}"
            archives.finish_file(conn, scope, name, FileStatus.FAILED, progress.bytes_read,
                                 dict(counts), message)
            if isinstance(exc, psycopg.Error):
                raise
            raise ArchiveUnavailable(mask_secrets(message)) from exc
        archives.finish_file(conn, scope, name, FileStatus.DONE, progress.bytes_read,
                             dict(counts))
    return counts


def _read_into(conn: psycopg.Connection[Any], reader: CountingReader, location: str,
               matcher: SourceMatcher, window: Window | None, run_id: str,
               archive: ArchiveKind,
               progress: FileProgress, on_progress: ProgressFn | None) -> None:
    counts = progress.counts
    batch: list[archives.ArchivedPage] = []
    shown = 0.0

    def flush() -> None:
        stored = archives.store_pages(conn, batch)
        counts["stored"] += stored.stored
        counts["already_stored"] += stored.already_stored
        counts["duplicate_records"] += stored.duplicate_records
        batch.clear()

    try:
        for item in split_records(reader):
            progress.bytes_read = reader.bytes_read
            if isinstance(item, Damage):
                counts[item.kind] += 1
                log.warning("%s: offset %d: %s record skipped: %s", location, item.offset,
                            item.kind, item.detail)
            else:
                counts["records"] += 1
                page = _page_of(item, location, matcher, window, run_id, archive, counts)
                if page is not None:
                    batch.append(page)
                    if len(batch) >= BATCH:
                        flush()
            if on_progress is not None and time.monotonic() - shown > 0.2:
                shown = time.monotonic()
                on_progress(progress)
    except (OSError, http.client.HTTPException):
        flush()  # the records read whole before the break are good: keep them
        raise
    flush()
    progress.bytes_read = reader.bytes_read
    if on_progress is not None:
        on_progress(progress)


def _page_of(raw: Any, location: str, matcher: SourceMatcher, window: Window | None,
             run_id: str, archive: ArchiveKind, counts: Counter[str]
             ) -> archives.ArchivedPage | None:
    """The raw page a record gives, or None with the reason counted."""
    try:
        record = parse_record(raw)
    except ValueError as exc:
        counts["corrupt"] += 1
        log.warning("%s: offset %d: corrupt record skipped: %s", location, raw.offset, exc)
        return None
    if record.record_type != "response":
        counts[f"{record.record_type or 'untyped'}_records"] += 1
        return None
    counts["responses"] += 1
    uri = record.target_uri
    if not uri or not is_http_url(uri) or record.captured_at is None:
        counts["corrupt"] += 1
        log.warning("%s: offset %d: response without an http(s) target URI or a WARC-Date",
                    location, raw.offset)
        return None
    source = matcher.match(uri)
    if source is None:
        counts["other_host" if not matcher.host_known(uri) else "not_an_article_url"] += 1
        return None
    if record.http_status != 200:
        counts[f"http_{(record.http_status or 0) // 100}xx"] += 1
        return None
    content_type = record.http_headers.get("content-type")
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime and mime not in HTML_TYPES:
        counts["not_html"] += 1
        return None
    try:
        body = record.read_payload()
    except ValueError as exc:
        counts["corrupt"] += 1
        log.warning("%s: offset %d: %s", location, raw.offset, exc)
        return None
    dated = date_page(body, uri, source, matcher.rules(source), content_type,
                      record.captured_at)
    if dated.published_at is None:
        counts["undated"] += 1
        return None
    if dated.after_capture:
        counts["dated_after_capture"] += 1
    if window is not None and not window.contains(dated.published_at):
        counts["out_of_window"] += 1
        return None
    counts["matched"] += 1
    content_hash = hashlib.sha256(body).hexdigest()
    record_id = record.record_id or "urn:autonews:sha256:" + hashlib.sha256(
        f"{uri}\n{record.captured_at.isoformat()}\n{content_hash}".encode()).hexdigest()
    return archives.ArchivedPage(
        record_id=record_id, archive=archive, warc_file=location, record_offset=raw.offset,
        record_length=raw.length, captured_at=record.captured_at, run_id=run_id,
        source_id=source.id, url=uri, url_hash=url_hash(uri),
        http_status=record.http_status, content_type=content_type,
        etag=record.http_headers.get("etag"),
        last_modified=record.http_headers.get("last-modified"), body=body,
        content_hash=content_hash, listed_at=dated.published_at,
        discovered_via=f"archive:{dated.basis}")


@dataclass
class ImportReport:
    """What `import_warcs` did: counts per file, errors per file, a summary per (day,
    source) loaded."""

    run_id: str
    files: dict[str, Counter[str]]
    errors: dict[str, str]
    days: list[tuple[date, SourceSummary]]

    @property
    def ok(self) -> bool:
        return not self.errors and all(s.ok for _, s in self.days)


def import_warcs(dsn: str, locations: list[str], sources: list[Source], window: Window | None,
                 settings: Settings, *, on_progress: ProgressFn | None = None) -> ImportReport:
    """`autonews import-warc`: import every file, then clean, gate and load the days they
    hold. A file that cannot be read (or whose download breaks off) is reported and the
    others are still imported; what a broken file gave before the break is kept."""
    report = ImportReport(new_run_id(Trigger.ARCHIVE), {}, {}, [])
    names = [archive_name(location) for location in locations]
    for location, name in zip(locations, names, strict=True):
        try:
            report.files[location] = import_file(dsn, location, sources, window,
                                                 report.run_id, settings, name=name,
                                                 on_progress=on_progress)
        except ArchiveUnavailable as exc:
            report.errors[location] = str(exc)
            log.error("%s", exc)
    report.days = load_days(dsn, sources, names, window, report.run_id,
                            trigger=Trigger.ARCHIVE, settings=settings)
    return report

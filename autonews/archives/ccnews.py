"""Backfill from Common Crawl's news archive (CC-NEWS): list the archive's files for the
months a window needs, pick those whose capture times can hold its pages, stream and import
them, remembering which are done so a killed backfill resumes at the next unfinished file.

CC-NEWS publishes, per month, `crawl-data/CC-NEWS/YYYY/MM/warc.paths.gz`: one path per line,
`crawl-data/CC-NEWS/YYYY/MM/CC-NEWS-<YYYYMMDDHHMMSS>-<serial>.warc.gz`, the timestamp being
when the file's captures start (a file holds the captures up to the next file's start).
News is captured after it is published: a page of day D can be in files of D..D+lag.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from autonews import jobs
from autonews.archives.importer import ArchiveUnavailable, FileProgress, import_file
from autonews.archives.loading import process_days
from autonews.sources import Source
from warehouse import archives
from warehouse.connection import connect

log = logging.getLogger(__name__)

BASE_URL_ENV = "AUTONEWS_CCNEWS_BASE_URL"
LAG_DAYS_ENV = "AUTONEWS_CCNEWS_LAG_DAYS"
DEFAULT_BASE_URL = "https://data.commoncrawl.org"
DEFAULT_LAG_DAYS = 3
FIRST_MONTH = date(2016, 8, 1)  # CC-NEWS starts in August 2016
_FILE_NAME = re.compile(r"CC-NEWS-(\d{14})-(\d{5})\.warc\.gz$")


class CCNewsError(ValueError):
    """A CC-NEWS backfill that cannot start (bad setting, no listing); names what."""


def settings(base_url: str | None = None, lag_days: int | None = None) -> tuple[str, int]:
    """(base URL, lag in days): the arguments, else `AUTONEWS_CCNEWS_BASE_URL` /
    `AUTONEWS_CCNEWS_LAG_DAYS`, else Common Crawl's public endpoint and 3 days."""
    base = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise CCNewsError(f"{BASE_URL_ENV} '{base}' is not an http(s) URL")
    if lag_days is None:
        raw = os.environ.get(LAG_DAYS_ENV, str(DEFAULT_LAG_DAYS))
        try:
            lag_days = int(raw)
        except ValueError as exc:
            raise CCNewsError(f"{LAG_DAYS_ENV} '{raw}' is not a whole number of days") from exc
    if not 0 <= lag_days <= 60:
        raise CCNewsError(f"the capture lag must be 0-60 days, got {lag_days}")
    return base, lag_days


@dataclass(frozen=True)
class CCNewsFile:
    path: str  # crawl-data/CC-NEWS/...: the file's identity, whichever mirror serves it
    starts_at: datetime

    def url(self, base: str) -> str:
        return f"{base}/{self.path}"


def parse_listing(text: str) -> list[CCNewsFile]:
    """The files of a `warc.paths.gz` listing (decompressed), in capture order."""
    files = []
    for line in text.splitlines():
        line = line.strip()
        match = _FILE_NAME.search(line)
        if not match:
            if line:
                log.warning("CC-NEWS listing: ignored line %r", line[:120])
            continue
        starts = datetime.strptime(match.group(1), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        files.append(CCNewsFile(line.lstrip("/"), starts))
    return sorted(files, key=lambda f: (f.starts_at, f.path))


def list_month(base: str, month: date, timeout: float = 60) -> list[CCNewsFile] | None:
    """The files of one month, or None when the archive has no listing for it (404)."""
    from scrapers.settings import USER_AGENT

    url = f"{base}/crawl-data/CC-NEWS/{month:%Y/%m}/warc.paths.gz"
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(64 * 1024 * 1024)
    except urllib.error.HTTPError as exc:
        if exc.code in (403, 404):
            return None
        raise ArchiveUnavailable(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ArchiveUnavailable(f"cannot fetch {url}: {getattr(exc, 'reason', exc)}"
                                 ) from exc
    try:
        text = gzip.decompress(data).decode("utf-8") if data[:2] == b"\x1f\x8b" \
            else data.decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ArchiveUnavailable(f"{url} is not a gzipped list of paths: {exc}") from exc
    return parse_listing(text)


def _months(first: date, last: date) -> list[date]:
    months = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def choose_files(files: list[CCNewsFile], window: jobs.Window, lag_days: int
                 ) -> list[CCNewsFile]:
    """The files whose captures can hold pages published in `window`: captures run from a
    file's start to the next file's start; pages are captured in [published, + lag days]."""
    latest = window.end + timedelta(days=lag_days)
    ordered = sorted(files, key=lambda f: (f.starts_at, f.path))
    chosen = []
    for i, current in enumerate(ordered):
        following = ordered[i + 1].starts_at if i + 1 < len(ordered) else None
        if current.starts_at >= latest:
            break
        if following is not None and following <= window.start:
            continue
        chosen.append(current)
    return chosen


@dataclass(frozen=True)
class BackfillPlan:
    """What a CC-NEWS backfill reads: its scope (the key of its progress rows), window,
    files, and which of them an earlier run already finished."""

    scope: str
    window: jobs.Window
    base_url: str
    lag_days: int
    files: list[CCNewsFile]
    done: frozenset[str] = frozenset()
    missing_months: tuple[str, ...] = ()

    @property
    def pending(self) -> list[CCNewsFile]:
        return [f for f in self.files if f.path not in self.done]

    @property
    def run_id(self) -> str:
        """The backfill's run id: the same for a rerun of the same backfill (a resume)."""
        return "ccnews-" + hashlib.sha256(self.scope.encode()).hexdigest()[:12]


def backfill_scope(first: date, last: date, sources: list[Source], lag_days: int) -> str:
    ids = ",".join(sorted(s.id for s in sources))
    return f"ccnews:{first}..{last}:lag={lag_days}:sources={ids}"


def day_window(first: date, last: date) -> jobs.Window:
    days = jobs.days_between(first, last)
    return jobs.Window(jobs.Window.for_day(days[0]).start, jobs.Window.for_day(days[-1]).end)


def plan_backfill(dsn: str, sources: list[Source], first: date, last: date, *,
                  base_url: str | None = None, lag_days: int | None = None) -> BackfillPlan:
    """List the archive for the window (the month before it too: its last file may run
    into the window) and pick the files to read; raises `CCNewsError` when the archive
    lists nothing for the window."""
    base, lag = settings(base_url, lag_days)
    window = day_window(first, last)
    start_month = max(FIRST_MONTH, (first.replace(day=1) - timedelta(days=1)).replace(day=1))
    end_day = min((window.end + timedelta(days=lag)).date(), datetime.now(UTC).date())
    found: list[CCNewsFile] = []
    missing = []
    for month in _months(start_month, end_day):
        listed = list_month(base, month)
        if listed is None:
            missing.append(f"{month:%Y/%m}")
        else:
            found.extend(listed)
    files = choose_files(found, window, lag)
    if not files:
        raise CCNewsError(f"CC-NEWS at {base} lists no file for {first}..{last} (+{lag} days "
                          f"of capture lag); months without a listing: "
                          f"{', '.join(missing) or 'none'}")
    scope = backfill_scope(first, last, sources, lag)
    with connect(dsn) as conn:
        done = archives.done_files(conn, scope)
    return BackfillPlan(scope, window, base, lag, files, frozenset(done), tuple(missing))


@dataclass
class BackfillProgress:
    """Files and bytes of a backfill, for a progress display."""

    files_total: int
    files_done: int = 0
    files_skipped: int = 0
    bytes_done: int = 0
    current: FileProgress | None = None

    @property
    def bytes_read(self) -> int:
        return self.bytes_done + (self.current.bytes_read if self.current else 0)


@dataclass
class BackfillReport:
    plan: BackfillPlan
    files: dict[str, Counter[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    days: list[tuple[date, jobs.SourceResult]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and all(r.ok for _, r in self.days)


def import_planned_file(dsn: str, plan: BackfillPlan, sources: list[Source], path: str,
                        run_id: str, on_progress: Callable[[FileProgress], None] | None = None,
                        ) -> Counter[str]:
    """Import one CC-NEWS file of a plan (a DAG's mapped task, or one step of the CLI)."""
    return import_file(dsn, f"{plan.base_url}/{path}", sources, plan.window, run_id,
                       archive="ccnews", scope=plan.scope, name=path, on_progress=on_progress)


def ccnews_backfill(dsn: str, sources: list[Source], first: date, last: date, *,
                    base_url: str | None = None, lag_days: int | None = None,
                    run_id: str | None = None,
                    on_progress: Callable[[BackfillProgress], None] | None = None,
                    ) -> BackfillReport:
    """`autonews backfill --ccnews`: import the window's CC-NEWS files not done yet, then
    clean, gate and load every (source, day) they hold. A file that fails is reported (and
    retried by the next run); the others go on."""
    plan = plan_backfill(dsn, sources, first, last, base_url=base_url, lag_days=lag_days)
    run_id = run_id or plan.run_id
    report = BackfillReport(plan)
    progress = BackfillProgress(len(plan.files), files_skipped=len(plan.files)
                                - len(plan.pending))
    for file in plan.pending:
        def shown(current: FileProgress) -> None:
            progress.current = current
            if on_progress is not None:
                on_progress(progress)

        try:
            report.files[file.path] = import_planned_file(dsn, plan, sources, file.path,
                                                          run_id, shown)
        except ArchiveUnavailable as exc:
            report.errors[file.path] = str(exc)
            log.error("%s", exc)
        progress.files_done += 1
        if progress.current is not None:
            progress.bytes_done += progress.current.bytes_read
            progress.current = None
        if on_progress is not None:
            on_progress(progress)
    report.days = finish_backfill(dsn, plan, sources, run_id)
    return report


def finish_backfill(dsn: str, plan: BackfillPlan, sources: list[Source], run_id: str
                    ) -> list[tuple[date, jobs.SourceResult]]:
    """Clean, gate and load the days the plan's files hold (runs `<run_id>-<day>`)."""
    return process_days(dsn, sources, [f.path for f in plan.files], plan.window, run_id,
                        trigger="ccnews")


def rebuild_plan(sources: list[Source], first: date, last: date, paths: list[str], *,
                 base_url: str | None = None, lag_days: int | None = None) -> BackfillPlan:
    """The plan of a backfill whose files were listed before (by another task), without
    listing the archive again."""
    base, lag = settings(base_url, lag_days)
    files = [CCNewsFile(p, datetime.min.replace(tzinfo=UTC)) for p in paths]
    return BackfillPlan(backfill_scope(first, last, sources, lag), day_window(first, last),
                        base, lag, files)


def parse_params(params: dict[str, object], today: date) -> tuple[date, date, str | None]:
    """(first day, last day, source id or None) of a DAG run's `from` / `to` / `source`
    params; `CCNewsError` naming the param when one is missing or wrong."""
    values = {}
    for key in ("from", "to"):
        raw = params.get(key)
        if not raw:
            raise CCNewsError(f"param '{key}' is required (YYYY-MM-DD)")
        try:
            values[key] = date.fromisoformat(str(raw))
        except ValueError as exc:
            raise CCNewsError(f"param '{key}' '{raw}' is not a date (YYYY-MM-DD)") from exc
        if values[key] > today:
            raise CCNewsError(f"param '{key}' {values[key]} is in the future")
        if values[key] < FIRST_MONTH:
            raise CCNewsError(f"param '{key}' {values[key]} is before CC-NEWS began "
                              f"({FIRST_MONTH:%Y-%m})")
    if values["from"] > values["to"]:
        raise CCNewsError(f"param 'from' {values['from']} is after 'to' {values['to']}")
    source = params.get("source")
    return values["from"], values["to"], str(source) if source else None

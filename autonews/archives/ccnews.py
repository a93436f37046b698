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
import re
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from autonews.archives.importer import FileProgress, import_file
from autonews.archives.loading import load_days
from autonews.core.errors import ArchiveUnavailable, BadInput
from autonews.core.results import SourceSummary
from autonews.core.settings import Settings, check_lag_days
from autonews.core.source import Source
from autonews.core.vocabulary import ArchiveKind, Trigger
from autonews.core.window import Window, parse_day, today_utc
from warehouse import archives
from warehouse.connection import connect

log = logging.getLogger(__name__)

FIRST_MONTH = date(2016, 8, 1)  # CC-NEWS starts in August 2016
_FILE_NAME = re.compile(r"CC-NEWS-(\d{14})-(\d{5})\.warc\.gz$")


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


def list_month(base: str, month: date, settings: Settings) -> list[CCNewsFile] | None:
    """The files of one month, or None when the archive has no listing for it (404)."""
    from scrapers.run import user_agent

    url = f"{base}/crawl-data/CC-NEWS/{month:%Y/%m}/warc.paths.gz"
    request = urllib.request.Request(url, headers={"User-Agent": user_agent(settings)})
    try:
        with urllib.request.urlopen(  # noqa: S310 - the base URL is checked to be http(s)
                request, timeout=settings.archive_timeout) as response:
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


def choose_files(files: list[CCNewsFile], window: Window, lag_days: int
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
    window: Window
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


def backfill_scope(window: Window, sources: list[Source], lag_days: int) -> str:
    ids = ",".join(sorted(s.id for s in sources))
    return f"ccnews:{window.first_day}..{window.last_day}:lag={lag_days}:sources={ids}"


def _base_and_lag(settings: Settings, base_url: str | None, lag_days: int | None
                  ) -> tuple[str, int]:
    base = (base_url or settings.ccnews_base_url).rstrip("/")
    lag = settings.ccnews_lag_days if lag_days is None else check_lag_days(lag_days,
                                                                           "--lag-days")
    return base, lag


def plan_backfill(dsn: str, sources: list[Source], window: Window, settings: Settings, *,
                  base_url: str | None = None, lag_days: int | None = None) -> BackfillPlan:
    """List the archive for the window (the month before it too: its last file may run
    into the window) and pick the files to read; `BadInput` when the archive lists nothing
    for the window. `base_url` and `lag_days` default to the settings'."""
    base, lag = _base_and_lag(settings, base_url, lag_days)
    first, last = window.first_day, window.last_day
    start_month = max(FIRST_MONTH, (first.replace(day=1) - timedelta(days=1)).replace(day=1))
    end_day = min((window.end + timedelta(days=lag)).date(), today_utc())
    found: list[CCNewsFile] = []
    missing = []
    for month in _months(start_month, end_day):
        listed = list_month(base, month, settings)
        if listed is None:
            missing.append(f"{month:%Y/%m}")
        else:
            found.extend(listed)
    files = choose_files(found, window, lag)
    if not files:
        raise BadInput(f"CC-NEWS at {base} lists no file for {first}..{last} (+{lag} days "
                       f"of capture lag); months without a listing: "
                       f"{', '.join(missing) or 'none'}")
    scope = backfill_scope(window, sources, lag)
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
    days: list[tuple[date, SourceSummary]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and all(s.ok for _, s in self.days)


def import_planned_file(dsn: str, plan: BackfillPlan, sources: list[Source], path: str,
                        run_id: str, settings: Settings,
                        on_progress: Callable[[FileProgress], None] | None = None,
                        ) -> Counter[str]:
    """Import one CC-NEWS file of a plan (a DAG's mapped task, or one step of the CLI)."""
    return import_file(dsn, f"{plan.base_url}/{path}", sources, plan.window, run_id, settings,
                       archive=ArchiveKind.CCNEWS, scope=plan.scope, name=path,
                       on_progress=on_progress)


def ccnews_backfill(dsn: str, sources: list[Source], window: Window, settings: Settings, *,
                    base_url: str | None = None, lag_days: int | None = None,
                    run_id: str | None = None,
                    on_progress: Callable[[BackfillProgress], None] | None = None,
                    ) -> BackfillReport:
    """`autonews backfill --ccnews`: import the window's CC-NEWS files not done yet, then
    clean, gate and load every (source, day) they hold. A file that fails is reported (and
    retried by the next run); the others go on."""
    plan = plan_backfill(dsn, sources, window, settings, base_url=base_url, lag_days=lag_days)
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
                                                          run_id, settings, shown)
        except ArchiveUnavailable as exc:
            report.errors[file.path] = str(exc)
            log.error("%s", exc)
        progress.files_done += 1
        if progress.current is not None:
            progress.bytes_done += progress.current.bytes_read
            progress.current = None
        if on_progress is not None:
            on_progress(progress)
    report.days = finish_backfill(dsn, plan, sources, run_id, settings)
    return report


def finish_backfill(dsn: str, plan: BackfillPlan, sources: list[Source], run_id: str,
                    settings: Settings) -> list[tuple[date, SourceSummary]]:
    """Clean, gate and load the days the plan's files hold (runs `<run_id>-<day>`)."""
    return load_days(dsn, sources, [f.path for f in plan.files], plan.window, run_id,
                     trigger=Trigger.CCNEWS, settings=settings)


def rebuild_plan(sources: list[Source], window: Window, paths: list[str], settings: Settings
                 ) -> BackfillPlan:
    """The plan of a backfill whose files were listed before (by another task), without
    listing the archive again."""
    base, lag = _base_and_lag(settings, None, None)
    files = [CCNewsFile(p, datetime.min.replace(tzinfo=UTC)) for p in paths]
    return BackfillPlan(backfill_scope(window, sources, lag), window, base, lag, files)


def parse_params(params: Mapping[str, object], today: date) -> tuple[Window, str | None]:
    """(window, source id or None) of a DAG run's `from` / `to` / `source` params;
    `BadInput` naming the param when one is missing or wrong."""
    days = {}
    for key in ("from", "to"):
        raw = params.get(key)
        if not raw:
            raise BadInput(f"param '{key}' is required (YYYY-MM-DD)")
        days[key] = parse_day(str(raw), option=f"param '{key}'", latest=today)
        if days[key] < FIRST_MONTH:
            raise BadInput(f"param '{key}' {days[key]} is before CC-NEWS began "
                           f"({FIRST_MONTH:%Y-%m})")
    if days["from"] > days["to"]:
        raise BadInput(f"param 'from' {days['from']} is after 'to' {days['to']}")
    source = params.get("source")
    return Window.days(days["from"], days["to"]), str(source) if source else None

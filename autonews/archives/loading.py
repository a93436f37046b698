"""The days an archive import brought in, cleaned, gated and loaded as a crawl's: one run per
(source, UTC day), `<run>-<day>`, the import recorded as that run's crawl stage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from autonews.core.results import ArchiveImportResult, SourceSummary
from autonews.core.settings import Settings
from autonews.core.source import Source
from autonews.core.vocabulary import Stage
from autonews.core.window import Window
from autonews.jobs import run_stages
from autonews.jobs.stage import recorded_stage
from warehouse import archives
from warehouse.connection import connect


def load_days(dsn: str, sources: Sequence[Source], files: Sequence[str], window: Window | None,
              base_run_id: str, *, trigger: str, settings: Settings,
              on_day: Callable[[date, str], None] | None = None,
              ) -> list[tuple[date, SourceSummary]]:
    """Clean, gate and load every (source, UTC day) the records of `files` hold in `window`
    (every date when None), each as its own run `<base_run_id>-<day>`. Returns the
    summaries in day order."""
    by_id = {s.id: s for s in sources}
    with connect(dsn) as conn:
        pairs = archives.touched_days(conn, files, window, list(by_id))
    results = []
    for source_id, day in pairs:
        if on_day is not None:
            on_day(day, source_id)
        results.append((day, load_day(dsn, by_id[source_id], files, day,
                                      f"{base_run_id}-{day}", trigger=trigger,
                                      settings=settings)))
    return results


def load_day(dsn: str, source: Source, files: Sequence[str], day: date, run_id: str, *,
             trigger: str, settings: Settings) -> SourceSummary:
    """The import (what `files` hold for the source and day, as the crawl stage) -> clean ->
    gate -> load, through the jobs' own `run_stages`."""
    window = Window.for_day(day)

    def imported() -> ArchiveImportResult:
        with recorded_stage(dsn, run_id, source.id, Stage.CRAWL, window, trigger,
                            ArchiveImportResult(archive_files=len(files))) as (conn, recorded):
            recorded.result = archives.day_counts(conn, files, source.id, window)
        return recorded.result

    return run_stages(dsn, source, window, run_id, imported, trigger=trigger,
                      settings=settings)

"""The days an archive import brought in, cleaned, gated and loaded as a crawl's: one run per
UTC day (`<run>-<day>`), the import recorded as that run's `crawl` stage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import psycopg

from autonews import jobs
from autonews.sources import Source
from warehouse import archives, runs
from warehouse.connection import connect, mask_dsn


def process_days(dsn: str, sources: list[Source], files: list[str],
                 window: jobs.Window | None, base_run_id: str, *, trigger: str,
                 on_day: Callable[[date, str], None] | None = None,
                 ) -> list[tuple[date, jobs.SourceResult]]:
    """Clean, gate and load every (source, UTC day) the records of `files` hold in
    `window`, as one run per day (`<base_run_id>-<day>`), the import recorded as its crawl
    stage. Returns the results in day order."""
    by_id = {s.id: s for s in sources}
    with connect(dsn) as conn:
        pairs = archives.touched_days(conn, files, window.start if window else None,
                                      window.end if window else None, list(by_id))
    results = []
    for source_id, day in pairs:
        if on_day is not None:
            on_day(day, source_id)
        results.append((day, process_day(dsn, by_id[source_id], files, day,
                                         f"{base_run_id}-{day}", trigger=trigger)))
    return results


def process_day(dsn: str, source: Source, files: list[str], day: date, run_id: str, *,
                trigger: str) -> jobs.SourceResult:
    """crawl (the archive's figures) -> clean -> gate -> load of one source and day; a
    failed stage skips the later ones, as in `jobs.run_source`."""
    window = jobs.Window.for_day(day)
    result = jobs.SourceResult(source.id, {}, {}, {})
    stage = "crawl"
    try:
        with connect(dsn) as conn:
            runs.start_stage(conn, run_id, source.id, "crawl", window.bounds, trigger)
            result.crawl = archives.day_counts(conn, files, source.id, window.start,
                                               window.end)
            runs.finish_stage(conn, run_id, source.id, "crawl", "success",
                              {**result.crawl, "archive_files": len(files)})
        stage = "clean"
        result.clean = jobs.clean_source(dsn, source, window, run_id, trigger=trigger)
        stage = "gate"
        result.gate = jobs.gate_source(dsn, source.id, window, run_id, trigger=trigger)
        stage = "load"
        result.load = jobs.load_source(dsn, source.id, window, run_id, trigger=trigger)
    except (jobs.StageFailed, psycopg.Error, OSError) as exc:
        result.error = f"{stage}: {mask_dsn(str(exc))}"
        for skipped in jobs.STAGES[jobs.STAGES.index(stage) + 1:]:
            try:
                jobs.skip_stage(dsn, source.id, window, run_id, skipped, f"{stage} failed",
                                trigger)
            except psycopg.Error:
                pass
    return result

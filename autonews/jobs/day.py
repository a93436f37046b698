"""A source's whole run (crawl -> clean -> gate -> load, the crawl or an archive import
bringing the pages), a reclean, and what every run needs first: a migrated warehouse, a run
id, and the remains of dead runs of the same source and day cleared away."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg

from autonews.core.errors import AutonewsError, GateFailed, StageFailed, WarehouseError
from autonews.core.results import CrawlResult, RecleanResult, SourceSummary
from autonews.core.secrets import mask_secrets
from autonews.core.settings import Settings
from autonews.core.source import Source
from autonews.core.vocabulary import STAGES, Stage, Status, Trigger
from autonews.core.window import Window
from autonews.jobs import crawl as crawl_job
from autonews.jobs.clean import clean_source
from autonews.jobs.crawl import ProgressFn, crawl_source
from autonews.jobs.gate import gate_source
from autonews.jobs.load import load_source
from autonews.jobs.stage import fail_stage, skip_stage
from warehouse import runs, staging
from warehouse.connection import connect
from warehouse.locks import stage_is_alive
from warehouse.schema import migrate

log = logging.getLogger(__name__)

# Staged articles of a day the gate refused wait this long for a recovery (clear the gate
# after a threshold change) before a run's preparation drops them.
STAGED_KEPT_FOR = timedelta(days=14)


def new_run_id(trigger: str = Trigger.CLI) -> str:
    """A unique id for a run started outside Airflow: `<trigger>-<UTC time>-<random>`."""
    return f"{trigger}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def prepare_warehouse(dsn: str) -> list[str]:
    """Apply pending migrations and drop staged rows no recovery will load any more
    (`STAGED_KEPT_FOR`); returns the names of the migrations applied."""
    with connect(dsn) as conn:
        applied = [f"{m.version:04d}_{m.name}" for m in migrate(conn)]
        dropped = staging.discard_stale(conn, STAGED_KEPT_FOR)
    if dropped:
        log.info("dropped %d staged articles older than %s that no load took", dropped,
                 STAGED_KEPT_FOR)
    return applied


def reap_abandoned(dsn: str, source_id: str, window: Window, run_id: str) -> list[str]:
    """Clear what dead runs of `source_id` left for `window`: each `running` stage whose
    process is gone (nobody holds its liveness mark) is recorded failed, saying so, and the
    staged articles of failed runs (never to be loaded) are dropped. Live runs are left
    alone. Returns one line per thing done, for the run's summary."""
    notes: list[str] = []
    with connect(dsn) as conn:
        for other, stage in runs.abandoned_candidates(conn, source_id, window, run_id):
            if stage_is_alive(conn, other, source_id, stage):
                log.warning("%s: run %s is still running its %s stage for %s", source_id,
                            other, stage, window)
                continue
            error = (f"abandoned: the process running this stage is gone (killed or "
                     f"lost); found by run {run_id} at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
            if runs.mark_abandoned(conn, other, source_id, stage, error):
                notes.append(f"run {other}: its {stage} stage was left running by a process "
                             "that is gone; recorded as failed")
        for other in runs.failed_runs_with_staged_rows(conn, source_id, window, run_id):
            dropped = staging.discard_abandoned(conn, other, source_id)
            if dropped:
                notes.append(f"run {other}: {dropped} staged articles it never loaded "
                             "were dropped")
    for note in notes:
        log.warning("%s %s: %s", source_id, window, note)
    return notes


class NotStarted(StageFailed):
    """A stage that did not start: the process is stopping, or the run's time is spent."""


def _check_not_stopped(deadline: float | None = None) -> None:
    if crawl_job.stop_requested():
        raise NotStarted(f"not started: {crawl_job.stop_reason()}")
    if deadline is not None and time.monotonic() >= deadline:
        raise NotStarted("not started: the run's time budget was spent before it "
                         "(AUTONEWS_RUN_BUDGET, --budget)")


def run_source(dsn: str, source: Source, window: Window, run_id: str, *,
               trigger: str = Trigger.CLI, on_progress: ProgressFn | None = None,
               settings: Settings | None = None, deadline: float | None = None,
               lock_wait: float | None = None) -> SourceSummary:
    """crawl -> clean -> gate -> load for one source (see `run_stages`). `deadline` (a
    `time.monotonic()` instant: the run's budget) caps the crawl's time below the source's
    `CRAWL_TIME_BUDGET`; a source reached after it is recorded as failed, not started.
    `lock_wait` bounds the wait for the site lock (default: `Settings.lock_wait`)."""
    settings = settings or Settings.from_env()

    def crawl() -> CrawlResult:
        budget = None if deadline is None else deadline - time.monotonic()
        return crawl_source(dsn, source, window, run_id, trigger=trigger,
                            on_progress=on_progress, settings=settings, timeout=budget,
                            lock_wait=lock_wait)

    return run_stages(dsn, source, window, run_id, crawl, trigger=trigger,
                      settings=settings, deadline=deadline)


def run_stages(dsn: str, source: Source, window: Window, run_id: str,
               gather: Callable[[], CrawlResult], *, trigger: str = Trigger.CLI,
               settings: Settings | None = None, deadline: float | None = None
               ) -> SourceSummary:
    """Reap what dead runs of the same source and day left (`reap_abandoned`), then
    `gather` (the crawl stage: how the window's pages reach `raw_pages`, recorded by
    itself: a crawl, or an archive import's day) -> clean -> gate -> load for one source.
    A failed stage skips the later ones (recorded as skipped) and the summary says which
    stage failed and why; a warehouse that is gone is raised, being every source's
    problem. No stage starts once the process is stopping (`interrupt_crawls`), nor the
    crawl after `deadline`."""
    settings = settings or Settings.from_env()
    summary = SourceSummary(source.id)
    stage = Stage.CRAWL
    try:
        for note in reap_abandoned(dsn, source.id, window, run_id):
            summary.note(note)
        _check_not_stopped(deadline)
        summary.crawl = gather()
        summary.stages[stage] = Status.SUCCESS
        summary.note(summary.crawl.limits_note())
        stage = Stage.CLEAN
        _check_not_stopped()
        summary.clean = clean_source(dsn, source, window, run_id, trigger=trigger)
        summary.stages[stage] = Status.SUCCESS
        stage = Stage.GATE
        _check_not_stopped()
        summary.gate = gate_source(dsn, source.id, window, run_id, trigger=trigger,
                                   settings=settings)
        summary.stages[stage] = Status.SUCCESS
        stage = Stage.LOAD
        _check_not_stopped()
        summary.load = load_source(dsn, source.id, window, run_id, trigger=trigger)
        summary.stages[stage] = Status.SUCCESS
        if summary.load.foreign:
            summary.note(f"{summary.load.foreign} articles left untouched: another source "
                         "owns their URL")
    except WarehouseError:
        raise  # the warehouse is gone for every source: the run's problem, not this one's
    except (AutonewsError, psycopg.Error, OSError) as exc:
        if isinstance(exc, GateFailed):
            _discard_refused(dsn, run_id, source.id)
        summary.stages[stage] = Status.FAILED
        summary.error = f"{stage.value}: {mask_secrets(str(exc))}"
        if isinstance(exc, NotStarted):
            try:
                fail_stage(dsn, source.id, window, run_id, stage, str(exc), trigger)
            except (AutonewsError, psycopg.Error) as record_error:
                log.error("could not record %s/%s as not started: %s", source.id, stage,
                          mask_secrets(str(record_error)))
        for later in STAGES[STAGES.index(stage) + 1:]:
            try:
                skip_stage(dsn, source.id, window, run_id, later, f"{stage.value} failed",
                           trigger)
                summary.stages[later] = Status.SKIPPED
            except (AutonewsError, psycopg.Error) as record_error:
                log.error("could not record %s/%s as skipped: %s", source.id, later,
                          mask_secrets(str(record_error)))
                summary.error += f"; {later.value} not recorded as skipped ({record_error})"
    return summary


def _discard_refused(dsn: str, run_id: str, source_id: str) -> None:
    """A run outside Airflow cannot be resumed at its gate: what the gate refused goes now
    (a DAG run keeps it for a recovery, see `gate_source`)."""
    try:
        with connect(dsn) as conn:
            staging.discard_run(conn, run_id, source_id)
    except (AutonewsError, psycopg.Error) as exc:
        log.error("could not drop the refused staged rows of %s/%s: %s", run_id, source_id,
                  mask_secrets(str(exc)))


def rules_changed(dsn: str, source: Source, window: Window) -> bool:
    """Whether anything of `source` in `window` was cleaned by other rules than today's
    (an article with another rules version, a reject by another extractor version)."""
    from autonews.sources import rules_version
    from transforms import EXTRACTOR_VERSION
    from warehouse.analytics import cleaned_with

    with connect(dsn) as conn:
        rules, rejects = cleaned_with(conn, source.id, window)
    return bool(rules - {rules_version(source)} or rejects - {EXTRACTOR_VERSION})


def reclean_source(dsn: str, source: Source, window: Window, run_id: str, *,
                   trigger: str = Trigger.RECLEAN) -> RecleanResult:
    """Re-extract the stored raw pages of `window` with the current cleaner and reload them,
    without crawling: how an improved cleaner reaches the whole history."""
    clean = clean_source(dsn, source, window, run_id, trigger=trigger, force=True)
    load = load_source(dsn, source.id, window, run_id, trigger=trigger, gated=False)
    return RecleanResult(source.id, clean, load)

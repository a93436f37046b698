"""The load stage: a source's staged articles merged into `articles` in one transaction,
only when the quality gate passed them, and never erasing what an earlier attempt of the
same run recorded."""

from __future__ import annotations

import logging
from typing import Any

import psycopg

from autonews.core.errors import GateFailed, StageInputMissing
from autonews.core.results import CleanResult, LoadResult
from autonews.core.vocabulary import Stage, Status, Trigger
from autonews.core.window import Window
from autonews.jobs.stage import recorded_stage
from warehouse import loader, runs, staging
from warehouse.connection import connect

log = logging.getLogger(__name__)


def load_source(dsn: str, source_id: str, window: Window, run_id: str, *,
                trigger: str = Trigger.CLI, gated: bool = True) -> LoadResult:
    """Merge the staged articles of (run, source) into `articles` in one transaction.

    With `gated` (the daily pipeline), the gate of the same run must have passed the
    current clean: a refused or stale verdict raises `GateFailed`. A rerun is always safe:
    staged rows are only dropped by the merge that loads them, so a load with nothing
    staged after an earlier success of the same run keeps that success's counts; one with
    nothing staged and no earlier success, while the clean staged articles, raises
    `StageInputMissing` instead of passing on nothing. The counts recorded are the run's:
    an attempt's inserts and updates add to the earlier attempts'."""
    with connect(dsn) as conn:
        earlier = runs.stage_row(conn, run_id, source_id, Stage.LOAD)
    # A failed attempt records the counts it started from, so these are the run's so far.
    before = LoadResult.from_counts(earlier.counts) if earlier else LoadResult()
    loaded_before = earlier is not None and (earlier.status is Status.SUCCESS
                                             or before.loaded > 0)
    with recorded_stage(dsn, run_id, source_id, Stage.LOAD, window, trigger,
                        before) as (conn, recorded):
        if gated:
            _check_verdict(conn, run_id, source_id)
        staged = staging.staged_count(conn, run_id, source_id)
        if staged == 0 and loaded_before:
            log.info("%s: run %s already loaded and nothing new staged: counts kept",
                     source_id, run_id)
            return recorded.result
        clean = runs.stage_row(conn, run_id, source_id, Stage.CLEAN)
        expected = CleanResult.from_counts(clean.counts).articles if clean else 0
        if staged == 0 and expected > 0:
            raise StageInputMissing(
                f"{source_id}: the clean of run {run_id} staged {expected} articles but "
                "none is left to load (dropped as stale?): rerun from the clean stage")
        merged = loader.merge_staged(conn, run_id, source_id)
        recorded.result = _add(before, merged) if loaded_before else merged
    return recorded.result


def _check_verdict(conn: psycopg.Connection[Any], run_id: str, source_id: str) -> None:
    """The gate of (run, source) passed, after the clean it judged."""
    gate = runs.stage_row(conn, run_id, source_id, Stage.GATE)
    clean = runs.stage_row(conn, run_id, source_id, Stage.CLEAN)
    if gate is None or gate.status is not Status.SUCCESS:
        verdict = "never ran" if gate is None else f"is {gate.status}"
        reason = f": {gate.error}" if gate is not None and gate.error else ""
        raise GateFailed(f"{source_id}: not loaded, the quality gate of run {run_id} "
                         f"{verdict}{reason}")
    if clean is not None and clean.finished_at and gate.finished_at \
            and gate.finished_at < clean.finished_at:
        raise GateFailed(f"{source_id}: not loaded, the clean of run {run_id} ran again "
                         "after its quality gate: rerun the gate")


def _add(before: LoadResult, now: LoadResult) -> LoadResult:
    """What the run did over all its attempts: an article counted as inserted or updated
    by an earlier attempt is not 'unchanged' because this attempt found it so."""
    inserted = before.inserted + now.inserted
    updated = before.updated + now.updated
    return LoadResult(inserted, updated, max(0, now.loaded - inserted - updated))

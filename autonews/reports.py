"""Run summaries from `pipeline_runs`: what ran, what failed and why, per source."""

from __future__ import annotations

import logging

from autonews.core.errors import StageFailed
from autonews.core.results import SUMMARY_COLUMNS, SourceSummary
from autonews.core.vocabulary import Stage, Status
from autonews.core.window import Window
from warehouse import runs
from warehouse.connection import connect

log = logging.getLogger(__name__)


def run_summary(dsn: str, run_id: str) -> list[SourceSummary]:
    """Every source of the run with its stages' statuses, counts and first error."""
    with connect(dsn) as conn:
        return runs.run_summaries(conn, run_id)


def summary_line(window: Window, summary: SourceSummary) -> str:
    """One line a person reads in a task log: the counts, and why it failed."""
    row = summary.row()
    line = f"{window} {summary.source_id}: " + ", ".join(
        f"{k}={row[k]}" for k in SUMMARY_COLUMNS)
    if not summary.ok:
        line += f" | FAILED {summary.error or 'incomplete'}"
    return line


def report_run(dsn: str, run_id: str, window: Window) -> list[SourceSummary]:
    """Log the run's summary and raise `StageFailed` naming every source that failed (and
    the enrich stage, when it failed)."""
    summaries = run_summary(dsn, run_id)
    with connect(dsn) as conn:
        enrich = runs.stage_outcomes(conn, run_id, Stage.ENRICH)
    for summary in summaries:
        log.info("%s", summary_line(window, summary))
        print(summary_line(window, summary))
    if not summaries:
        raise StageFailed(f"run {run_id} recorded no stage at all")
    for scope, status, error in enrich:
        print(f"{window} enrich ({scope}): {status}" + (f" | FAILED {error}" if error else ""))
    failed = [f"{s.source_id} ({s.error or 'incomplete'})" for s in summaries if not s.ok]
    failed += [f"enrich ({error or status})" for _, status, error in enrich
               if status != Status.SUCCESS]
    if failed:
        raise StageFailed("failed: " + "; ".join(failed))
    return summaries

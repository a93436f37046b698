"""The quality gate between clean and load: a day whose clean counts look broken is not
loaded, and the run says why."""

from __future__ import annotations

from autonews import quality
from autonews.core.errors import GateFailed, StageFailed
from autonews.core.results import CleanResult, GateResult
from autonews.core.settings import Settings
from autonews.core.vocabulary import Stage, Trigger
from autonews.core.window import Window
from autonews.jobs.stage import recorded_stage
from warehouse import runs, staging
from warehouse.analytics import articles_per_day_before


def gate_source(dsn: str, source_id: str, window: Window, run_id: str, *,
                trigger: str = Trigger.CLI, settings: Settings | None = None) -> GateResult:
    """The quality gate between clean and load. A failing day raises `StageFailed` and its
    staged articles are discarded: nothing of it reaches analysts."""
    settings = settings or Settings.from_env()
    with recorded_stage(dsn, run_id, source_id, Stage.GATE, window, trigger,
                        GateResult()) as (conn, recorded):
        limits = quality.load_thresholds(source_id, settings.quality_file)
        counts = runs.stage_counts(conn, run_id, source_id, Stage.CLEAN)
        if counts is None:
            raise StageFailed(f"{source_id}: no clean stage recorded for run {run_id}")
        history = articles_per_day_before(conn, source_id, window.start, limits.history_days)
        recorded.result = GateResult(quality.evaluate(CleanResult.from_counts(counts),
                                                      history, limits))
        failed = recorded.result.failed_checks
        if failed:
            staging.discard_run(conn, run_id, source_id)
            raise GateFailed(f"quality gate failed for {source_id}: "
                              + "; ".join(c.describe() for c in failed))
    return recorded.result

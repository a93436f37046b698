"""The quality gate between clean and load: a day whose clean counts look broken is not
loaded, and the run says why."""

from __future__ import annotations

from autonews import quality
from autonews.core.errors import GateFailed, StageInputMissing
from autonews.core.results import CleanResult, GateResult
from autonews.core.settings import Settings
from autonews.core.vocabulary import Stage, Status, Trigger
from autonews.core.window import Window
from autonews.jobs.stage import recorded_stage
from warehouse import runs
from warehouse.analytics import articles_per_day_before


def gate_source(dsn: str, source_id: str, window: Window, run_id: str, *,
                trigger: str = Trigger.CLI, settings: Settings | None = None) -> GateResult:
    """Judge the counts the clean stage of (run, source) recorded; a failing day raises
    `GateFailed` and the load refuses it (`load_source` reads this verdict).

    The staged articles are kept either way: clearing the gate after a threshold change
    judges the same counts again and, if they now pass, the load finds its rows. Nothing
    here depends on an earlier gate, so rerunning it is always safe."""
    settings = settings or Settings.from_env()
    with recorded_stage(dsn, run_id, source_id, Stage.GATE, window, trigger,
                        GateResult()) as (conn, recorded):
        limits = quality.load_thresholds(source_id, settings.quality_file)
        clean = runs.stage_row(conn, run_id, source_id, Stage.CLEAN)
        if clean is None or clean.status is not Status.SUCCESS:
            state = "no clean stage recorded" if clean is None else f"its clean {clean.status}"
            raise StageInputMissing(f"{source_id}: nothing to judge for run {run_id} "
                                    f"({state}): rerun from the clean stage")
        history = articles_per_day_before(conn, source_id, window.start, limits.history_days)
        recorded.result = GateResult(quality.evaluate(CleanResult.from_counts(clean.counts),
                                                      history, limits))
        failed = recorded.result.failed_checks
        if failed:
            raise GateFailed(f"quality gate failed for {source_id}: "
                             + "; ".join(c.describe() for c in failed))
    return recorded.result

"""The load stage: a source's staged articles merged into `articles` in one transaction."""

from __future__ import annotations

from autonews.core.results import LoadResult
from autonews.core.vocabulary import Stage, Trigger
from autonews.core.window import Window
from autonews.jobs.stage import recorded_stage
from warehouse import loader


def load_source(dsn: str, source_id: str, window: Window, run_id: str, *,
                trigger: str = Trigger.CLI) -> LoadResult:
    """Merge the staged articles of (run, source) into `articles` in one transaction."""
    with recorded_stage(dsn, run_id, source_id, Stage.LOAD, window, trigger,
                        LoadResult()) as (conn, recorded):
        recorded.result = loader.merge_staged(conn, run_id, source_id)
    return recorded.result

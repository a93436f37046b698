"""What every task of a run needs: the settings, the warehouse, the day and the run id,
read from the task's context once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autonews.airflow_support.connections import warehouse_dsn
from autonews.airflow_support.days import run_day
from autonews.core.settings import Settings
from autonews.core.source import Source
from autonews.core.window import Window


@dataclass(frozen=True)
class RunScope:
    """The running task's settings, warehouse DSN, day window and pipeline run id (the
    Airflow run id, as `pipeline_runs.run_id` stores it)."""

    settings: Settings
    dsn: str
    window: Window
    run_id: str

    def source(self, source_id: str) -> Source:
        """The configured source `source_id` (its sources file is read at run time)."""
        from autonews.sources import configured_sources

        return configured_sources(self.settings, only=source_id)[0]


def run_scope(context: Any) -> RunScope:
    """The scope of the task whose context this is."""
    settings = Settings.from_env()
    return RunScope(settings, warehouse_dsn(settings), Window.for_day(run_day(context)),
                    context["dag_run"].run_id)

"""The Airflow Variables autonews reads: `autonews_reports_dir`, where the `report` task
writes the run's page."""

from __future__ import annotations

import logging
from pathlib import Path

from autonews.core.settings import Settings

log = logging.getLogger(__name__)

REPORTS_VARIABLE = "autonews_reports_dir"


def reports_dir(settings: Settings | None = None) -> Path:
    """Folder of the daily report pages: the Airflow Variable `autonews_reports_dir`, else
    `AUTONEWS_REPORTS`, else `$AUTONEWS_HOME/reports`."""
    try:
        from airflow.sdk import Variable

        configured = Variable.get(REPORTS_VARIABLE, default=None)
    except ImportError:
        configured = None
    except Exception as exc:  # noqa: BLE001 - outside a task Airflow raises its own types
        log.info("no Airflow Variable %s (%s)", REPORTS_VARIABLE, type(exc).__name__)
        configured = None
    if configured:
        return Path(str(configured)).expanduser()
    return (settings or Settings.from_env()).reports_folder

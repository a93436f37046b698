"""The daily report page: one self-contained HTML file per UTC publication day (run status per
source, failures first, 14-day charts with the gate's anomalies, what the news was about)."""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from warehouse.connection import connect, data_home

log = logging.getLogger(__name__)

REPORTS_ENV = "AUTONEWS_REPORTS"


def reports_folder() -> Path:
    """Where report pages go by default: `AUTONEWS_REPORTS`, else `$AUTONEWS_HOME/reports`."""
    configured = os.environ.get(REPORTS_ENV, "").strip()
    return Path(configured).expanduser() if configured else data_home() / "reports"


def report_name(day: date) -> str:
    return f"autonews-report-{day.isoformat()}.html"


def write_report(dsn: str, day: date, *, days: int = 14, out: Path | None = None,
                 run_id: str | None = None) -> Path:
    """Write the report page of UTC publication `day` and return its path: `out`, else
    `reports_folder()/autonews-report-<day>.html`. Each source's latest run of the day is
    shown (only `run_id`'s stages when given); the charts cover the last `days` days. The
    file is replaced atomically: a reader never sees half a page."""
    from autonews.report_page.model import build_report
    from autonews.report_page.render import render_report

    target = out if out is not None else reports_folder() / report_name(day)
    target = target.expanduser()
    if target.is_dir():
        target = target / report_name(day)
    with connect(dsn) as conn:
        report = build_report(conn, day, days=days, run_id=run_id)
    page = render_report(report)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(page)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 is not what a reader expects
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("report of %s written to %s (%d bytes)", day, target, target.stat().st_size)
    return target


def report_run_with_page(dsn: str, run_id: str, day: date, *,
                         folder: Path | None = None) -> list[dict[str, Any]]:
    """The daily DAG's report task: write the run's page (also, and above all, when sources
    failed) and print where, then log the run's summary, which raises `StageFailed` when a
    source failed. A page that could not be written fails the task too, after the summary."""
    from autonews.jobs import Window
    from autonews.reports import report_run

    page_error: Exception | None = None
    try:
        path = write_report(dsn, day, out=(folder or reports_folder()) / report_name(day),
                            run_id=run_id)
        print(f"report page of {day}: {path}")
    except Exception as exc:  # noqa: BLE001 - re-raised below, after the run's own verdict
        log.exception("the report page of %s could not be written", day)
        page_error = exc
    summary = report_run(dsn, run_id, Window.for_day(day))
    if page_error is not None:
        raise page_error
    return summary

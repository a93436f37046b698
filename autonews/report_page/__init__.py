"""The daily report page: one self-contained HTML file per UTC publication day (run status per
source, failures first, 14-day charts with the gate's anomalies, what the news was about)."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from autonews.core.settings import Settings
from warehouse.connection import connect

if TYPE_CHECKING:
    from autonews.reports import RunReport

log = logging.getLogger(__name__)


def report_name(day: date) -> str:
    return f"autonews-report-{day.isoformat()}.html"


def write_report(dsn: str, day: date, *, days: int = 14, out: Path | None = None,
                 run_id: str | None = None, settings: Settings | None = None) -> Path:
    """Write the report page of UTC publication `day` and return its path: `out` (a file, or
    a folder to put it in), else `settings.reports_folder/autonews-report-<day>.html`. Each
    source's latest run of the day is shown (only `run_id`'s stages when given); the charts
    cover the last `days` days. The file is replaced atomically: a reader never sees half a
    page."""
    from autonews.report_page.model import build_report
    from autonews.report_page.render import render_report

    settings = settings or Settings.from_env()
    target = out if out is not None else settings.reports_folder / report_name(day)
    target = target.expanduser()
    if target.is_dir():
        target = target / report_name(day)
    with connect(dsn) as conn:
        report = build_report(conn, day, days=days, run_id=run_id, settings=settings)
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


def report_run_with_page(dsn: str, run_id: str, day: date, *, folder: Path | None = None,
                         settings: Settings | None = None, enrich_expected: bool = False,
                         on_report: Callable[[RunReport], None] | None = None) -> RunReport:
    """The daily DAG's report task: write the run's page (also, and above all, when sources
    failed) into `folder` (default `settings.reports_folder`) and print where, then log the
    run's `RunReport` (`enrich_expected`: the run has an enrich stage), hand it to
    `on_report` (the DAG keeps it as an XCom) and raise `StageFailed` when a source or the
    enrich stage failed. A page that could not be written fails the task too, after the
    report."""
    from autonews.core.window import Window
    from autonews.reports import build_report

    settings = settings or Settings.from_env()
    page_error: Exception | None = None
    try:
        path = write_report(dsn, day, out=(folder or settings.reports_folder) / report_name(day),
                            run_id=run_id, settings=settings)
        print(f"report page of {day}: {path}")
    except Exception as exc:  # noqa: BLE001 - re-raised below, after the run's own verdict
        log.exception("the report page of %s could not be written", day)
        page_error = exc
    report = build_report(dsn, run_id, Window.for_day(day), enrich_expected=enrich_expected)
    report.log()
    if on_report is not None:
        on_report(report)
    report.raise_if_failed()
    if page_error is not None:
        raise page_error
    return report

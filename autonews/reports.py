"""Run summaries from `pipeline_runs`: what ran, what failed and why, per source, and which
of the run's failure alerts could not be sent."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from autonews.core.errors import StageFailed
from autonews.core.results import SUMMARY_COLUMNS, SourceSummary
from autonews.core.window import Window
from warehouse import runs
from warehouse.alerts import AlertRecord, run_alerts
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


@dataclass
class RunReport:
    """A run's summary per source and its alerts that did not arrive."""

    run_id: str
    window: Window
    summaries: list[SourceSummary] = field(default_factory=list)
    alerts_not_sent: list[AlertRecord] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceSummary]:
        return [s for s in self.summaries if not s.ok]

    def lines(self) -> list[str]:
        lines = [summary_line(self.window, s) for s in self.summaries]
        lines += [f"ALERT NOT SENT: {a.task_id}"
                  + (f" [{a.source_id}]" if a.source_id else "")
                  + f" failed ({a.error}); the webhook said: {a.delivery_error}"
                  for a in self.alerts_not_sent]
        return lines

    def failure(self) -> str | None:
        """Why the run failed, in one message (None when every source succeeded)."""
        if not self.summaries:
            return f"run {self.run_id} recorded no stage at all" + self._unsent()
        if not self.failed:
            return None
        return "sources failed: " + "; ".join(
            f"{s.source_id} ({s.error or 'incomplete'})" for s in self.failed) + self._unsent()

    def _unsent(self) -> str:
        count = len(self.alerts_not_sent)
        if not count:
            return ""
        return (f" (and {count} failure alert{'s' if count > 1 else ''} of this run could "
                f"not be sent: {self.alerts_not_sent[-1].delivery_error})")

    def log(self) -> None:
        """One line per source in the log; alerts that were not sent at error level."""
        for line in self.lines():
            (log.error if line.startswith("ALERT NOT SENT") else log.info)("%s", line)

    def raise_if_failed(self) -> None:
        """Raise `StageFailed` naming every source that failed, and why."""
        failure = self.failure()
        if failure:
            raise StageFailed(failure)

    def as_dict(self) -> dict[str, Any]:
        """The report as people read it in the Airflow UI (the report task's XCom)."""
        return {
            "day": str(self.window),
            "ok": not self.failed and bool(self.summaries),
            "sources": {s.source_id: s.row() for s in self.summaries},
            "alerts_not_sent": [{"task_id": a.task_id, "source": a.source_id,
                                 "error": a.error, "why": a.delivery_error}
                                for a in self.alerts_not_sent],
        }


def build_report(dsn: str, run_id: str, window: Window) -> RunReport:
    """The run's report from the warehouse."""
    with connect(dsn) as conn:
        summaries = runs.run_summaries(conn, run_id)
        unsent = [a for a in run_alerts(conn, run_id) if not a.delivered]
    return RunReport(run_id, window, summaries, unsent)

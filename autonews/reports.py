"""Run summaries from `pipeline_runs`: what ran, what failed and why, per source and for the
enrich stage, and which of the run's failure alerts could not be sent."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from autonews.core.errors import StageFailed
from autonews.core.results import SUMMARY_COLUMNS, SourceSummary
from autonews.core.vocabulary import Stage, Status
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


@dataclass(frozen=True)
class EnrichOutcome:
    """How the run's enrich stage ended (one per scope: `*` for the whole day)."""

    scope: str
    status: Status
    counts: dict[str, Any]
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status == Status.SUCCESS

    def line(self, window: Window) -> str:
        line = f"{window} enrich ({self.scope}): {self.status}"
        if self.ok:
            line += ", " + ", ".join(f"{k}={self.counts.get(k, 0)}" for k in ENRICH_COLUMNS)
        else:
            # a row left `running` is a task killed before it could record how it ended
            line += f" | FAILED {self.error or 'did not finish'}"
        return line


ENRICH_COLUMNS = ("articles", "enriched", "skipped", "stories")


@dataclass
class RunReport:
    """A run's summary per source, its enrich stage, and its alerts that did not arrive.

    `enrich_expected`: the run has an enrich stage (the daily DAG's), so a run without its
    row failed before the stage could record anything. `loaded_after_enrich`: sources whose
    load finished after the enrich stage (a recovery that cleared the load but not enrich):
    their new articles are not enriched yet, so the run is not complete."""

    run_id: str
    window: Window
    summaries: list[SourceSummary] = field(default_factory=list)
    alerts_not_sent: list[AlertRecord] = field(default_factory=list)
    enrich: list[EnrichOutcome] = field(default_factory=list)
    enrich_expected: bool = False
    loaded_after_enrich: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceSummary]:
        return [s for s in self.summaries if not s.ok]

    @property
    def enrich_failures(self) -> list[str]:
        """Why the enrich stage failed or is not complete (empty when it is fine)."""
        return [f"enrich ({e.error or e.status})" for e in self.enrich if not e.ok] \
            + self._enrich_gaps()

    def _enrich_gaps(self) -> list[str]:
        """What is wrong with the enrich stage beyond its own rows' statuses."""
        gaps = []
        if self.enrich_expected and not self.enrich:
            gaps.append("enrich (no result recorded: the task failed before it started, "
                        "see its log)")
        if self.loaded_after_enrich:
            gaps.append(f"enrich (ran before the load of {', '.join(self.loaded_after_enrich)}"
                        " finished: clear enrich so that the new articles are enriched)")
        return gaps

    @property
    def ok(self) -> bool:
        return bool(self.summaries) and not self.failed and not self.enrich_failures

    def lines(self) -> list[str]:
        lines = [summary_line(self.window, s) for s in self.summaries]
        lines += [e.line(self.window) for e in self.enrich]
        lines += [f"{self.window} FAILED {gap}" for gap in self._enrich_gaps()]
        lines += [f"ALERT NOT SENT: {a.task_id}"
                  + (f" [{a.source_id}]" if a.source_id else "")
                  + f" failed ({a.error}); the webhook said: {a.delivery_error}"
                  for a in self.alerts_not_sent]
        return lines

    def failure(self) -> str | None:
        """Why the run failed, in one message (None when every source and the enrich stage
        succeeded)."""
        if not self.summaries:
            return f"run {self.run_id} recorded no stage at all" + self._unsent()
        failed = [f"{s.source_id} ({s.error or 'incomplete'})" for s in self.failed]
        failed += self.enrich_failures
        if not failed:
            return None
        return "failed: " + "; ".join(failed) + self._unsent()

    def _unsent(self) -> str:
        count = len(self.alerts_not_sent)
        if not count:
            return ""
        return (f" (and {count} failure alert{'s' if count > 1 else ''} of this run could "
                f"not be sent: {self.alerts_not_sent[-1].delivery_error})")

    def log(self) -> None:
        """One line per source and enrich scope in the log; alerts that were not sent at
        error level."""
        for line in self.lines():
            (log.error if line.startswith("ALERT NOT SENT") else log.info)("%s", line)

    def raise_if_failed(self) -> None:
        """Raise `StageFailed` naming every source that failed, and why (and the enrich
        stage, when it failed)."""
        failure = self.failure()
        if failure:
            raise StageFailed(failure)

    def as_dict(self) -> dict[str, Any]:
        """The report as people read it in the Airflow UI (the report task's XCom)."""
        return {
            "day": str(self.window),
            "ok": self.ok,
            "sources": {s.source_id: s.row() for s in self.summaries},
            "enrich": {e.scope: {"status": str(e.status), "error": e.error,
                                 **{k: e.counts.get(k, 0) for k in ENRICH_COLUMNS}}
                       for e in self.enrich},
            "alerts_not_sent": [{"task_id": a.task_id, "source": a.source_id,
                                 "error": a.error, "why": a.delivery_error}
                                for a in self.alerts_not_sent],
        }


def build_report(dsn: str, run_id: str, window: Window, *,
                 enrich_expected: bool = False) -> RunReport:
    """The run's report from the warehouse (`enrich_expected`: see `RunReport`)."""
    with connect(dsn) as conn:
        summaries = runs.run_summaries(conn, run_id)
        enriched = runs.stage_outcomes(conn, run_id, Stage.ENRICH)
        loads = runs.stage_outcomes(conn, run_id, Stage.LOAD)
        unsent = [a for a in run_alerts(conn, run_id) if not a.delivered]
    enrich = [EnrichOutcome(scope, row.status, row.counts, row.error) for scope, row in enriched]
    return RunReport(run_id, window, summaries, unsent, enrich, enrich_expected,
                     _loaded_after(enriched, loads))


def _loaded_after(enriched: list[tuple[str, runs.StageRow]],
                  loads: list[tuple[str, runs.StageRow]]) -> list[str]:
    """Sources whose successful load finished after every successful enrich of the run."""
    ends = [row.finished_at for _, row in enriched
            if row.status == Status.SUCCESS and row.finished_at is not None]
    if not ends or len(ends) < len(enriched):
        return []  # no enrich, or a failed one: reported as such
    return [source for source, row in loads
            if row.status == Status.SUCCESS and row.finished_at is not None
            and row.finished_at > max(ends)]

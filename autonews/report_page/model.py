"""What the daily report says, gathered from the warehouse: the day's status per source
(failures first) and of its enrich stage, each source's recent days with the gate's
anomalies, and the day's articles."""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from autonews import quality
from autonews.core.errors import BadInput
from autonews.core.results import CleanResult
from autonews.core.settings import Settings
from autonews.core.vocabulary import STAGES
from autonews.core.window import Window
from autonews.report_page.wording import (
    Explanation,
    explain_enrich,
    explain_failure,
    gate_reason,
)
from warehouse import reporting
from warehouse.reporting import (
    ArticleLink,
    Enrichment,
    EnrichRow,
    FailureGroup,
    SourceDay,
    StageRow,
)

log = logging.getLogger(__name__)

# Order of the sources on the page: what needs a person first.
STATES = ("failed", "incomplete", "missing", "skipped", "ok")
STATE_WORDS = {"failed": "failed", "incomplete": "did not finish", "missing": "did not run",
               "skipped": "skipped", "ok": "ok"}


@dataclass(frozen=True)
class SourceStatus:
    """One source's run on the report day, with its counts and, when it went wrong, why."""

    source_id: str
    state: str  # one of STATES
    run_id: str | None = None
    trigger: str | None = None
    failed_stage: str | None = None
    explanation: Explanation | None = None
    error: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    gate_passed: bool | None = None
    gate_reason: str = ""
    usual: float | None = None  # median articles a day before the report day
    failures: list[FailureGroup] = field(default_factory=list)
    rejects: list[FailureGroup] = field(default_factory=list)
    log_file: str | None = None

    @property
    def state_words(self) -> str:
        return STATE_WORDS[self.state]

    @property
    def loaded(self) -> int:
        return self.counts.get("inserted", 0) + self.counts.get("updated", 0) + \
            self.counts.get("unchanged", 0)


@dataclass(frozen=True)
class DayPoint:
    """A source on one day of the chart."""

    day: date
    articles: int
    run_status: str | None
    anomaly: str | None  # why the gate would fail this day; None when it would pass
    is_report_day: bool


@dataclass(frozen=True)
class SourceHistory:
    source_id: str
    points: list[DayPoint]
    median: float  # articles a day over the days before the report day, as the gate sees it


@dataclass(frozen=True)
class EnrichStatus:
    """The day's enrich stage: its run, how it ended, the sources loaded after it, and what
    is wrong in plain words (None: nothing)."""

    run_id: str
    status: str
    error: str | None
    loaded_after: list[str]
    explanation: Explanation | None


@dataclass(frozen=True)
class DayReport:
    day: date
    days: int
    generated_at: datetime
    sources: list[SourceStatus]
    histories: list[SourceHistory]
    sections: list[tuple[str, int]]
    languages: list[tuple[str, int]]
    articles: list[ArticleLink]
    articles_total: int
    enrichment: Enrichment
    enrich: EnrichStatus | None = None  # None: no enrich stage covered the day

    @property
    def enrich_problem(self) -> Explanation | None:
        return self.enrich.explanation if self.enrich is not None else None

    @property
    def run_ids(self) -> list[str]:
        return sorted({s.run_id for s in self.sources if s.run_id})

    @property
    def problems(self) -> list[SourceStatus]:
        return [s for s in self.sources if s.state != "ok"]

    @property
    def anomalies(self) -> int:
        return sum(1 for h in self.histories for p in h.points if p.is_report_day and p.anomaly)


def _int(value: Any) -> int:
    """A count of `pipeline_runs.counts` (absent: 0)."""
    return int(value or 0)


def _state(stages: list[StageRow]) -> tuple[str, str | None]:
    """(state, stage to blame) of one run's stages."""
    by_stage = {s.stage: s for s in stages}
    for row in stages:
        if row.status == "failed":
            return "failed", row.stage
    for row in stages:
        if row.status == "running":
            return "incomplete", row.stage
    load = by_stage.get("load")
    if load is not None and load.status == "success":
        return "ok", None
    if all(s.status == "skipped" for s in stages):
        return "skipped", None
    missing = [s for s in STAGES if s not in by_stage]
    return "incomplete", missing[0] if missing else None


def _status(source_id: str, stages: list[StageRow], usual: float | None,
            failures: list[FailureGroup], rejects: list[FailureGroup]) -> SourceStatus:
    if not stages:
        return SourceStatus(source_id, "missing", usual=usual,
                            explanation=explain_failure(None, "missing", None))
    by_stage = {s.stage: s for s in stages}
    crawl = by_stage["crawl"].counts if "crawl" in by_stage else {}
    clean = by_stage["clean"].counts if "clean" in by_stage else {}
    load = by_stage["load"].counts if "load" in by_stage else {}
    gate = by_stage.get("gate")
    counts = {
        "discovered": _int(crawl.get("in_window")), "fetched": _int(crawl.get("fetched")),
        "not_modified": _int(crawl.get("not_modified")), "failed": _int(crawl.get("failed")),
        "rejected": _int(clean.get("rejected")), "inserted": _int(load.get("inserted")),
        "updated": _int(load.get("updated")), "unchanged": _int(load.get("unchanged")),
    }
    checks = gate.counts.get("checks") if gate is not None else None
    if gate is None or gate.status in ("skipped", "running"):
        gate_passed, reason = None, "not judged" + (f" ({gate.error})" if gate and gate.error
                                                   else "")
    else:
        gate_passed = gate.status == "success" and bool(gate.counts.get("passed", True))
        reason = gate_reason(checks) if checks else (gate.error or "no checks recorded")
    state, blamed = _state(stages)
    blamed_row = by_stage.get(blamed) if blamed else None
    explanation = None
    if state != "ok":
        said = state
        if state == "incomplete":
            said = "running" if blamed_row is not None else "unstarted"
        explanation = explain_failure(blamed, said, blamed_row.error if blamed_row else None,
                                      blamed_row.counts if blamed_row else None, checks)
    first = stages[0]
    return SourceStatus(
        source_id, state, run_id=first.run_id, trigger=first.trigger, failed_stage=blamed,
        explanation=explanation, error=blamed_row.error if blamed_row else None,
        counts=counts, gate_passed=gate_passed, gate_reason=reason, usual=usual,
        failures=failures, rejects=rejects, log_file=crawl.get("log_file"))


def _enrich_status(day: date, row: EnrichRow | None, stages: list[StageRow]
                   ) -> EnrichStatus | None:
    """The enrich stage of the day, with the day's loads that finished after it succeeded."""
    if row is None:
        return None
    late = []
    if row.status == "success" and row.finished_at is not None:
        late = sorted(s.source_id for s in stages
                      if s.stage == "load" and s.status == "success"
                      and s.finished_at is not None and s.finished_at > row.finished_at)
    return EnrichStatus(row.run_id, row.status, row.error, late,
                        explain_enrich(day, row.status, late))


def _anomaly(row: SourceDay, history: list[int], limits: quality.Thresholds,
             report_day: date) -> str | None:
    """Why the gate fails (or would fail) this source's day, or None."""
    said = "today" if row.day == report_day else "that day"
    if row.gate_counts is not None and row.gate_counts.get("passed") is False:
        return "the gate failed: " + gate_reason(row.gate_counts.get("checks"), day=said)
    counts = CleanResult.from_counts(row.clean_counts) if row.clean_counts is not None \
        else CleanResult(articles=row.articles)
    failed = [c for c in quality.evaluate(counts, history, limits) if not c.passed]
    if not failed:
        return None
    return "the gate would fail: " + gate_reason([c.as_dict() for c in failed], day=said)


def _histories(rows: list[SourceDay], day: date, days: int,
               limits: dict[str, quality.Thresholds]) -> list[SourceHistory]:
    by_source: dict[str, list[SourceDay]] = {}
    for row in rows:
        by_source.setdefault(row.source_id, []).append(row)
    first = day - timedelta(days=days - 1)
    histories = []
    for source_id, source_rows in by_source.items():
        articles = {r.day: r.articles for r in source_rows}
        limit = limits[source_id]
        points = []
        for row in source_rows:
            if row.day < first:
                continue
            history = [articles.get(row.day - timedelta(days=n), 0)
                       for n in range(limit.history_days, 0, -1)]
            points.append(DayPoint(row.day, row.articles, row.status,
                                   _anomaly(row, history, limit, day), row.day == day))
        before = [articles.get(day - timedelta(days=n), 0)
                  for n in range(limit.history_days, 0, -1)]
        histories.append(SourceHistory(source_id, points,
                                       float(statistics.median(before)) if before else 0.0))
    return histories


def build_report(conn: psycopg.Connection[Any], day: date, *, days: int = 14,
                 run_id: str | None = None, article_limit: int = 2000,
                 settings: Settings | None = None) -> DayReport:
    """Everything the page shows for UTC publication `day`, from the warehouse: each
    source's latest run of the day (or the stages of `run_id`), its last `days` days."""
    if days < 1:
        raise BadInput(f"--days must be at least 1, not {days}")
    settings = settings or Settings.from_env()
    window = Window.for_day(day)
    stages = reporting.day_stages(conn, window, run_id)
    if run_id is not None and not stages:
        raise BadInput(f"run '{run_id}' recorded no crawl of publication day {day}")
    by_source: dict[str, list[StageRow]] = {}
    for row in stages:
        by_source.setdefault(row.source_id, []).append(row)

    # The gate judges a day by the `history_days` before it: read that far before the
    # chart's first day (again, further, if a source's own threshold reaches further).
    first = day - timedelta(days=days - 1)
    reach = quality.load_thresholds("", settings.quality_file).history_days
    rows = reporting.source_days(conn, Window.days(first - timedelta(days=reach), day))
    seen = {r.source_id for r in rows if r.day >= first and (r.articles or r.status)}
    sources = sorted(seen | set(by_source))
    limits = {s: quality.load_thresholds(s, settings.quality_file) for s in sources}
    if any(lim.history_days > reach for lim in limits.values()):
        reach = max(lim.history_days for lim in limits.values())
        rows = reporting.source_days(conn, Window.days(first - timedelta(days=reach), day))
    histories = _histories([r for r in rows if r.source_id in sources], day, days, limits)
    medians = {h.source_id: h.median for h in histories}

    runs = [(rows_[0].run_id, source) for source, rows_ in by_source.items()]
    failures = reporting.failure_groups(conn, runs)
    rejects = reporting.reject_groups(conn, runs)
    statuses = [
        _status(source, by_source.get(source, []), medians.get(source),
                [g for g in failures if g.source_id == source],
                [g for g in rejects if g.source_id == source])
        for source in sources]
    statuses.sort(key=lambda s: (STATES.index(s.state), s.source_id))

    facets = reporting.article_facets(conn, window)
    articles = reporting.day_articles(conn, window, limit=article_limit)
    total = sum(n for _, n in facets["section"])
    enrichment = reporting.day_enrichment(conn, day)
    enrich = _enrich_status(day, reporting.day_enrich(conn, window, run_id), stages)
    conn.commit()
    log.info("report of %s: %d sources, %d problems, %d articles", day, len(statuses),
             sum(1 for s in statuses if s.state != "ok"), total)
    return DayReport(day, days, datetime.now(UTC), statuses, histories, facets["section"],
                     facets["language"], articles, total, enrichment, enrich)


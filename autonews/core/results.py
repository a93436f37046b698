"""What each stage reports (its counts, stored as `pipeline_runs.counts`), and the one
summary of a source's run that the CLI table, the JSON output, the DAG report and the
warehouse views read.

The JSON keys of `to_counts()` are a stored contract: views and reports read them from
`pipeline_runs.counts`, and rows written by earlier versions must still read back
(`from_counts` takes what it knows and ignores the rest).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from autonews.core.vocabulary import STAGES, Stage, Status


def _int(counts: Mapping[str, Any], key: str) -> int:
    value = counts.get(key, 0)
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _tally(value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): int(v) for k, v in value.items() if isinstance(v, (int, float))}


@dataclass
class CrawlResult:
    """What a crawl found and fetched."""

    listed: int = 0  # URLs discovery listed, whatever their date
    in_window: int = 0  # of those, URLs whose best date falls in the window
    out_of_window: int = 0
    undated: int = 0
    fetched: int = 0
    not_modified: int = 0  # 304, or not requested because the sitemap says unchanged
    failed: int = 0  # article fetches with a failed outcome (FAILED_OUTCOMES)
    robots_disallowed: int = 0
    over_cap: int = 0
    retries: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # article fetches per outcome
    discovery_outcomes: dict[str, int] = field(default_factory=dict)  # sitemaps, feeds...
    finish_reason: str | None = None
    log_file: str | None = None

    def to_counts(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_counts(cls, counts: Mapping[str, Any]) -> CrawlResult:
        ints = {f.name: _int(counts, f.name) for f in dataclasses.fields(cls)
                if f.type in ("int", int)}
        if "listed" not in counts and "discovered" in counts:  # written before 0.2
            ints["listed"] = _int(counts, "discovered")
        return cls(**ints, outcomes=_tally(counts.get("outcomes")),
                   discovery_outcomes=_tally(counts.get("discovery_outcomes")),
                   finish_reason=counts.get("finish_reason"), log_file=counts.get("log_file"))


@dataclass
class ArchiveImportResult(CrawlResult):
    """A day's pages brought in by a web-archive import instead of a crawl, recorded as
    that run's crawl stage: `in_window` = the archive's records of the source and day,
    `fetched` = pages stored from the archive, `not_modified` = records of pages a crawl
    had already stored with the same content."""

    archive_files: int = 0  # the files the import read


REJECTED_PREFIX = "rejected_"
# Below this extraction confidence an article counts as doubtful (the gate's share, the
# analysts' filter, the partial index of migration 0006).
LOW_CONFIDENCE = 0.5


@dataclass
class CleanResult:
    """What the cleaner made of the window's pages."""

    pages: int = 0  # stored pages cleaned
    articles: int = 0  # staged for the load
    rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    undated_pages: int = 0  # articles without a date of their own
    date_mismatch: int = 0  # the page's own date is outside the window discovery chose
    duplicates: int = 0  # another URL of an article already staged (same canonical URL)
    duplicate_content: int = 0  # the same title and body under another canonical URL
    page_kinds: dict[str, int] = field(default_factory=dict)  # staged articles per kind
    low_confidence: int = 0  # staged articles below LOW_CONFIDENCE

    def kept(self, page_kind: str, confidence: float) -> None:
        """Count one staged article's page kind and confidence."""
        self.page_kinds[page_kind] = self.page_kinds.get(page_kind, 0) + 1
        if confidence < LOW_CONFIDENCE:
            self.low_confidence += 1

    def reject(self, reason: str) -> None:
        self.rejected += 1
        self.rejected_by_reason[reason] = self.rejected_by_reason.get(reason, 0) + 1

    def rejected_for(self, *reasons: str) -> int:
        return sum(self.rejected_by_reason.get(r, 0) for r in reasons)

    def to_counts(self) -> dict[str, Any]:
        counts: dict[str, Any] = {"pages": self.pages, "articles": self.articles,
                                  "rejected": self.rejected,
                                  "undated_pages": self.undated_pages,
                                  "date_mismatch": self.date_mismatch,
                                  "duplicates": self.duplicates,
                                  "duplicate_content": self.duplicate_content,
                                  "page_kinds": dict(self.page_kinds),
                                  "low_confidence": self.low_confidence}
        for reason, number in sorted(self.rejected_by_reason.items()):
            counts[REJECTED_PREFIX + reason] = number
        return counts

    @classmethod
    def from_counts(cls, counts: Mapping[str, Any]) -> CleanResult:
        by_reason = {k[len(REJECTED_PREFIX):]: _int(counts, k) for k in counts
                     if k.startswith(REJECTED_PREFIX)}
        return cls(pages=_int(counts, "pages"), articles=_int(counts, "articles"),
                   rejected=_int(counts, "rejected"), rejected_by_reason=by_reason,
                   undated_pages=_int(counts, "undated_pages"),
                   date_mismatch=_int(counts, "date_mismatch"),
                   duplicates=_int(counts, "duplicates"),
                   duplicate_content=_int(counts, "duplicate_content"),
                   page_kinds=_tally(counts.get("page_kinds")),
                   low_confidence=_int(counts, "low_confidence"))


@dataclass(frozen=True)
class Check:
    """One check of the quality gate."""

    name: str
    value: float
    limit: float
    passed: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.name, "value": round(self.value, 3), "limit": self.limit,
                "passed": self.passed, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Check:
        return cls(str(data.get("check")), float(data.get("value", 0)),
                   float(data.get("limit", 0)), bool(data.get("passed")),
                   str(data.get("detail", "")))

    def describe(self) -> str:
        if self.name == "zero_articles":
            return f"zero_articles ({self.detail})"
        return f"{self.name} {self.value:.2f} > {self.limit:g} ({self.detail})"


@dataclass
class GateResult:
    """The quality gate's verdict on a source's day."""

    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failed_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def to_counts(self) -> dict[str, Any]:
        return {"checks": [c.as_dict() for c in self.checks], "passed": self.passed}

    @classmethod
    def from_counts(cls, counts: Mapping[str, Any]) -> GateResult:
        checks = counts.get("checks")
        return cls([Check.from_dict(c) for c in checks if isinstance(c, Mapping)]
                   if isinstance(checks, list) else [])


@dataclass(frozen=True)
class LoadResult:
    """What the merge did to `articles`."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def loaded(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def to_counts(self) -> dict[str, Any]:
        return {"inserted": self.inserted, "updated": self.updated,
                "unchanged": self.unchanged}

    @classmethod
    def from_counts(cls, counts: Mapping[str, Any]) -> LoadResult:
        return cls(_int(counts, "inserted"), _int(counts, "updated"),
                   _int(counts, "unchanged"))


@dataclass
class EnrichResult:
    """What the enrich stage did over a window (entities, topics, stories)."""

    version: str = ""  # knowledge base + taxonomy + rules: a change redoes every article
    catalogue_updated: bool = False  # the entities and topics tables were rewritten
    articles: int = 0  # articles published in the window
    enriched: int = 0
    skipped: int = 0  # already enriched with this version and content
    entity_links: int = 0
    topic_links: int = 0
    stories: int = 0  # stories with an article in the window
    story_changes: int = 0  # articles whose story changed
    stories_rebuilt: int = 0

    def to_counts(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_counts(cls, counts: Mapping[str, Any]) -> EnrichResult:
        ints = {f.name: _int(counts, f.name) for f in dataclasses.fields(cls)
                if f.type in ("int", int)}
        return cls(version=str(counts.get("version", "")),
                   catalogue_updated=bool(counts.get("catalogue_updated")), **ints)


StageResult = CrawlResult | CleanResult | GateResult | LoadResult | EnrichResult
RESULT_TYPES: dict[Stage, type[StageResult]] = {
    Stage.CRAWL: CrawlResult, Stage.CLEAN: CleanResult, Stage.GATE: GateResult,
    Stage.LOAD: LoadResult, Stage.ENRICH: EnrichResult,
}
# The columns of a run's summary, as people see them (CLI table, JSON, report, views).
SUMMARY_COLUMNS = ("discovered", "fetched", "not_modified", "failed", "inserted", "updated",
                   "unchanged", "rejected")


@dataclass
class SourceSummary:
    """One source's run: each stage's status and result, and the first error."""

    source_id: str
    crawl: CrawlResult = field(default_factory=CrawlResult)
    clean: CleanResult = field(default_factory=CleanResult)
    gate: GateResult = field(default_factory=GateResult)
    load: LoadResult = field(default_factory=LoadResult)
    stages: dict[Stage, Status] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """No stage failed or was left running, and no error was recorded."""
        return self.error is None and not any(
            s in (Status.FAILED, Status.RUNNING) for s in self.stages.values())

    def record(self, stage: Stage, status: Status, counts: Mapping[str, Any],
               error: str | None = None) -> None:
        """Take in one stage's stored row (status, counts, error)."""
        self.stages[stage] = status
        result = RESULT_TYPES[stage].from_counts(counts)
        setattr(self, stage.value, result)
        if status is Status.FAILED and self.error is None:
            self.error = f"{stage.value}: {error}" if error else f"{stage.value} failed"

    def row(self) -> dict[str, Any]:
        """The summary as one flat row (`discovered` is the URLs dated in the window)."""
        return {
            "source": self.source_id,
            "discovered": self.crawl.in_window,
            "fetched": self.crawl.fetched,
            "not_modified": self.crawl.not_modified,
            "failed": self.crawl.failed,
            "inserted": self.load.inserted,
            "updated": self.load.updated,
            "unchanged": self.load.unchanged,
            "rejected": self.clean.rejected,
            "error": self.error,
            "stages": {stage.value: self.stages[stage].value for stage in STAGES
                       if stage in self.stages},
        }


@dataclass
class RecleanResult:
    """A reclean of one source's stored pages: what the cleaner made of them, and what
    changed in `articles`."""

    source_id: str
    clean: CleanResult = field(default_factory=CleanResult)
    load: LoadResult = field(default_factory=LoadResult)

    @property
    def changed(self) -> int:
        return self.load.updated

    def row(self) -> dict[str, Any]:
        return {"source": self.source_id, "pages": self.clean.pages,
                "articles": self.clean.articles, "rejected": self.clean.rejected,
                "changed": self.changed, "inserted": self.load.inserted,
                "unchanged": self.load.unchanged}

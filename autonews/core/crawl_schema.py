"""The crawl subprocess's contract: what `autonews.jobs` hands `python -m scrapers.run`
(a `CrawlRequest` file), what the crawl writes back (a `CrawlReport` file), and the progress
events it prints on stdout (one JSON object per line). Both sides import this module; a
file of another schema version is refused with a clear error, never misread.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from autonews.core.results import CrawlResult
from autonews.core.source import Source
from autonews.core.vocabulary import FAILED_OUTCOMES, Outcome
from autonews.core.window import Window

SCHEMA_VERSION = 1


class CrawlSchemaError(ValueError):
    """A request or report file that is not of this schema version."""


def _check_version(data: Mapping[str, Any], what: str, path: Path) -> None:
    version = data.get("schema")
    if version != SCHEMA_VERSION:
        raise CrawlSchemaError(f"{path}: {what} of schema version {version!r}; this autonews "
                               f"reads version {SCHEMA_VERSION}")


@dataclass(frozen=True)
class CrawlRequest:
    """One crawl: a source, the window whose articles it fetches, the run it belongs to.
    The warehouse DSN travels in the environment (`AUTONEWS_DSN`), never in a file."""

    source: Source
    window: Window
    run_id: str
    log_file: str | None = None
    progress: bool = False  # print progress events on stdout

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, "source": self.source.to_json(),
                "window": self.window.to_json(), "run_id": self.run_id,
                "log_file": self.log_file, "progress": self.progress}

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json()))

    @classmethod
    def read(cls, path: Path) -> CrawlRequest:
        data = json.loads(path.read_text())
        _check_version(data, "crawl request", path)
        return cls(Source.from_json(data["source"]), Window.from_json(data["window"]),
                   str(data["run_id"]), data.get("log_file"), bool(data.get("progress")))


@dataclass
class CrawlReport:
    """What a crawl did: discovery counts, every fetch's outcome, Scrapy's own stats."""

    finish_reason: str | None = None
    listed: int = 0
    in_window: int = 0
    out_of_window: int = 0
    undated: int = 0
    scheduled: int = 0  # article requests sent
    articles: dict[str, int] = field(default_factory=dict)  # article fetches per outcome
    discovery: dict[str, int] = field(default_factory=dict)  # discovery fetches per outcome
    spider: dict[str, int] = field(default_factory=dict)  # the spider's other counters
    scrapy: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, "finish_reason": self.finish_reason,
                "listed": self.listed, "in_window": self.in_window,
                "out_of_window": self.out_of_window, "undated": self.undated,
                "scheduled": self.scheduled, "articles": self.articles,
                "discovery": self.discovery, "spider": self.spider, "scrapy": self.scrapy}

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, default=str))

    @classmethod
    def read(cls, path: Path) -> CrawlReport:
        data = json.loads(path.read_text())
        _check_version(data, "crawl report", path)
        return cls(data.get("finish_reason"), int(data.get("listed", 0)),
                   int(data.get("in_window", 0)), int(data.get("out_of_window", 0)),
                   int(data.get("undated", 0)), int(data.get("scheduled", 0)),
                   dict(data.get("articles", {})), dict(data.get("discovery", {})),
                   dict(data.get("spider", {})), dict(data.get("scrapy", {})))

    def result(self, log_file: str | None = None) -> CrawlResult:
        """The crawl stage's counts, as shown to people and stored in `pipeline_runs`."""
        articles = self.articles
        return CrawlResult(
            listed=self.listed, in_window=self.in_window, out_of_window=self.out_of_window,
            undated=self.undated,
            fetched=articles.get(Outcome.FETCHED, 0),
            not_modified=articles.get(Outcome.NOT_MODIFIED, 0)
            + articles.get(Outcome.UNCHANGED, 0),
            failed=sum(articles.get(k, 0) for k in FAILED_OUTCOMES),
            robots_disallowed=articles.get(Outcome.ROBOTS, 0),
            over_cap=articles.get(Outcome.OVER_CAP, 0),
            retries=int(self.scrapy.get("retry/count", 0)),
            outcomes=dict(articles), discovery_outcomes=dict(self.discovery),
            finish_reason=self.finish_reason, log_file=log_file)


class ProgressEvent(StrEnum):
    """Progress lines the crawl prints: `{"event": <name>, ...}`."""

    DISCOVERING = "discovering"  # urls: URLs listed so far
    FETCHING = "fetching"  # total: article requests about to be sent
    FETCHED = "fetched"  # outcome: one article fetch ended


def progress_line(event: ProgressEvent, **data: Any) -> str:
    return json.dumps({"event": event.value, **data})

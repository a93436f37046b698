"""The quality gate: decide from a source's clean counts (and its history) whether the day
may be loaded. Thresholds are data in `config/quality.toml`."""

from __future__ import annotations

import os
import statistics
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from autonews.sources import PROJECT_ROOT, ConfigError

DEFAULT_QUALITY = PROJECT_ROOT / "config" / "quality.toml"
QUALITY_ENV = "AUTONEWS_QUALITY"


@dataclass(frozen=True)
class Thresholds:
    history_days: int = 14
    zero_articles_median: float = 3
    min_pages: int = 2
    max_reject_rate: float = 0.6
    max_empty_share: float = 0.5
    max_undated_share: float = 0.5


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    limit: float
    passed: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.name, "value": round(self.value, 3), "limit": self.limit,
                "passed": self.passed, "detail": self.detail}


def load_thresholds(source_id: str, path: Path | None = None) -> Thresholds:
    path = path or Path(os.environ.get(QUALITY_ENV) or DEFAULT_QUALITY)
    if not path.exists():
        return Thresholds()
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    known = {f.name: f.type for f in fields(Thresholds)}
    result = Thresholds()
    for section_name, section in (("default", data.get("default", {})),
                                  (f"source.{source_id}",
                                   data.get("source", {}).get(source_id, {}))):
        for key, value in section.items():
            if key not in known:
                raise ConfigError(f"{path}: [{section_name}] key '{key}': unknown threshold "
                                  f"(known: {', '.join(sorted(known))})")
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{path}: [{section_name}] key '{key}': expected a "
                                  "non-negative number")
            result = replace(result, **{key: value})  # type: ignore[arg-type]
    return result


def evaluate(counts: dict[str, Any], history: list[int], limits: Thresholds) -> list[Check]:
    """Checks of one source's day. `counts` are the clean stage's counts; `history` the
    source's articles per day over the previous `history_days` days."""
    pages = int(counts.get("pages", 0))
    articles = int(counts.get("articles", 0))
    rejected = int(counts.get("rejected", 0))
    empty = int(counts.get("rejected_empty", 0)) + int(counts.get("rejected_too_short", 0))
    undated = int(counts.get("undated_pages", 0))
    median = statistics.median(history) if history else 0.0
    checks = [Check(
        "zero_articles", float(articles), limits.zero_articles_median,
        not (articles == 0 and median >= limits.zero_articles_median),
        f"{articles} articles today; median {median:g}/day over {len(history)} days",
    )]
    if pages >= limits.min_pages:
        rate = rejected / pages
        checks.append(Check("reject_rate", rate, limits.max_reject_rate,
                            rate <= limits.max_reject_rate,
                            f"{rejected} of {pages} pages rejected"))
    # Pages fetched but none with text is a broken template even on a one-page day.
    if pages >= limits.min_pages or (pages and not articles):
        share = empty / pages
        checks.append(Check("empty_share", share, limits.max_empty_share,
                            share <= limits.max_empty_share,
                            f"{empty} of {pages} pages empty or too short"))
        if articles:
            undated_share = undated / (articles + int(counts.get("duplicates", 0)))
            checks.append(Check("undated_share", undated_share, limits.max_undated_share,
                                undated_share <= limits.max_undated_share,
                                f"{undated} articles without a date of their own"))
    return checks

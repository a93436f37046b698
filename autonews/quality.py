"""The quality gate's rules: decide from a source's clean counts (and its history) whether
the day may be loaded. Thresholds are data in `config/quality.toml`."""

from __future__ import annotations

import math
import statistics
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from autonews.core.errors import ConfigError
from autonews.core.results import LOW_CONFIDENCE, Check, CleanResult
from autonews.core.vocabulary import RejectReason
from autonews.sources import PROJECT_ROOT

DEFAULT_QUALITY = PROJECT_ROOT / "config" / "quality.toml"


@dataclass(frozen=True)
class Thresholds:
    history_days: int = 14
    zero_articles_median: float = 3
    min_pages: int = 2
    max_reject_rate: float = 0.6
    max_empty_share: float = 0.5
    max_undated_share: float = 0.5
    max_low_confidence_share: float = 0.5


_INTEGER_KEYS = frozenset({"history_days", "min_pages"})
_SHARE_KEYS = frozenset({"max_reject_rate", "max_empty_share", "max_undated_share",
                         "max_low_confidence_share"})


def load_thresholds(source_id: str, path: Path | None = None) -> Thresholds:
    """The thresholds of `source_id`: `[default]` of the quality file (`AUTONEWS_QUALITY`,
    else config/quality.toml), then its `[source.<id>]` overrides."""
    path = path or DEFAULT_QUALITY
    if not path.exists():
        return Thresholds()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the quality file: {exc.strerror or exc}"
                          ) from exc
    known = {f.name for f in fields(Thresholds)}
    result = Thresholds()
    sources = data.get("source", {})
    own = sources.get(source_id, {}) if isinstance(sources, dict) else {}
    for section_name, section in (("default", data.get("default", {})),
                                  (f"source.{source_id}", own)):
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: [{section_name}] is not a table")
        for key, value in section.items():
            if key not in known:
                raise ConfigError(f"{path}: [{section_name}] key '{key}': unknown threshold "
                                  f"(known: {', '.join(sorted(known))})")
            where = f"{path}: [{section_name}] key '{key}'"
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0 \
                    or not math.isfinite(value):
                raise ConfigError(f"{where}: expected a non-negative number")
            if key in _INTEGER_KEYS and not isinstance(value, int):
                raise ConfigError(f"{where}: expected a whole number, got {value}")
            if key in _SHARE_KEYS and value > 1:
                raise ConfigError(f"{where}: expected a share between 0 and 1, got {value}")
            result = replace(result, **{key: value})  # type: ignore[arg-type]
    return result


def evaluate(counts: CleanResult, history: list[int], limits: Thresholds) -> list[Check]:
    """Checks of one source's day. `counts` are the clean stage's; `history` the source's
    articles per day over the previous `history_days` days."""
    pages, articles, rejected = counts.pages, counts.articles, counts.rejected
    empty = counts.rejected_for(RejectReason.EMPTY, RejectReason.TOO_SHORT)
    undated = counts.undated_pages
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
            undated_share = undated / (articles + counts.duplicates)
            checks.append(Check("undated_share", undated_share, limits.max_undated_share,
                                undated_share <= limits.max_undated_share,
                                f"{undated} articles without a date of their own"))
            doubtful = counts.low_confidence / articles
            checks.append(Check("low_confidence_share", doubtful,
                                limits.max_low_confidence_share,
                                doubtful <= limits.max_low_confidence_share,
                                f"{counts.low_confidence} of {articles} articles the cleaner "
                                f"is unsure of (confidence < {LOW_CONFIDENCE:g})"))
    return checks

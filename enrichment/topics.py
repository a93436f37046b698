"""Topics: the taxonomy in config/topics.toml and the weighted-cue scoring of an article."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autonews.core.errors import ConfigError
from enrichment.kb import CONFIG_DIR
from enrichment.scanner import Hit, Pattern

TOPIC_KEYS = frozenset({"id", "name", "description", "threshold", "cues"})
_ID = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
_LANG = re.compile(r"^(\*|[a-z]{2})$")
LENGTH_NORM = 400  # words; calibrated with the cue weights on the labelled set


class TaxonomyError(ConfigError):
    """A topics file that cannot be used; the message names file, topic and key."""


@dataclass(frozen=True)
class Cue:
    text: str  # lower-cased, without the trailing *
    topic_id: str
    lang: str
    weight: float
    prefix: bool


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    description: str
    threshold: float


@dataclass(frozen=True)
class TopicScore:
    topic_id: str
    score: float  # raw / (raw + threshold): 0.5 at the threshold, towards 1 above
    raw: float


@dataclass
class Taxonomy:
    topics: dict[str, Topic]
    cues: list[Cue]
    version: str

    def patterns(self) -> list[Pattern]:
        return [Pattern(c.text, "cue", n, c.prefix) for n, c in enumerate(self.cues)]

    def score(self, hits: Sequence[Hit], title_length: int, language: str | None,
              words: int = 0) -> list[TopicScore]:
        """The topics the article reaches the threshold of, best first."""
        counts: dict[int, int] = {}
        titled: set[int] = set()
        covered: dict[str, int] = {}  # topic -> end of its last counted hit
        # Longest first at each position: overlapping cues of one topic count once
        # ("battery-electric car" is one cue, not three).
        for hit in sorted(hits, key=lambda h: (h.start, h.start - h.end)):
            cue = self.cues[hit.pattern]
            if cue.lang != "*" and language is not None and cue.lang != language:
                continue
            if hit.start < covered.get(cue.topic_id, -1):
                continue
            covered[cue.topic_id] = hit.end
            counts[hit.pattern] = counts.get(hit.pattern, 0) + 1
            if hit.start < title_length:
                titled.add(hit.pattern)
        raw: dict[str, float] = {}
        for index, count in counts.items():
            cue = self.cues[index]
            gained = cue.weight * (1 + 0.5 * (min(count, 3) - 1))
            if index in titled:
                gained += cue.weight
            raw[cue.topic_id] = raw.get(cue.topic_id, 0.0) + gained
        # Long articles meet weak cues by chance: the bar rises with the square root of the
        # length past LENGTH_NORM words.
        scale = max(1.0, words / LENGTH_NORM) ** 0.5
        scores = [TopicScore(t, round(r / (r + self.topics[t].threshold * scale), 3),
                             round(r, 2))
                  for t, r in raw.items() if r >= self.topics[t].threshold * scale]
        return sorted(scores, key=lambda s: (-s.score, s.topic_id))


def load_taxonomy(config_dir: Path = CONFIG_DIR) -> Taxonomy:
    """Read and check config/topics.toml; raise TaxonomyError naming file, topic and key."""
    path = config_dir / "topics.toml"
    try:
        raw = path.read_bytes()
        table = tomllib.loads(raw.decode("utf-8"))
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: not valid TOML: {exc}") from exc
    entries = table.get("topic")
    if set(table) - {"topic"} or not isinstance(entries, list) or not entries:
        raise TaxonomyError(f"{path}: expected [[topic]] tables and nothing else")
    topics: dict[str, Topic] = {}
    cues: list[Cue] = []
    for entry in entries:
        topic = _topic(path, entry, topics)
        topics[topic.id] = topic
        cues.extend(_cues(path, topic.id, entry.get("cues")))
    return Taxonomy(topics, cues, hashlib.sha256(raw).hexdigest()[:16])


def _topic(path: Path, entry: Any, seen: Mapping[str, Topic]) -> Topic:
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{path}: every [[topic]] must be a table")
    ident = entry.get("id")
    where = f"{path}: topic '{ident}'"
    if not isinstance(ident, str) or not _ID.match(ident):
        raise TaxonomyError(f"{where}: key 'id': missing, or not a snake_case id")
    if ident in seen:
        raise TaxonomyError(f"{where}: key 'id': used twice")
    for key in entry:
        if key not in TOPIC_KEYS:
            raise TaxonomyError(f"{where}: key '{key}': unknown key (allowed: "
                                f"{', '.join(sorted(TOPIC_KEYS))})")
    for key in ("name", "description"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise TaxonomyError(f"{where}: key '{key}': missing or empty")
    threshold = entry.get("threshold")
    if not isinstance(threshold, int | float) or isinstance(threshold, bool) or threshold <= 0:
        raise TaxonomyError(f"{where}: key 'threshold': expected a positive number")
    return Topic(ident, entry["name"], entry["description"], float(threshold))


def _cues(path: Path, topic_id: str, table: Any) -> list[Cue]:
    where = f"{path}: topic '{topic_id}'"
    if not isinstance(table, dict) or not table:
        raise TaxonomyError(f"{where}: key 'cues': expected a table of languages")
    cues = []
    for lang, weights in table.items():
        if not _LANG.match(lang):
            raise TaxonomyError(f"{where}: key 'cues.{lang}': not an ISO 639-1 code or '*'")
        if not isinstance(weights, dict) or not weights:
            raise TaxonomyError(f"{where}: key 'cues.{lang}': expected {{ cue = weight }}")
        for text, weight in weights.items():
            key = f"cues.{lang}.{text!r}"
            if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
                raise TaxonomyError(f"{where}: key '{key}': the weight must be a positive number")
            body = text.rstrip("*")
            if not body.strip() or "*" in body or body != body.strip() or text != text.lower():
                raise TaxonomyError(f"{where}: key '{key}': a cue is lower-case words with at "
                                    "most one * at the end")
            cues.append(Cue(body, topic_id, lang, float(weight), text.endswith("*")))
    return cues

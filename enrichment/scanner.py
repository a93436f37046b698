"""One pass over an article for every alias and topic cue at once (an Aho-Corasick automaton).

Why pyahocorasick: the knowledge base has thousands of aliases and the taxonomy hundreds of
cues; one C-level pass over the lower-cased text finds all of them, where a compiled regular
expression alternation of the same strings is several times slower (bench/README.md,
"Enrichment"). Word boundaries, case and language are checked afterwards, on the few hits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Pattern:
    """A string to find: `key` is its lower-cased text, `prefix` lets it end inside a word."""

    key: str
    kind: str  # "alias" | "cue"
    index: int  # position in the linker's alias list or the scorer's cue list
    prefix: bool = False


class Hit(NamedTuple):  # a tuple: a long article has hundreds, made in a tight loop
    start: int
    end: int  # exclusive
    kind: str
    pattern: int  # the Pattern's index


class Scanner:
    """Finds every pattern in a text, on word boundaries (a prefix pattern may end inside a
    word), returning hits in text order."""

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        grouped: dict[str, list[Pattern]] = {}
        for pattern in patterns:
            grouped.setdefault(pattern.key, []).append(pattern)
        self._automaton = ahocorasick.Automaton()
        for key, group in grouped.items():
            self._automaton.add_word(key, (len(key), tuple(group)))
        self._empty = not grouped
        if grouped:
            self._automaton.make_automaton()

    def scan(self, lower: str) -> list[Hit]:
        """Hits in `lower` (the article text lower-cased, same length as the original)."""
        if self._empty:
            return []
        hits: list[Hit] = []
        size = len(lower)
        for last, (length, group) in self._automaton.iter(lower):
            start = last - length + 1
            if start > 0 and lower[start - 1].isalnum():
                continue
            closed = last + 1 == size or not lower[last + 1].isalnum()
            for pattern in group:
                if closed or pattern.prefix:
                    hits.append(Hit(start, last + 1, pattern.kind, pattern.index))
        return hits


def lower_same_length(text: str) -> str:
    """`text.lower()`, keeping one character per character so offsets still match (a few
    letters, like the dotted capital I, lower-case to two characters)."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(c.lower()[0] for c in text)

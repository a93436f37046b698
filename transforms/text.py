"""Text normalisation shared by the cleaner: whitespace, control characters, word splitting."""

from __future__ import annotations

import re

_SPACE = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# NUL and C0/C1 controls (PostgreSQL refuses NUL in text), zero-width and BOM characters,
# lone surrogates (from JSON escapes or a caller's str; no UTF-8 encoder accepts them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff"
                      r"\ud800-\udfff]")
_CLASS_WORDS = re.compile(r"[a-z]+")
_WORD = re.compile(r"\w+(?:[’'.-]\w+)*", re.UNICODE)


def strip_control(text: str) -> str:
    """Text without NUL, control, zero-width and lone surrogate characters (newlines and
    tabs kept)."""
    return _CONTROL.sub("", text)


def collapse(text: str) -> str:
    """Whitespace runs (incl. no-break spaces) to one space, trimmed, controls removed."""
    return _SPACE.sub(" ", strip_control(text)).strip()


def words_of(class_names: str) -> list[str]:
    """Words of class/id names: 'td-post-sharing_top' -> ['td', 'post', 'sharing', 'top']."""
    return _CLASS_WORDS.findall(class_names.lower())


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens, for comparisons and scoring."""
    return [w.casefold() for w in _WORD.findall(text)]

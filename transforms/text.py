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
# Scripts written without spaces between words, and how many characters make one word
# for counting and reading time. Calibration: common reading-speed figures (English
# ~230 words/min; Chinese ~260-300 and Japanese ~400-600 characters/min) give about 1.5
# and 2 characters per word; we use 2 for both (a Japanese page mixes kana and kanji),
# and 4 for Thai, Lao, Khmer and Burmese, whose dictionary words average 4-5 letters.
_UNSPACED = {
    2: re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                  r"\uff66-\uff9f]"),
    4: re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]"),
}


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
    """Words in `text`; in scripts written without spaces (Chinese, Japanese, Thai...),
    a word per 2 or 4 characters, so a word count means the same in every language."""
    if text.isascii():
        return len(_WORD.findall(text))
    total = 0.0
    for per_word, script in _UNSPACED.items():
        text, found = script.subn(" ", text)
        total += found / per_word
    return len(_WORD.findall(text)) + round(total)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens, for comparisons and scoring."""
    return [w.casefold() for w in _WORD.findall(text)]

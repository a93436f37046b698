"""The golden pages (tests/fixtures/pages/<source>/<slug>/{page.html,expected.json}) and the
bag-of-words score of an extracted body against one: shared by the cleaner's tests and
`bench/extraction.py`."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autonews.sources import PROJECT_ROOT
from transforms.text import tokens

PAGES = PROJECT_ROOT / "tests" / "fixtures" / "pages"


@dataclass(frozen=True)
class Golden:
    name: str
    html: bytes
    expected: dict[str, Any]


def golden_pages(folder: Path = PAGES) -> list[Golden]:
    """Every golden page under `folder`, in name order (`<source>/<slug>`)."""
    pages = []
    for path in sorted(folder.glob("*/*/expected.json")):
        pages.append(Golden(f"{path.parent.parent.name}/{path.parent.name}",
                            (path.parent / "page.html").read_bytes(),
                            json.loads(path.read_text(encoding="utf-8"))))
    return pages


def token_scores(expected: str, got: str) -> tuple[float, float, float]:
    """Token-level precision, recall and F1 of `got` against `expected` (bag of words)."""
    want, have = Counter(tokens(expected)), Counter(tokens(got))
    common = sum((want & have).values())
    if not want and not have:
        return 1.0, 1.0, 1.0
    precision = common / max(1, sum(have.values()))
    recall = common / max(1, sum(want.values()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1

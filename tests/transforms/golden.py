"""Loading the golden pages and scoring extracted text against them (tests and bench)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transforms.text import tokens

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


@dataclass(frozen=True)
class Golden:
    name: str
    html: bytes
    expected: dict[str, Any]


def golden_pages() -> list[Golden]:
    pages = []
    for path in sorted(PAGES.glob("*/*/expected.json")):
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

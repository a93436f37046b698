"""Extraction benchmark: our cleaner against trafilatura and readability-lxml, one run.

Usage (from the repository root):

    .venv/bin/python bench/extraction.py                 # table, JSON in bench/results/
    .venv/bin/python bench/extraction.py --repeat 9 --markdown

Every tool reads the same golden pages (`tests/fixtures/pages/`, bytes as fetched, with
their URL). Scored on the article pages: body text by token precision/recall/F1 against
the expected body (bag of words, `autonews/evaluation/golden.py`), title, authors and
published date; on the non-article pages (galleries, videos, listings...): whether the
tool declined to return an article. Speed: one warm-up pass (the scoring pass), then
`--repeat` timed passes over all pages, tools interleaved so they share the machine's
noise; pages per second is the median. Compare ratios, not absolute figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import lxml.html
import trafilatura
from readability import Document

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autonews.evaluation.golden import Golden, golden_pages, token_scores  # noqa: E402
from transforms import PageRejected, extract_article  # noqa: E402
from transforms.text import collapse  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
# trafilatura's date at its most precise (time and offset when the page gives them)
TRAFILATURA_DATES = {"extensive_search": True, "original_date": True,
                     "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote",
                     "pre", "tr", "td", "th", "table", "ul", "ol", "section", "article",
                     "br", "dd", "dt", "figure", "header", "footer"})


@dataclass
class Extraction:
    """What a tool made of one page; None for a field the tool does not give."""

    body: str | None  # None: no article (rejected, or nothing found)
    title: str | None = None
    authors: list[str] | None = None
    published: str | None = None
    reject_reason: str | None = None


@dataclass
class Tool:
    name: str
    run: Callable[[Golden], Extraction]
    fields: tuple[str, ...]  # which of title/authors/published it reports
    scored: bool = True  # False: timed only


# ---------------------------------------------------------------- the tools


def run_ours(page: Golden) -> Extraction:
    try:
        article = extract_article(page.html, page.expected["url"])
    except PageRejected as rejected:
        return Extraction(None, reject_reason=rejected.reason.value)
    published = article.published_at.isoformat() if article.published_at else None
    return Extraction(article.body, article.title, article.authors, published)


def _trafilatura(page: Golden, **options: Any) -> Extraction:
    doc = trafilatura.bare_extraction(page.html, url=page.expected["url"], with_metadata=True,
                                      date_extraction_params=TRAFILATURA_DATES, **options)
    if doc is None:
        return Extraction(None)
    values = doc if isinstance(doc, dict) else {k: getattr(doc, k, None)
                                                for k in ("text", "title", "author", "date")}
    authors = [a.strip() for a in (values["author"] or "").split(";") if a.strip()]
    return Extraction(values["text"] or "", values["title"], authors, values["date"])


def run_trafilatura(page: Golden) -> Extraction:
    return _trafilatura(page)


def run_trafilatura_precision(page: Golden) -> Extraction:
    return _trafilatura(page, favor_precision=True)


def run_trafilatura_body_only(page: Golden) -> Extraction:
    """`trafilatura.extract()` as most people call it: text only, no metadata."""
    return Extraction(trafilatura.extract(page.html, url=page.expected["url"]))


def run_readability(page: Golden) -> Extraction:
    doc = Document(page.html, url=page.expected["url"])
    body = html_to_text(doc.summary(html_partial=True))
    author = doc.author()
    authors = [] if not author or author == "[no-author]" else [author]
    return Extraction(body or None, doc.short_title(), authors)


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment, one block per paragraph-level element (so words of
    adjacent blocks never run together)."""
    if not fragment.strip():
        return ""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
            element.text = "\n\n" + (element.text or "")
    blocks = (collapse(b) for b in root.text_content().split("\n\n"))
    return "\n\n".join(b for b in blocks if b)


TOOLS = (
    Tool("autonews cleaner", run_ours, ("title", "authors", "published")),
    Tool("trafilatura", run_trafilatura, ("title", "authors", "published")),
    Tool("trafilatura favor_precision", run_trafilatura_precision,
         ("title", "authors", "published")),
    Tool("readability-lxml", run_readability, ("title", "authors")),
    Tool("trafilatura extract() body only", run_trafilatura_body_only, (), scored=False),
)


# ---------------------------------------------------------------- scoring


def parse_when(value: str | None) -> datetime | None:
    """A tool's date as aware UTC; a value without an offset is taken as UTC (a date
    alone as its midnight, as the golden pages' contract says)."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def date_scores(expected: str | None, got: str | None) -> tuple[bool, bool]:
    """(exact to the second in UTC, same calendar day). A date without an offset may be
    the page's local day, so for it the day before or after the UTC day also counts."""
    want, have = parse_when(expected), parse_when(got)
    if want is None or have is None:
        return want is None and have is None, want is None and have is None
    exact = want == have
    zoned = bool(got and ("+" in got[10:] or "Z" in got or got[10:].count("-")))
    slack = timedelta(days=0 if zoned else 1)
    return exact, abs(have.date() - want.date()) <= slack


def same_names(expected: list[str], got: list[str] | None) -> bool:
    return [n.casefold() for n in expected] == [collapse(n).casefold() for n in got or []]


@dataclass
class Score:
    """A tool's figures over the golden set."""

    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    title: float | None = None
    authors: float | None = None
    published_exact: float | None = None
    published_day: float | None = None
    rejects_declined: float = 0.0
    reject_reasons: float | None = None
    articles_lost: int = 0
    pages_per_second: float = 0.0
    runs: list[float] = field(default_factory=list)
    per_page_f1: dict[str, float] = field(default_factory=dict)


def score(tool: Tool, pages: list[Golden]) -> Score:
    articles = [p for p in pages if not p.expected.get("reject")]
    rejects = [p for p in pages if p.expected.get("reject")]
    out = Score()
    triples, titles, authors, exact, day = [], [], [], [], []
    for page in articles:
        exp = page.expected
        got = tool.run(page)
        if got.body is None:
            out.articles_lost += 1
        triple = token_scores(exp["body"], got.body or "")
        triples.append(triple)
        out.per_page_f1[page.name] = round(triple[2], 4)
        titles.append(collapse(got.title or "") == exp["title"])
        authors.append(same_names(exp["authors"], got.authors))
        exact_ok, day_ok = date_scores(exp["published_at"], got.published)
        exact.append(exact_ok)
        day.append(day_ok)
    out.precision, out.recall, out.f1 = (statistics.fmean(t[i] for t in triples)
                                         for i in range(3))
    if "title" in tool.fields:
        out.title = statistics.fmean(titles)
    if "authors" in tool.fields:
        out.authors = statistics.fmean(authors)
    if "published" in tool.fields:
        out.published_exact, out.published_day = statistics.fmean(exact), statistics.fmean(day)
    declined = [tool.run(page) for page in rejects]
    out.rejects_declined = statistics.fmean(d.body is None for d in declined)
    if tool.run is run_ours:
        out.reject_reasons = statistics.fmean(
            d.reject_reason == p.expected["reject"] for d, p in zip(declined, rejects, strict=True))
    return out


def time_tools(tools: list[Tool], pages: list[Golden], repeat: int) -> dict[str, list[float]]:
    """Pages per second of each pass, tools interleaved within each repetition."""
    rates: dict[str, list[float]] = {t.name: [] for t in tools}
    for _ in range(repeat):
        for tool in tools:
            gc.collect()  # no tool pays for the garbage another left
            started = time.perf_counter()
            for page in pages:
                tool.run(page)
            rates[tool.name].append(len(pages) / (time.perf_counter() - started))
    return rates


# ---------------------------------------------------------------- report


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def table(results: dict[str, Score], markdown: bool) -> str:
    head = ("tool", "body P", "body R", "body F1", "title", "authors", "date exact",
            "date day", "rejects", "pages/s")
    rows = []
    for name, s in results.items():
        scored = bool(s.per_page_f1)
        rows.append((name,
                     *(f"{v:.3f}" if scored else "-" for v in (s.precision, s.recall, s.f1)),
                     _pct(s.title) if scored else "-", _pct(s.authors) if scored else "-",
                     _pct(s.published_exact) if scored else "-",
                     _pct(s.published_day) if scored else "-",
                     f"{s.rejects_declined:.2f}" if scored else "-",
                     f"{s.pages_per_second:.0f}"))
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(str(r[i])) for r in (head, *rows)) for i in range(len(head))]
    return "\n".join("  ".join(str(c).rjust(w) if i else str(c).ljust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                     for r in (head, *rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed passes (default 7)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--json", type=Path, default=None,
                        help="where to write the JSON (default bench/results/extraction-*.json)")
    args = parser.parse_args(argv)

    pages = golden_pages()
    results: dict[str, Score] = {}
    for tool in TOOLS:  # the scoring pass is also each tool's warm-up
        if tool.scored:
            results[tool.name] = score(tool, pages)
        else:
            for page in pages:
                tool.run(page)
            results[tool.name] = Score()
    for name, runs in time_tools(list(TOOLS), pages, args.repeat).items():
        results[name].runs = [round(r, 1) for r in runs]
        results[name].pages_per_second = statistics.median(runs)

    ours = results["autonews cleaner"].pages_per_second
    ratios = {name: round(ours / s.pages_per_second, 2) for name, s in results.items()
              if name != "autonews cleaner"}
    articles = sum(1 for p in pages if not p.expected.get("reject"))
    print(f"{len(pages)} golden pages ({articles} articles, {len(pages) - articles} non-articles); "
          f"{args.repeat} timed passes, median pages/s; {os.cpu_count()} CPUs")
    print(table(results, args.markdown))
    reasons = results["autonews cleaner"].reject_reasons
    print(f"autonews cleaner: reject reason right on {reasons:.0%} of the non-articles")
    print("autonews cleaner speed relative to: "
          + ", ".join(f"{name} {ratio}x" for name, ratio in ratios.items()))

    report = {
        "command": "bench/extraction.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "versions": {"trafilatura": trafilatura.__version__},
        "pages": len(pages), "articles": articles, "repeat": args.repeat,
        "speed_ratio_of_ours": ratios,
        "tools": {name: asdict(s) for name, s in results.items()},
    }
    target = args.json or RESULTS / f"extraction-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"JSON: {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

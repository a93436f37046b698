"""Extraction on real pages: our cleaner beside trafilatura, in one run, on every corpus present.

Usage (from the repository root; build the corpora first with `bench/corpora.py`):

    .venv/bin/python bench/realworld.py                      # all corpora, both splits
    .venv/bin/python bench/realworld.py --split heldout --markdown
    .venv/bin/python bench/realworld.py --tools ours --corpus readability --show-worst 10

Figures per corpus, per language group and per split:
- body P/R/F1: 4-token shingles of `\\w+` tokens (case kept; a text of 1-3 tokens is one
  shingle), per page precision and recall of the output's multiset against the expected
  one; precision is the mean over pages with output, recall the mean over all pages, F1
  from the two means (pages with a whole expected body);
- snippets P/R/F1: trafilatura's own evaluation (an expected snippet found is a true
  positive, an unwanted one found a false positive), summed over the pages with snippets;
- title: exact, whitespace collapsed; authors: mean per-page F1 of the name lists
  (case-insensitive; an empty gold list and an empty answer score 1);
- date day / minute: the day the page gives (a day written without an offset may be any
  local day: the answer's UTC instant within that day's span from UTC+14 to UTC-12) /
  the same instant to the minute where the gold has a time;
- rejects: pages for which the tool gave no text (every page is a real content page);
- pages/s: all pages, tools interleaved page by page within this one run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transforms import PageRejected, extract_article  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CORPORA = Path(os.environ.get("AUTONEWS_CORPORA") or HERE / "corpora")
TRAFILATURA_DATES = {"extensive_search": True, "original_date": True,
                     "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
_TOKEN = re.compile(r"\w+")


@dataclass
class RealPage:
    name: str
    html: bytes
    gold: dict[str, Any]


@dataclass
class Output:
    text: str | None  # None: no article
    title: str | None = None
    authors: list[str] | None = None
    published: str | None = None
    note: str | None = None  # ours: reject reason or page kind


def load_pages(corpora: Path, corpus: str | None, split: str | None) -> list[RealPage]:
    pages = []
    for path in sorted(corpora.glob("*/*/expected.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if (corpus and gold["corpus"] != corpus) or (split and gold["split"] != split):
            continue
        pages.append(RealPage(f"{gold['corpus']}/{path.parent.name}",
                              (path.parent / "page.html").read_bytes(), gold))
    return pages


# ---------------------------------------------------------------- tools


def run_ours(page: RealPage) -> Output:
    try:
        article = extract_article(page.html, page.gold["url"])
    except PageRejected as rejected:
        return Output(None, note=f"rejected:{rejected.reason.value}")
    published = article.published_at.isoformat() if article.published_at else None
    return Output(article.body, article.title, article.authors, published,
                  note=str(getattr(article, "page_kind", "")))


def _trafilatura(page: RealPage, **options: Any) -> Output:
    doc = trafilatura.bare_extraction(page.html, url=page.gold["url"], with_metadata=True,
                                      date_extraction_params=TRAFILATURA_DATES, **options)
    if doc is None:
        return Output(None)
    values = doc if isinstance(doc, dict) else {k: getattr(doc, k, None)
                                                for k in ("text", "title", "author", "date")}
    authors = [a.strip() for a in (values["author"] or "").split(";") if a.strip()]
    return Output(values["text"] or None, values["title"], authors, values["date"])


TOOLS: dict[str, Callable[[RealPage], Output]] = {
    "ours": run_ours,
    "trafilatura": _trafilatura,
    "trafilatura_precision": lambda page: _trafilatura(page, favor_precision=True),
}


# ---------------------------------------------------------------- scoring


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Counter()
    if len(tokens) < 4:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i:i + 4]) for i in range(len(tokens) - 3))


def body_scores(expected: str, got: str | None) -> tuple[float | None, float]:
    """(precision or None without output, recall) of one page."""
    want = shingles(expected)
    have = shingles(got or "")
    if not have:
        return None, 0.0
    common = sum((want & have).values())
    return common / sum(have.values()), common / max(1, sum(want.values()))


def _norm(text: str) -> str:
    return " ".join(text.split())


def snippet_counts(gold: dict[str, Any], got: str | None) -> Counter[str]:
    text = _norm(got or "")
    counts: Counter[str] = Counter()
    for snippet in gold["with"]:
        counts["tp" if _norm(snippet) in text else "fn"] += 1
    for snippet in gold["without"]:
        counts["fp" if _norm(snippet) in text else "tn"] += 1
    return counts


def names_f1(expected: list[str], got: list[str] | None) -> float:
    want = Counter(_norm(n).casefold() for n in expected)
    have = Counter(_norm(n).casefold() for n in got or [])
    if not want and not have:
        return 1.0
    common = sum((want & have).values())
    if not common:
        return 0.0
    precision, recall = common / sum(have.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def date_scores(gold: dict[str, Any], got: str | None) -> tuple[bool, bool | None]:
    """(day right, minute right or None when the gold has no time)."""
    want, have = _instant(gold["published"]), _instant(got)
    if want is None or have is None:
        return False, None if gold["published_precision"] == "day" else False
    if gold["published_precision"] == "day":
        start = want.replace(hour=0, minute=0, second=0, microsecond=0)
        return start - timedelta(hours=14) <= have < start + timedelta(hours=36), None
    return have.date() == want.date(), abs(have - want) < timedelta(seconds=60)


@dataclass
class Tally:
    pages: int = 0
    rejects: int = 0
    body_p: list[float] = field(default_factory=list)
    body_r: list[float] = field(default_factory=list)
    snippets: Counter[str] = field(default_factory=Counter)
    title: list[bool] = field(default_factory=list)
    authors: list[float] = field(default_factory=list)
    day: list[bool] = field(default_factory=list)
    minute: list[bool] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, gold: dict[str, Any], out: Output, seconds: float) -> None:
        self.pages += 1
        self.seconds += seconds
        if not out.text:
            self.rejects += 1
        if gold.get("body"):
            precision, recall = body_scores(gold["body"], out.text)
            if precision is not None:
                self.body_p.append(precision)
            self.body_r.append(recall)
        if gold["with"] or gold["without"]:
            self.snippets.update(snippet_counts(gold, out.text))
        if gold.get("title"):
            self.title.append(_norm(out.title or "") == gold["title"])
        if gold.get("authors") is not None:
            self.authors.append(names_f1(gold["authors"], out.authors))
        if gold.get("published"):
            day, minute = date_scores(gold, out.published)
            self.day.append(day)
            if minute is not None:
                self.minute.append(minute)

    def figures(self) -> dict[str, Any]:
        def mean(values: list[Any]) -> float | None:
            return round(statistics.fmean(values), 3) if values else None

        precision, recall = mean(self.body_p), mean(self.body_r)
        f1 = (round(2 * precision * recall / (precision + recall), 3)
              if precision and recall else None)
        s = self.snippets
        s_p = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else None
        s_r = s["tp"] / (s["tp"] + s["fn"]) if s["tp"] + s["fn"] else None
        s_f1 = 2 * s_p * s_r / (s_p + s_r) if s_p and s_r else None
        return {
            "pages": self.pages, "rejects": self.rejects,
            "body_pages": len(self.body_r), "body_p": precision, "body_r": recall,
            "body_f1": f1,
            "snip_p": round(s_p, 3) if s_p is not None else None,
            "snip_r": round(s_r, 3) if s_r is not None else None,
            "snip_f1": round(s_f1, 3) if s_f1 is not None else None,
            "title": mean(self.title), "title_n": len(self.title),
            "authors": mean(self.authors), "authors_n": len(self.authors),
            "day": mean(self.day), "day_n": len(self.day),
            "minute": mean(self.minute), "minute_n": len(self.minute),
            "pages_per_s": round(self.pages / self.seconds, 1) if self.seconds else None,
        }


# ---------------------------------------------------------------- report

COLUMNS = ("pages", "rejects", "body_f1", "body_p", "body_r", "snip_f1", "snip_p", "snip_r",
           "title", "authors", "day", "minute", "pages_per_s")


def render(rows: list[tuple[str, str, dict[str, Any]]], markdown: bool) -> str:
    head = ("slice", "tool", *COLUMNS)
    body = [(s, t, *("-" if f[c] is None else str(f[c]) for c in COLUMNS)) for s, t, f in rows]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])
    widths = [max(len(r[i]) for r in (head, *body)) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True)))
                     for r in (head, *body))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--corpus", help="one corpus only")
    parser.add_argument("--split", choices=("dev", "heldout"), help="one split only")
    parser.add_argument("--tools", default="ours,trafilatura,trafilatura_precision",
                        help="comma-separated: " + ", ".join(TOOLS))
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--show-worst", type=int, default=0,
                        help="list our N worst pages per score (for development)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    pages = load_pages(args.corpora, args.corpus, args.split)
    if not pages:
        print(f"no pages under {args.corpora}: run bench/corpora.py first", file=sys.stderr)
        return 2
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    outputs: dict[str, dict[str, Output]] = {t: {} for t in tools}
    for page in pages:  # the first page of each tool pays its imports: warm up
        if page is pages[0]:
            for tool in tools:
                TOOLS[tool](page)
        gold = page.gold
        for tool in tools:
            gc.collect(0)
            started = time.perf_counter()
            out = TOOLS[tool](page)
            seconds = time.perf_counter() - started
            outputs[tool][page.name] = out
            for key in ("all", f"corpus:{gold['corpus']}", f"group:{gold['group']}",
                        f"split:{gold['split']}"):
                tallies[(key, tool)].add(gold, out, seconds)

    order = sorted({k for k, _ in tallies}, key=lambda k: (k.split(":")[0] != "all",
                                                           k.split(":")[0], k))
    rows = [(key, tool, tallies[(key, tool)].figures()) for key in order for tool in tools]
    print(f"{len(pages)} real pages from {args.corpora} "
          f"(split {args.split or 'dev+heldout'}); {os.cpu_count()} CPUs; "
          f"trafilatura {trafilatura.__version__}")
    print(render(rows, args.markdown))
    if "ours" in tools:
        kinds = Counter(o.note for o in outputs["ours"].values())
        print("ours, page kinds / rejects:", dict(kinds.most_common()))
    if args.show_worst and "ours" in tools:
        show_worst(pages, outputs["ours"], args.show_worst)
    report = {
        "command": "bench/realworld.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "versions": {"trafilatura": trafilatura.__version__},
        "rows": [{"slice": s, "tool": t, **f} for s, t, f in rows],
    }
    target = args.json or RESULTS / f"realworld-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"JSON: {target}")
    return 0


def show_worst(pages: list[RealPage], ours: dict[str, Output], count: int) -> None:
    """Our weakest pages by body recall/precision, title, authors and date."""
    body, titles, authors, dates = [], [], [], []
    for page in pages:
        out, gold = ours[page.name], page.gold
        if gold.get("body"):
            precision, recall = body_scores(gold["body"], out.text)
            body.append((min(precision or 0, recall), page.name,
                         f"P={precision and round(precision, 2)} R={recall:.2f} {out.note}"))
        if gold["with"] or gold["without"]:
            c = snippet_counts(gold, out.text)
            if c["fn"] or c["fp"]:
                body.append((0.5 - 0.1 * (c["fn"] + c["fp"]), page.name,
                             f"snippets fn={c['fn']} fp={c['fp']} {out.note}"))
        if gold.get("title") and _norm(out.title or "") != gold["title"]:
            titles.append((0, page.name, f"{out.title!r} != {gold['title']!r}"))
        if gold.get("authors") is not None and names_f1(gold["authors"], out.authors) < 1:
            authors.append((0, page.name, f"{out.authors} != {gold['authors']}"))
        if gold.get("published"):
            day, minute = date_scores(gold, out.published)
            if not day or minute is False:
                dates.append((0, page.name, f"{out.published} != {gold['published']}"))
    for label, items in (("body", body), ("title", titles), ("authors", authors),
                         ("date", dates)):
        print(f"-- worst {label} ({len(items)})")
        for _, name, detail in sorted(items)[:count]:
            print(f"   {name}: {detail}")


if __name__ == "__main__":
    raise SystemExit(main())

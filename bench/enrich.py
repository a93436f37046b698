"""Enrichment benchmark: entities + topics + stories for 10,000 articles on one core, the
choice of matcher, and the quality figures on the labelled set, in one run.

Usage (from the repository root):

    .venv/bin/python bench/enrich.py                       # 10,000 articles, median of 3
    .venv/bin/python bench/enrich.py --articles 2000 --repeat 1 --save bench/results/x.json

The articles are generated from our own texts (the demo site's articles and the labelled
set, tests/enrichment/labelled): each takes the paragraphs of two or three of them, in a
shuffled order, with its figures changed, and is published by one of 12 sources over 60
days; one in ten is a copy of another published the same day by another source (wire
copy). Generating them is not timed. Timed: `Enricher.enrich` on every article (entity
linking, topic scoring, the MinHash fingerprint), then `group_stories` over all of them
(LSH near-duplicates and same-event grouping), pinned to one CPU. Also timed, the scan
alone with the two matchers considered: the Aho-Corasick automaton (pyahocorasick) the
enricher uses, and one compiled regular-expression alternation of the same strings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autonews.evaluation.labelled import evaluate, load_labelled  # noqa: E402
from enrichment import ArticleText, Enricher, group_stories, story_article  # noqa: E402
from enrichment.scanner import lower_same_length  # noqa: E402

_FIGURE = re.compile(r"\d+")
START = datetime(2026, 9, 1, tzinfo=UTC)


def generate(count: int, seed: int = 13) -> list[ArticleText]:
    """`count` articles made of our own texts' paragraphs (see the module docstring)."""
    rng = random.Random(seed)
    bases = [item.article for item in load_labelled()]
    sources = [f"source_{n:02d}" for n in range(12)]
    articles: list[ArticleText] = []
    for n in range(count):
        published = START + timedelta(minutes=rng.randrange(60 * 24 * 60))
        if articles and rng.random() < 0.1:
            original = rng.choice(articles[-200:])
            articles.append(replace(original, url_hash=f"bench{n:06d}",
                                    source_id=rng.choice(sources),
                                    published_at=original.published_at))
            continue
        picked = rng.sample(bases, rng.choice((2, 3)))
        paragraphs = [p for b in picked for p in b.body.split("\n\n") if p.strip()]
        rng.shuffle(paragraphs)
        body = _FIGURE.sub(lambda m: str(int(m.group()) + rng.randrange(1, 9)),
                           "\n\n".join(paragraphs))
        articles.append(ArticleText(f"bench{n:06d}", rng.choice(sources), picked[0].title,
                                    picked[0].description, body, picked[0].language,
                                    published))
    return articles


def time_enrichment(enricher: Enricher, articles: list[ArticleText]) -> dict[str, float]:
    """Wall time and CPU time of this process (the machine is shared: CPU time is what one
    core spends, wall time adds the waits for it)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    results = [enricher.enrich(a) for a in articles]
    enriched, cpu_enriched = time.perf_counter(), time.process_time()
    grouped = group_stories([story_article(a, r) for a, r in zip(articles, results,
                                                                   strict=True)])
    done, cpu_done = time.perf_counter(), time.process_time()
    stories = len(set(grouped.values()))
    return {"enrich_s": enriched - started, "stories_s": done - enriched,
            "total_s": done - started, "cpu_enrich_s": cpu_enriched - cpu_started,
            "cpu_stories_s": cpu_done - cpu_enriched, "cpu_total_s": cpu_done - cpu_started,
            "stories": stories}


def time_matchers(enricher: Enricher, articles: list[ArticleText]) -> dict[str, float]:
    """The scan step alone: the automaton against a regular-expression alternation."""
    keys = sorted({p.key for p in enricher.linker.patterns() + enricher.taxonomy.patterns()},
                  key=len, reverse=True)
    alternation = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, keys)) + ")")
    texts = [lower_same_length(a.text()) for a in articles]
    started = time.perf_counter()
    automaton_hits = sum(len(enricher.scanner.scan(t)) for t in texts)
    middle = time.perf_counter()
    regex_hits = sum(sum(1 for _ in alternation.finditer(t)) for t in texts)
    done = time.perf_counter()
    return {"automaton_s": middle - started, "regex_s": done - middle,
            "automaton_hits": automaton_hits, "regex_hits": regex_hits}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--save", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    enricher = Enricher()
    articles = generate(args.articles)
    words = statistics.median(len(a.body.split()) for a in articles)
    time_enrichment(enricher, articles[:200])  # warm-up: families, caches
    runs = [time_enrichment(enricher, articles) for _ in range(args.repeat)]
    total = statistics.median(r["total_s"] for r in runs)
    enrich_s = statistics.median(r["enrich_s"] for r in runs)
    stories_s = statistics.median(r["stories_s"] for r in runs)
    matchers = time_matchers(enricher, articles[:2000])
    quality = evaluate(enricher)
    cpu_total = statistics.median(r["cpu_total_s"] for r in runs)
    figures: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} CPU(s), pinned to one",
        "load_average_1m": round(os.getloadavg()[0], 2),
        "articles": len(articles), "median_words": words, "repeat": args.repeat,
        "articles_per_cpu_s": round(len(articles) / cpu_total),
        "enrich_articles_per_cpu_s": round(len(articles) / statistics.median(
            r["cpu_enrich_s"] for r in runs)),
        "stories_articles_per_cpu_s": round(len(articles) / statistics.median(
            r["cpu_stories_s"] for r in runs)),
        "articles_per_s": round(len(articles) / total),
        "enrich_articles_per_s": round(len(articles) / enrich_s),
        "stories_articles_per_s": round(len(articles) / stories_s),
        "stories": runs[0]["stories"],
        "matcher_regex_over_automaton": round(matchers["regex_s"] / matchers["automaton_s"], 1),
        "matcher_automaton_articles_per_s": round(2000 / matchers["automaton_s"]),
        "matcher_regex_articles_per_s": round(2000 / matchers["regex_s"]),
        "labelled_articles": quality.articles, "labelled_languages": quality.languages,
        "entity_precision": round(quality.entities.precision, 3),
        "entity_recall": round(quality.entities.recall, 3),
        "topic_precision": round(quality.topics.precision, 3),
        "topic_recall": round(quality.topics.recall, 3),
        "kb_version": enricher.kb.version, "enrichment_version": enricher.version,
    }
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()

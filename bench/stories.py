"""Story grouping alone: the in-process grouping against the warehouse grouping, on N
enriched articles, time and memory (issue 17: memory flat whatever N).

Usage (from the repository root):

    .venv/bin/python bench/stories.py --articles 1000 --articles 10000 --articles 30000

For each N, on a fresh database of a throwaway embedded PostgreSQL (or `--dsn`): stores N
enriched articles spread over the seven days a one-day regroup reads (the day and
STORY_CONTEXT on each side), made to group like a real week: a tenth are near-copies of
another article (wire copy), entities drawn from 400 with a long tail, 0-10 per article, and
headline terms; then, each in a fresh process (so neither pays for the other's heap):
- `in process`: what the enrich stage did before, every article's story inputs read in one
  query, then `enrichment.group_stories`;
- `warehouse`: `warehouse.story_grouping.group_scope` (pairs found in SQL, streamed);
and prints each one's time, the growth of the process's peak RSS over its RSS before the
grouping, and whether both gave the same stories.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from enrichment import StoryArticle, group_stories  # noqa: E402
from enrichment.stories import NUM_PERM, Fingerprint  # noqa: E402
from warehouse.connection import temporary_server  # noqa: E402
from warehouse.schema import migrate  # noqa: E402
from warehouse.story_grouping import group_scope  # noqa: E402

START = datetime(2026, 11, 17, tzinfo=UTC)
DAYS = 7
SOURCES = [f"source{n}" for n in range(12)]
ENTITIES = [f"entity_{n:03d}" for n in range(400)]
WORDS = [f"word{n:04d}" for n in range(3000)]


def make_articles(count: int, seed: int = 17) -> list[StoryArticle]:
    """N articles of one week, deterministic."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(ENTITIES))]  # a long tail
    articles: list[StoryArticle] = []
    for n in range(count):
        if articles and rng.random() < 0.1:
            copied = rng.choice(articles[-200:])
            values = np.frombuffer(copied.fingerprint.signature, dtype="<u4").copy()
            changed = rng.sample(range(NUM_PERM), rng.randint(0, 24))
            values[changed] = [rng.getrandbits(32) for _ in changed]
            entities, terms = copied.entities, copied.fingerprint.terms
        else:
            values = np.array([rng.getrandbits(32) for _ in range(NUM_PERM)], dtype="<u4")
            entities = frozenset(rng.choices(ENTITIES, weights, k=rng.randint(0, 10)))
            terms = tuple(sorted(set(rng.sample(WORDS, rng.randint(3, 8)))
                                 | {f"#{rng.randint(10, 999)}" for _ in range(rng.randint(0, 3))}))
        when = START + timedelta(seconds=int(n * DAYS * 86400 / count))
        articles.append(StoryArticle(f"{rng.getrandbits(256):064x}", rng.choice(SOURCES), when,
                                     entities, Fingerprint(values.tobytes(), terms)))
    return articles


def store(dsn: str, articles: list[StoryArticle]) -> None:
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy("COPY articles (url_hash, source_id, url, canonical_url, title, body,"
                      " word_count, extractor_version, content_hash, published_at, run_id)"
                      " FROM STDIN") as copy:
            for a in articles:
                url = f"https://{a.source_id}.test/{a.url_hash}"
                copy.write_row((a.url_hash, a.source_id, url, url, "t", "b", 1, "x", "c",
                                a.published_at, "bench"))
        with cur.copy("COPY article_enrichments (url_hash, enrichment_version, content_hash,"
                      " signature, story_terms, run_id) FROM STDIN") as copy:
            for a in articles:
                copy.write_row((a.url_hash, "v", "c", a.fingerprint.signature,
                                list(a.fingerprint.terms), "bench"))
        with cur.copy("COPY article_entities (url_hash, entity_id, mentions, direct_mentions,"
                      " in_title, first_position) FROM STDIN") as copy:
            for a in articles:
                for entity in a.entities:
                    copy.write_row((a.url_hash, entity, 1, 1, False, 0))
        conn.execute("ANALYZE")


def in_process(dsn: str) -> dict[str, str]:
    """The enrich stage's grouping before the warehouse grouping (its query, verbatim)."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            """SELECT a.url_hash, a.source_id, a.published_at, x.signature, x.story_terms,
                      coalesce((SELECT array_agg(l.entity_id) FROM article_entities l
                                 WHERE l.url_hash = a.url_hash AND l.direct_mentions > 0),
                               '{}')
                 FROM articles a
                 JOIN article_enrichments x ON x.url_hash = a.url_hash
                WHERE a.published_at >= %s AND a.published_at < %s""",
            (START, START + timedelta(days=DAYS))).fetchall()
    articles = [StoryArticle(r[0], r[1], r[2], frozenset(r[5]),
                             Fingerprint(bytes(r[3]), tuple(r[4]))) for r in rows]
    del rows
    return group_stories(articles)


def in_warehouse(dsn: str) -> dict[str, str]:
    with psycopg.connect(dsn) as conn:
        grouped = group_scope(conn, START, START + timedelta(days=DAYS))
    return dict(zip(grouped.url_hashes, grouped.story_ids, strict=True))


def measured(how: str, dsn: str, results: Any) -> None:
    """Run one grouping in this (fresh) process: seconds, peak RSS growth, stories."""
    before = _rss_now()
    started = time.perf_counter()
    stories = (in_process if how == "in process" else in_warehouse)(dsn)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    results.put((how, seconds, peak - before, stories))


def _rss_now() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, action="append")
    parser.add_argument("--dsn", help="an empty database (default: a throwaway server)")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    with temporary_server("autonews-bench-stories-") as admin:
        for count in args.articles or [1000, 10000]:
            dsn = args.dsn or _fresh_database(admin, f"bench_stories_{count}")
            with psycopg.connect(dsn) as conn:
                migrate(conn)
            articles = make_articles(count)
            store(dsn, articles)
            del articles
            print(f"{count} articles over {DAYS} days "
                  f"(load average {' '.join(open('/proc/loadavg').read().split()[:3])})")
            outcome = {}
            for how in ("in process", "warehouse"):
                results = context.Queue()
                proc = context.Process(target=measured, args=(how, dsn, results))
                proc.start()
                name, seconds, growth, stories = results.get()
                proc.join()
                outcome[name] = stories
                multi = sum(1 for size in _sizes(stories) if size > 1)
                print(f"  {name:<11} {seconds:6.1f} s   peak RSS +{growth / 2**20:6.1f} MB   "
                      f"{len(set(stories.values()))} stories, {multi} of several articles")
            same = outcome["in process"] == outcome["warehouse"]
            print(f"  same stories: {'yes' if same else 'NO'}")


def _fresh_database(admin: str, name: str) -> str:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", admin, count=1)


def _sizes(stories: dict[str, str]) -> list[int]:
    sizes: dict[str, int] = {}
    for story in stories.values():
        sizes[story] = sizes.get(story, 0) + 1
    return list(sizes.values())


if __name__ == "__main__":
    main()

"""Story grouping in the warehouse (`warehouse.story_grouping`, candidate pairs found in SQL)
gives exactly the stories of the in-process grouping (`enrichment.group_stories`), on
articles made to hit every rule: near-duplicates just above and below the threshold, a
signature of other rules, entity buckets larger than MAX_COMPARISONS, articles with more
than MAX_PAIR_ENTITIES entities, one source's own pairs, and chains longer than WINDOW."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import psycopg
import pytest

from enrichment import StoryArticle, group_stories
from enrichment.stories import MAX_COMPARISONS, NUM_PERM, WINDOW, Fingerprint
from warehouse.story_grouping import group_scope

START = datetime(2026, 10, 1, tzinfo=UTC)
DAYS = 8
ENTITIES = [f"brand_{n:02d}" for n in range(14)]
WORDS = [f"word{n:02d}" for n in range(30)]
FIGURES = [f"#{n}" for n in range(100, 130)]
SOURCES = ["alpha", "beta", "gamma", "delta"]


def _articles(seed: int, count: int) -> list[StoryArticle]:
    rng = random.Random(seed)
    bases = [np.array([rng.getrandbits(32) for _ in range(NUM_PERM)], dtype="<u4")
             for _ in range(count // 6)]
    articles = []
    for n in range(count):
        if n % 29 == 0:
            signature = b"\x01" * 40  # a signature of other rules: never a near-duplicate
        else:
            values = rng.choice(bases).copy()
            changed = rng.sample(range(NUM_PERM), rng.choice((0, 4, 20, 31, 32, 33, 40, 64)))
            values[changed] = [rng.getrandbits(32) for _ in changed]
            signature = values.tobytes()
        pool, sizes = (ENTITIES[:5], (0, 1, 2, 3, 4)) if n % 3 else (ENTITIES, (2, 3, 9, 11))
        entities = frozenset(rng.sample(pool, rng.choice(sizes)))
        terms = tuple(sorted(set(rng.sample(WORDS, rng.randint(0, 6))
                                 + rng.sample(FIGURES, rng.randint(0, 3)))))
        # the common entities' articles crowd two days: buckets larger than MAX_COMPARISONS
        # within WINDOW; the others spread over DAYS: chains longer than WINDOW
        span = (2 * 24 * 60, 4 * 24 * 60) if n % 3 else (0, DAYS * 24 * 60)
        when = START + timedelta(minutes=rng.randint(*span))
        articles.append(StoryArticle(f"{rng.getrandbits(128):032x}", rng.choice(SOURCES),
                                     when, entities, Fingerprint(signature, terms)))
    return articles


def _store(dsn: str, articles: list[StoryArticle]) -> None:
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO articles (url_hash, source_id, url, canonical_url, title, body,"
            " word_count, extractor_version, content_hash, published_at, run_id)"
            " VALUES (%s, %s, %s, %s, 't', 'b', 1, 'x', 'c', %s, 'test')",
            [(a.url_hash, a.source_id, f"https://{a.source_id}.test/{a.url_hash}",
              f"https://{a.source_id}.test/{a.url_hash}", a.published_at) for a in articles])
        cur.executemany(
            "INSERT INTO article_enrichments (url_hash, enrichment_version, content_hash,"
            " signature, story_terms, run_id) VALUES (%s, 'v', 'c', %s, %s, 'test')",
            [(a.url_hash, a.fingerprint.signature, list(a.fingerprint.terms))
             for a in articles])
        cur.executemany(
            "INSERT INTO article_entities (url_hash, entity_id, mentions, direct_mentions,"
            " in_title, first_position) VALUES (%s, %s, 1, 1, false, 0)",
            [(a.url_hash, e) for a in articles for e in a.entities])
        # a rolled-up entity (no direct mention) is not story evidence
        cur.executemany(
            "INSERT INTO article_entities (url_hash, entity_id, mentions, direct_mentions,"
            " in_title, first_position) VALUES (%s, 'group_rollup', 1, 0, false, 0)",
            [(a.url_hash,) for a in articles[::2]])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_warehouse_grouping_gives_the_in_process_stories(dsn, seed):
    articles = _articles(seed, 420)
    _store(dsn, articles)
    expected = group_stories(articles)
    with psycopg.connect(dsn) as conn:
        grouped = group_scope(conn, START, START + timedelta(days=DAYS + 1))
    assert dict(zip(grouped.url_hashes, grouped.story_ids, strict=True)) == expected
    sizes = Counter(expected.values())
    assert sum(1 for size in sizes.values() if size > 1) >= 10  # real grouping happened
    buckets = Counter(pair for a in articles if len(a.entities) >= 2
                      for pair in [tuple(sorted(a.entities))[:2]])
    assert max(buckets.values()) > MAX_COMPARISONS


def test_only_the_scope_is_grouped_and_a_window_keeps_the_stories_touching_it(dsn):
    articles = _articles(7, 200)
    _store(dsn, articles)
    inside = [a for a in articles if a.published_at < START + timedelta(days=4)]
    expected = group_stories(inside)
    with psycopg.connect(dsn) as conn:
        grouped = group_scope(conn, START, START + timedelta(days=4))
    assert dict(zip(grouped.url_hashes, grouped.story_ids, strict=True)) == expected
    day = (START + timedelta(days=2), START + timedelta(days=3))
    touching = grouped.touching(*day)
    wanted = {expected[a.url_hash] for a in inside if day[0] <= a.published_at < day[1]}
    assert touching == {h: s for h, s in expected.items() if s in wanted}
    assert any(a.published_at < day[0] for a in inside if a.url_hash in touching)
    assert WINDOW == timedelta(days=3)  # the scope above spans more than one story may

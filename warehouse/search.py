"""Full-text search: keeping `articles.search_vector` filled, and ranked searches with snippets."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

log = logging.getLogger(__name__)

# Rows per indexing transaction: about two seconds of text-search work, short row locks.
INDEX_BATCH = 2000

_INDEX_BATCH_SQL = """
WITH batch AS (
    SELECT url_hash FROM articles
     WHERE search_vector IS NULL
     LIMIT %(limit)s
       FOR UPDATE SKIP LOCKED)
UPDATE articles a
   SET search_vector = article_search_vector(a.language, a.title, a.description, a.body)
  FROM batch
 WHERE a.url_hash = batch.url_hash
"""


@dataclass(frozen=True)
class SearchHit:
    url_hash: str
    source_id: str
    published_at: datetime | None
    title: str
    canonical_url: str
    rank: float
    snippet: str


def index_pending(conn: psycopg.Connection[Any], batch_size: int = INDEX_BATCH) -> int:
    """Compute the search vector of every article that has none (new or changed since the
    last call), one transaction per batch; returns how many were computed."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    total = 0
    started = time.perf_counter()
    while True:
        with conn.transaction():
            done = conn.execute(_INDEX_BATCH_SQL, {"limit": batch_size}).rowcount
        total += max(done, 0)
        # Rows locked by a concurrent indexer are skipped: it computes them itself.
        if done < batch_size:
            break
    if total:
        log.info("computed %d search vectors in %.2f s", total, time.perf_counter() - started)
    return total


def search_articles(
    conn: psycopg.Connection[Any],
    query: str,
    *,
    limit: int = 10,
    source_id: str | None = None,
    published_from: datetime | None = None,
    published_to: datetime | None = None,
    entity_id: str | None = None,
    topic_id: str | None = None,
) -> list[SearchHit]:
    """The best `limit` articles for a web-style query (words, "phrases", or, -word),
    ranked, each with a snippet whose matches are marked «like this»; with `entity_id` /
    `topic_id`, only articles mentioning that entity / about that topic (migration 0007)."""
    if not query.strip():
        raise ValueError("the search query is empty")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if entity_id is None and topic_id is None:
        rows = conn.execute(
            "SELECT url_hash, source_id, published_at, title, canonical_url, rank, snippet "
            "FROM search_articles(%s, %s, %s, %s, %s)",
            (query, limit, source_id, published_from, published_to),
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT url_hash, source_id, published_at, title, canonical_url, rank, snippet "
            "FROM search_enriched_articles(%s, %s, %s, %s, %s, %s, %s)",
            (query, limit, source_id, published_from, published_to, entity_id, topic_id),
        ).fetchall()
    return [SearchHit(*row) for row in rows]

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
# A query's cost grows with its terms (each is matched, ranked and highlighted in every
# candidate): a 3 KB query took 48 s on 8 articles. People search with a few words.
MAX_QUERY_CHARS = 300
MAX_QUERY_TERMS = 32
# No search runs longer than this on the server, and the server stops it as soon as the
# client is gone (`client_connection_check_interval`, PostgreSQL 14+).
SEARCH_TIMEOUT_SECONDS = 30.0


class SearchRefused(ValueError):
    """A query too long to run, or one the server stopped at the time limit."""

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
    timeout: float = SEARCH_TIMEOUT_SECONDS,
) -> list[SearchHit]:
    """The best `limit` articles for a web-style query (words, "phrases", or, -word),
    ranked, each with a snippet whose matches are marked «like this»; with `entity_id` /
    `topic_id`, only articles mentioning that entity / about that topic (migration 0007).
    A query longer than `MAX_QUERY_CHARS` or `MAX_QUERY_TERMS`, or one still running after
    `timeout` seconds, raises `SearchRefused`."""
    if not query.strip():
        raise ValueError("the search query is empty")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    check_query(query)
    try:
        with conn.transaction():
            bound_statement(conn, timeout)
            if entity_id is None and topic_id is None:
                rows = conn.execute(
                    "SELECT url_hash, source_id, published_at, title, canonical_url, rank, "
                    "snippet FROM search_articles(%s, %s, %s, %s, %s)",
                    (query, limit, source_id, published_from, published_to),
                ).fetchall()
            else:
                rows = conn.execute(
                    "SELECT url_hash, source_id, published_at, title, canonical_url, rank, "
                    "snippet FROM search_enriched_articles(%s, %s, %s, %s, %s, %s, %s)",
                    (query, limit, source_id, published_from, published_to, entity_id,
                     topic_id),
                ).fetchall()
    except psycopg.errors.QueryCanceled as exc:
        raise SearchRefused(f"the search was stopped after {timeout:g} s; narrow it "
                            "(fewer words, --source, --from/--to)") from exc
    return [SearchHit(*row) for row in rows]


def check_query(query: str) -> None:
    """`SearchRefused` for a query longer than people type."""
    if len(query) > MAX_QUERY_CHARS:
        raise SearchRefused(f"the search query is {len(query):,} characters long; at most "
                            f"{MAX_QUERY_CHARS} are searched for")
    terms = len(query.split())
    if terms > MAX_QUERY_TERMS:
        raise SearchRefused(f"the search query has {terms} words; at most {MAX_QUERY_TERMS}")


def bound_statement(conn: psycopg.Connection[Any], seconds: float) -> None:
    """For the rest of the current transaction: statements stop after `seconds`, and the
    server checks every second that the client is still there (it stops the query if not)."""
    conn.execute("SELECT set_config('statement_timeout', %s, true)",
                 (str(max(1, int(seconds * 1000))),))
    if conn.info.server_version >= 140000:
        conn.execute("SELECT set_config('client_connection_check_interval', '1000', true)")

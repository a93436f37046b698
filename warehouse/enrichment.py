"""Enrichment tables: the catalogue of entities and topics, each article's entities, topics and
story, and the stories themselves (migration 0007). Every write is idempotent."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

log = logging.getLogger(__name__)

ENTITY_COLUMNS = ("entity_id", "kind", "name", "country", "aliases", "attributes")
RELATION_COLUMNS = ("entity_id", "related_id", "relation", "valid_from", "valid_to", "title")
TOPIC_COLUMNS = ("topic_id", "name", "description")
_LOCK = "autonews-enrich"


@dataclass(frozen=True)
class PendingArticle:
    """An article whose enrichment is missing or not current."""

    url_hash: str
    source_id: str
    title: str
    description: str | None
    body: str
    language: str | None
    published_at: datetime | None
    content_hash: str


@dataclass(frozen=True)
class EnrichedRow:
    """What the enrich stage writes for one article."""

    url_hash: str
    content_hash: str
    signature: bytes
    story_terms: Sequence[str]
    entities: Sequence[tuple[str, int, int, bool, int]]  # id, mentions, direct, title, position
    topics: Sequence[tuple[str, float]]


@contextmanager
def enrich_lock(conn: psycopg.Connection[Any]) -> Iterator[None]:
    """One enrich run at a time across every worker: runs over overlapping days would
    replace the same articles' links and regroup the same stories. A session lock: a killed
    run frees it. Enrichment is fast; waiting is cheaper than reconciling."""
    conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (_LOCK,))
    conn.commit()
    try:
        yield
    finally:
        if conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
            conn.rollback()  # the body failed: unlock all the same, the caller reports it
        conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (_LOCK,))
        conn.commit()


def sync_catalog(conn: psycopg.Connection[Any], kb_version: str,
                 entities: Iterable[Sequence[Any]], relations: Iterable[Sequence[Any]],
                 taxonomy_version: str, topics: Iterable[Sequence[Any]]) -> bool:
    """Make `entities`, `entity_relations` and `topics` match the given knowledge base and
    taxonomy (rows in ENTITY_COLUMNS / RELATION_COLUMNS / TOPIC_COLUMNS order), in one
    transaction; nothing is written when the stored versions are already these.
    Returns whether anything was written."""
    row = conn.execute(
        "SELECT (SELECT array_agg(DISTINCT kb_version) FROM entities),"
        "       (SELECT array_agg(DISTINCT taxonomy_version) FROM topics)").fetchone()
    if row and row[0] == [kb_version] and row[1] == [taxonomy_version]:
        return False
    with conn.transaction():
        conn.execute("DELETE FROM entity_relations")
        entity_rows = [(*r[:5], Jsonb(r[5]), kb_version) for r in entities]
        with conn.cursor() as cur:
            cur.executemany(
                """INSERT INTO entities (entity_id, kind, name, country, aliases, attributes,
                                         kb_version)
                   VALUES (%s, %s, %s, %s, %s, %s, %s)
                   ON CONFLICT (entity_id) DO UPDATE
                      SET kind = EXCLUDED.kind, name = EXCLUDED.name,
                          country = EXCLUDED.country, aliases = EXCLUDED.aliases,
                          attributes = EXCLUDED.attributes, kb_version = EXCLUDED.kb_version,
                          updated_at = now()""", entity_rows)
            conn.execute("DELETE FROM entities WHERE entity_id <> ALL(%s)",
                         ([r[0] for r in entity_rows],))
            with cur.copy("COPY entity_relations (entity_id, related_id, relation, valid_from,"
                          " valid_to, title) FROM STDIN") as copy:
                for relation in relations:
                    copy.write_row(relation)
            topic_rows = [(*r, taxonomy_version) for r in topics]
            cur.executemany(
                """INSERT INTO topics (topic_id, name, description, taxonomy_version)
                   VALUES (%s, %s, %s, %s)
                   ON CONFLICT (topic_id) DO UPDATE
                      SET name = EXCLUDED.name, description = EXCLUDED.description,
                          taxonomy_version = EXCLUDED.taxonomy_version""", topic_rows)
            conn.execute("DELETE FROM topics WHERE topic_id <> ALL(%s)",
                         ([r[0] for r in topic_rows],))
    log.info("entity catalogue now at knowledge base %s, taxonomy %s", kb_version,
             taxonomy_version)
    return True


def pending_articles(conn: psycopg.Connection[Any], start: datetime, end: datetime,
                     version: str, *, source_ids: Sequence[str] | None = None,
                     force: bool = False) -> tuple[list[str], int]:
    """The url hashes of the articles published in [start, end) whose enrichment is
    missing, of another version or of older content (all of them with `force`), in
    publication order, and how many were current. No body is read here: a long window
    is read in batches (`articles_to_enrich`), so memory does not grow with its size."""
    rows = conn.execute(
        """SELECT a.url_hash,
                  coalesce(x.enrichment_version = %(version)s
                           AND x.content_hash = a.content_hash, false) AS current
             FROM articles a
             LEFT JOIN article_enrichments x ON x.url_hash = a.url_hash
            WHERE a.published_at >= %(start)s AND a.published_at < %(end)s
              AND (%(sources)s::text[] IS NULL OR a.source_id = ANY(%(sources)s::text[]))
            ORDER BY a.published_at, a.url_hash""",
        {"version": version, "start": start, "end": end,
         "sources": list(source_ids) if source_ids is not None else None}).fetchall()
    pending = [url_hash for url_hash, current in rows if force or not current]
    return pending, len(rows) - len(pending)


def articles_to_enrich(conn: psycopg.Connection[Any], url_hashes: Sequence[str]
                       ) -> list[PendingArticle]:
    """The articles of `url_hashes` with their text, in the order given (one batch)."""
    rows = conn.execute(
        """SELECT a.url_hash, a.source_id, a.title, a.description, a.body, a.language,
                  a.published_at, a.content_hash
             FROM unnest(%s::text[]) WITH ORDINALITY AS wanted(url_hash, position)
             JOIN articles a USING (url_hash)
            ORDER BY wanted.position""", (list(url_hashes),)).fetchall()
    return [PendingArticle(*row) for row in rows]


def write_enrichments(conn: psycopg.Connection[Any], rows: Sequence[EnrichedRow],
                      version: str, run_id: str) -> dict[str, int]:
    """Replace the entities, topics and fingerprint of these articles in one transaction
    (their story is kept until `assign_stories`). Returns the counts written."""
    if not rows:
        return {"articles": 0, "entity_links": 0, "topic_links": 0}
    hashes = [r.url_hash for r in rows]
    links = topics = 0
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("DELETE FROM article_entities WHERE url_hash = ANY(%s)", (hashes,))
        cur.execute("DELETE FROM article_topics WHERE url_hash = ANY(%s)", (hashes,))
        with cur.copy("COPY article_entities (url_hash, entity_id, mentions, direct_mentions,"
                      " in_title, first_position) FROM STDIN") as copy:
            for row in rows:
                for entity in row.entities:
                    copy.write_row((row.url_hash, *entity))
                    links += 1
        with cur.copy("COPY article_topics (url_hash, topic_id, score) FROM STDIN") as copy:
            for row in rows:
                for topic in row.topics:
                    copy.write_row((row.url_hash, *topic))
                    topics += 1
        cur.executemany(
            """INSERT INTO article_enrichments (url_hash, enrichment_version, content_hash,
                                               signature, story_terms, run_id)
               VALUES (%s, %s, %s, %s, %s, %s)
               ON CONFLICT (url_hash) DO UPDATE
                  SET enrichment_version = EXCLUDED.enrichment_version,
                      content_hash = EXCLUDED.content_hash, signature = EXCLUDED.signature,
                      story_terms = EXCLUDED.story_terms, run_id = EXCLUDED.run_id,
                      enriched_at = now()""",
            [(r.url_hash, version, r.content_hash, r.signature, list(r.story_terms), run_id)
             for r in rows])
    return {"articles": len(rows), "entity_links": links, "topic_links": topics}


def assign_stories(conn: psycopg.Connection[Any], stories: Mapping[str, str]) -> dict[str, int]:
    """Set each article's story (url_hash -> story id) and rebuild the `stories` rows the
    change touches, in one transaction; unchanged assignments write nothing."""
    if not stories:
        return {"story_changes": 0, "stories_rebuilt": 0}
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE story_assignments (url_hash text PRIMARY KEY, "
                    "story_id text NOT NULL) ON COMMIT DROP")
        with cur.copy("COPY story_assignments (url_hash, story_id) FROM STDIN") as copy:
            for pair in stories.items():
                copy.write_row(pair)
        changed = cur.execute(
            """WITH moved AS (
                   SELECT x.url_hash, x.story_id AS old_story, s.story_id AS new_story
                     FROM article_enrichments x
                     JOIN story_assignments s ON s.url_hash = x.url_hash
                    WHERE x.story_id IS DISTINCT FROM s.story_id),
               updated AS (
                   UPDATE article_enrichments x SET story_id = m.new_story
                     FROM moved m WHERE x.url_hash = m.url_hash
                   RETURNING m.old_story, m.new_story)
               SELECT array_agg(DISTINCT old_story) FILTER (WHERE old_story IS NOT NULL)
                      || array_agg(DISTINCT new_story), count(*)
                 FROM updated""").fetchone()
        touched, moved = (changed[0] or [], int(changed[1])) if changed else ([], 0)
        missing = cur.execute(
            """SELECT array_agg(DISTINCT s.story_id) FROM story_assignments s
                WHERE NOT EXISTS (SELECT 1 FROM stories t WHERE t.story_id = s.story_id)"""
        ).fetchone()
        touched = sorted(set(touched) | set((missing[0] if missing else None) or []))
        if touched:
            cur.execute("DELETE FROM stories WHERE story_id = ANY(%s)", (touched,))
            cur.execute(_REBUILD_STORIES, (touched,))
    return {"story_changes": moved, "stories_rebuilt": len(touched)}


_REBUILD_STORIES = """
INSERT INTO stories (story_id, first_url_hash, title, first_published_at, last_published_at,
                     articles, sources)
SELECT x.story_id,
       (array_agg(a.url_hash ORDER BY a.published_at, a.url_hash))[1],
       (array_agg(a.title ORDER BY a.published_at, a.url_hash))[1],
       min(a.published_at), max(a.published_at), count(*),
       array_agg(DISTINCT a.source_id ORDER BY a.source_id)
  FROM article_enrichments x
  JOIN articles a ON a.url_hash = x.url_hash
 WHERE x.story_id = ANY(%s)
 GROUP BY x.story_id
"""

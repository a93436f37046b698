"""Story grouping over the warehouse, with the candidate pairs found in SQL.

`enrichment.stories.group_stories` holds every article's MinHash, LSH entries, entities and
headline terms in Python at once: about 10 KB per article, so a regroup of a 10,000-article
day grew the process by ~100 MB, on every run. Here PostgreSQL finds the pairs to compare
(equal LSH bands of the stored signatures; shared pairs of rarest entities within WINDOW)
and counts their overlaps; the pairs stream through a server-side cursor into the same
union-find, in the same order, with the same thresholds (`enrichment.stories`). Python keeps
a url hash, a publication time, the MinHash signature (256 bytes, compared with numpy: a
count of equal values per pair in SQL cost ~50 us a pair) and three integers per article
(well under 1 KB) and a cursor batch of pairs. The two implementations must give the same stories
(tests/enrichment/test_story_grouping.py compares them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import psycopg

from enrichment.stories import (
    MAX_COMPARISONS,
    MAX_PAIR_ENTITIES,
    NUM_PERM,
    SAME_EVENT,
    WEIGHTS,
    WINDOW,
    EventOverlap,
    StoryUnion,
    band_ranges,
    event_score,
    is_near_duplicate,
)

# PostgreSQL memory per sort or hash of the pair queries (the server's, not this process's):
# a 10,000-article week's 1 million candidate pairs sort in memory instead of on disk.
SERVER_WORK_MEM = "64MB"
PAIRS_PER_FETCH = 5000  # candidate pairs read per round trip of the server-side cursor
# Pairs whose best possible same-event score (computed in SQL, in floating point) is below
# SAME_EVENT - BOUND_SLACK are not scored; the slack, far above any rounding difference,
# keeps every pair that could reach SAME_EVENT.
BOUND_SLACK = 1e-9

_SCOPE = """
CREATE TEMPORARY TABLE story_scope ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY a.published_at, a.url_hash COLLATE "C") - 1)::int AS pos,
       a.url_hash, a.source_id, a.published_at, x.signature,
       ARRAY(SELECT t FROM unnest(x.story_terms) t WHERE left(t, 1) <> '#') AS words,
       ARRAY(SELECT t FROM unnest(x.story_terms) t WHERE left(t, 1) = '#') AS figures,
       ARRAY(SELECT l.entity_id FROM article_entities l
              WHERE l.url_hash = a.url_hash AND l.direct_mentions > 0) AS entities
  FROM articles a
  JOIN article_enrichments x ON x.url_hash = a.url_hash
 WHERE a.published_at >= %(start)s AND a.published_at < %(end)s
"""

# Near-duplicate candidates: articles with an equal LSH band (the bands datasketch would
# use), each pair once, by later then earlier article.
_NEAR_DUPLICATES = """
WITH bands AS (
    SELECT s.pos, b.band, substring(s.signature FROM b.first * 4 + 1
                                    FOR (b.last - b.first) * 4) AS key
      FROM story_scope s, unnest(%(firsts)s::int[], %(lasts)s::int[])
                          WITH ORDINALITY AS b(first, last, band)
     WHERE length(s.signature) = %(bytes)s)
SELECT DISTINCT r.pos AS later, l.pos AS earlier
  FROM bands l JOIN bands r ON r.band = l.band AND r.key = l.key AND r.pos > l.pos
 ORDER BY later, earlier
"""

# Same-event candidates: articles bucketed by pairs of their MAX_PAIR_ENTITIES rarest
# entities (rarest in the scope), each compared with the next MAX_COMPARISONS of its bucket
# within WINDOW; a pair counts at its first bucket (buckets ordered by their first article,
# then by the entity pair), as the in-process loop meets them. Pairs of one source never
# score, nor pairs whose best possible score is below the threshold: both are left out here.
_SAME_EVENTS = """
WITH direct AS (
    SELECT s.pos, s.published_at, s.source_id, e.entity_id
      FROM story_scope s, unnest(s.entities) AS e(entity_id)),
frequency AS (SELECT entity_id, count(*) AS n FROM direct GROUP BY entity_id),
ranked AS (
    SELECT d.pos, d.published_at, d.source_id, d.entity_id,
           row_number() OVER (PARTITION BY d.pos
                              ORDER BY f.n, d.entity_id COLLATE "C") AS rank
      FROM direct d JOIN frequency f USING (entity_id)),
chosen AS (SELECT * FROM ranked WHERE rank <= %(max_entities)s),
buckets AS (
    SELECT a.entity_id AS one, b.entity_id AS other, a.pos, a.published_at, a.source_id
      FROM chosen a JOIN chosen b
        ON b.pos = a.pos AND a.entity_id COLLATE "C" < b.entity_id COLLATE "C"),
following AS (
    SELECT one, other, pos, published_at, source_id,
           min(pos) OVER (PARTITION BY one, other) AS opened,
           array_agg(pos) OVER next AS later_pos,
           array_agg(published_at) OVER next AS later_at,
           array_agg(source_id) OVER next AS later_source
      FROM buckets
    WINDOW next AS (PARTITION BY one, other ORDER BY pos
                    ROWS BETWEEN 1 FOLLOWING AND %(comparisons)s FOLLOWING)),
ordered AS (
    SELECT pos, published_at, source_id, later_pos, later_at, later_source,
           dense_rank() OVER (ORDER BY opened, one COLLATE "C", other COLLATE "C") AS bucket
      FROM following),
pairs AS (
    SELECT o.pos AS earlier, n.pos AS later, min(o.bucket) AS bucket
      FROM ordered o
      CROSS JOIN LATERAL unnest(o.later_pos, o.later_at, o.later_source) AS n(pos, at, source)
     WHERE n.at - o.published_at <= %(window)s AND n.source <> o.source_id
     GROUP BY o.pos, n.pos)
SELECT p.earlier, p.later,
       (SELECT count(*) FROM unnest(e.entities) x WHERE x = ANY(t.entities))::int,
       cardinality(e.entities) + cardinality(t.entities),
       CASE WHEN e.words && t.words
            THEN (SELECT count(*) FROM unnest(e.words) x WHERE x = ANY(t.words))::int
            ELSE 0 END,
       cardinality(e.words) + cardinality(t.words),
       CASE WHEN e.figures && t.figures
            THEN (SELECT count(*) FROM unnest(e.figures) x WHERE x = ANY(t.figures))::int
            ELSE 0 END,
       cardinality(e.figures) + cardinality(t.figures)
  FROM pairs p
  JOIN story_scope e ON e.pos = p.earlier
  JOIN story_scope t ON t.pos = p.later
 -- a pair whose best possible score (each overlap at most the smaller set over the larger)
 -- is below the threshold cannot join: its overlaps are not counted
 WHERE (%(entity_weight)s::float8 * least(cardinality(e.entities), cardinality(t.entities))
                          / greatest(cardinality(e.entities), cardinality(t.entities))
        + CASE WHEN e.words && t.words
               THEN %(word_weight)s::float8 * least(cardinality(e.words), cardinality(t.words))
                                    / greatest(cardinality(e.words), cardinality(t.words))
               ELSE 0 END
        + CASE WHEN e.figures && t.figures
               THEN %(figure_weight)s::float8
                    * least(cardinality(e.figures), cardinality(t.figures))
                    / greatest(cardinality(e.figures), cardinality(t.figures))
               ELSE 0 END) >= %(bound)s
 ORDER BY p.bucket, p.earlier, p.later
"""


@dataclass
class ScopeStories:
    """The stories of every enriched article published in a scope, by position (articles
    ordered by publication, then url hash)."""

    url_hashes: list[str]
    published: list[datetime]
    story_ids: list[str]

    def touching(self, start: datetime, end: datetime) -> dict[str, str]:
        """url_hash -> story id of every article whose story has an article published in
        [start, end): the stories a window's regroup writes."""
        wanted = {story for story, when in zip(self.story_ids, self.published, strict=True)
                  if start <= when < end}
        return {url_hash: story for url_hash, story in zip(self.url_hashes, self.story_ids,
                                                           strict=True) if story in wanted}


def group_scope(conn: psycopg.Connection[Any], start: datetime, end: datetime) -> ScopeStories:
    """Group the enriched articles published in [start, end) into stories, as
    `enrichment.stories.group_stories` would; one transaction (call it with none open),
    committed at the end, which drops its temporary table."""
    with conn.transaction():
        # the planner cannot estimate the pairs; JIT compiling for its guess cost seconds, and
        # the pairs' sorts and aggregates spill to disk at the default work_mem; every row
        # of the cursors is read, so no fast-start plan (10 times slower on 10,000 articles)
        conn.execute("SET LOCAL jit = off")
        conn.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        conn.execute("SELECT set_config('work_mem', %s, true)", (SERVER_WORK_MEM,))
        conn.execute(_SCOPE, {"start": start, "end": end})
        conn.execute("ALTER TABLE story_scope ADD PRIMARY KEY (pos)")
        conn.execute("ANALYZE story_scope")
        url_hashes: list[str] = []
        published: list[datetime] = []
        signatures = np.zeros((_count(conn), NUM_PERM), dtype="<u4")  # 256 bytes an article
        for url_hash, when, signature in _stream(
                conn, "SELECT url_hash, published_at, signature FROM story_scope ORDER BY pos",
                {}):
            if len(signature) == NUM_PERM * 4:
                signatures[len(url_hashes)] = np.frombuffer(signature, dtype="<u4")
            url_hashes.append(url_hash)
            published.append(when)
        stories = StoryUnion(published, url_hashes)
        near = {"firsts": [first for first, _ in band_ranges()],
                "lasts": [last for _, last in band_ranges()], "bytes": NUM_PERM * 4}
        for batch in _batches(_stream(conn, _NEAR_DUPLICATES, near)):
            later, earlier = np.array(batch, dtype=np.int64).T
            equal = np.count_nonzero(signatures[later] == signatures[earlier], axis=1)
            for one, other, values in zip(earlier.tolist(), later.tolist(), equal.tolist(),
                                          strict=True):
                if is_near_duplicate(values):
                    stories.join(one, other)
        del signatures
        events = {"max_entities": MAX_PAIR_ENTITIES, "comparisons": MAX_COMPARISONS,
                  "window": WINDOW, "entity_weight": WEIGHTS[0], "word_weight": WEIGHTS[1],
                  "figure_weight": WEIGHTS[2], "bound": SAME_EVENT - BOUND_SLACK}
        for earlier, later, *overlap in _stream(conn, _SAME_EVENTS, events):
            if event_score(_overlap(*overlap)) >= SAME_EVENT:
                stories.join(earlier, later)
    return ScopeStories(url_hashes, published,
                        [stories.story_id(n) for n in range(len(url_hashes))])


def _overlap(shared_entities: int, entity_total: int, shared_words: int, word_total: int,
             shared_figures: int, figure_total: int) -> EventOverlap:
    """From intersections and the sum of both sizes (SQL) to intersections and unions."""
    return EventOverlap(shared_entities, entity_total - shared_entities,
                        shared_words, word_total - shared_words,
                        shared_figures, figure_total - shared_figures)


def _count(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT count(*) FROM story_scope").fetchone()
    return int(row[0]) if row else 0


def _batches(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    """Rows in lists of PAIRS_PER_FETCH (the candidate pairs, compared with numpy at once)."""
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == PAIRS_PER_FETCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _stream(conn: psycopg.Connection[Any], query: str,
            params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """Rows of `query` through a server-side cursor, PAIRS_PER_FETCH at a time."""
    with conn.cursor(name="story_grouping") as cursor:
        cursor.itersize = PAIRS_PER_FETCH
        cursor.execute(query, params)
        yield from cursor

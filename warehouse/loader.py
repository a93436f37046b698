"""Loading clean articles: COPY into the staging table, then one idempotent merge.

`staging.stage_articles` runs in the clean task, `merge_staged` in the load task, possibly on
another worker: the staging table lives in the warehouse. The merge is one transaction per
run and source: it inserts new articles, updates only rows whose `content_hash` changed
(keeping the earlier content in `article_versions`), leaves the
rest untouched, and clears the staged rows. Loading the same batch twice changes nothing.
New and changed rows get their search vector right after the merge, in separate
transactions (`warehouse.search.index_pending`; why: migration 0003).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from autonews.core.results import LoadResult
from warehouse import search
from warehouse.staging import ARTICLE_COLUMNS, discard_staged

# Columns that the merge rewrites when the content changed.
UPDATED_COLUMNS = tuple(c for c in ARTICLE_COLUMNS if c != "url_hash")


def merge_staged(conn: psycopg.Connection[Any], run_id: str, source_id: str, *,
                 index_search: bool = True) -> LoadResult:
    """Merge the staged rows of (run, source) into `articles` in one transaction, then
    (unless `index_search` is false) compute the search vectors the merge left empty."""
    columns = sql.SQL(", ").join(map(sql.Identifier, ARTICLE_COLUMNS))
    updates = sql.SQL(", ").join(
        sql.SQL("{col} = EXCLUDED.{col}").format(col=sql.Identifier(c)) for c in UPDATED_COLUMNS
    )
    # search_vector = DEFAULT: NULL (to be indexed after the merge) in this schema; it
    # would also be right if the vector became a generated column again.
    with conn.transaction():
        staged = conn.execute(
            "SELECT count(*) FROM staged_articles WHERE run_id = %s AND source_id = %s",
            (run_id, source_id),
        ).fetchone()
        total = int(staged[0]) if staged else 0
        conn.execute(_ARCHIVE_CHANGED, (run_id, source_id))
        query = sql.SQL(
            """WITH merged AS (
                   INSERT INTO articles ({columns})
                   SELECT {columns} FROM staged_articles
                    WHERE run_id = %(run)s AND source_id = %(source)s
                   ON CONFLICT (url_hash) DO UPDATE
                      SET {updates}, last_changed_at = now(), search_vector = DEFAULT
                    WHERE articles.content_hash IS DISTINCT FROM EXCLUDED.content_hash
                   RETURNING (xmax = 0) AS inserted)
               SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
                 FROM merged"""
        ).format(columns=columns, updates=updates)
        row = conn.execute(query, {"run": run_id, "source": source_id}).fetchone()
        inserted, updated = (int(row[0]), int(row[1])) if row else (0, 0)
        conn.execute(_REASSESSED, {"run": run_id, "source": source_id})
        discard_staged(conn, run_id, source_id)
    if index_search:  # also catches up on rows an earlier, interrupted call left
        search.index_pending(conn)
    return LoadResult(inserted, updated, total - inserted - updated)


# The cleaner's verdict on an unchanged article (its kind, confidence and reasons) and the
# versions that cleaned it follow the latest clean: no new version, no "updated" (an analyst
# sees the same article), but a reclean marks the rows it reached.
_REASSESSED = """
UPDATE articles a
   SET page_kind = s.page_kind, extraction_confidence = s.extraction_confidence,
       confidence_reasons = s.confidence_reasons, rules_version = s.rules_version,
       extractor_version = s.extractor_version
  FROM staged_articles s
 WHERE s.run_id = %(run)s AND s.source_id = %(source)s AND a.url_hash = s.url_hash
   AND a.content_hash = s.content_hash
   AND (a.page_kind, a.extraction_confidence, a.confidence_reasons, a.rules_version,
        a.extractor_version)
       IS DISTINCT FROM (s.page_kind, s.extraction_confidence, s.confidence_reasons,
                         s.rules_version, s.extractor_version)
"""

# Before an article's content changes, keep what analysts saw until now.
_ARCHIVE_CHANGED = """
INSERT INTO article_versions (url_hash, version, title, description, authors, published_at,
    modified_at, body, word_count, content_hash, extractor_version, raw_page_id, run_id,
    valid_from, valid_to)
SELECT a.url_hash,
       coalesce((SELECT max(v.version) FROM article_versions v WHERE v.url_hash = a.url_hash), 0)
         + 1,
       a.title, a.description, a.authors, a.published_at, a.modified_at, a.body, a.word_count,
       a.content_hash, a.extractor_version, a.raw_page_id, a.run_id, a.last_changed_at, now()
  FROM articles a
  JOIN staged_articles s ON s.url_hash = a.url_hash
 WHERE s.run_id = %s AND s.source_id = %s AND a.content_hash <> s.content_hash
"""

"""Loading clean articles: COPY into the staging table, then one idempotent merge.

`stage_articles` runs in the clean task, `merge_staged` in the load task, possibly on
another worker: the staging table lives in the warehouse. The merge is one transaction per
run and source: it inserts new articles, updates only rows whose `content_hash` changed
(keeping the earlier content in `article_versions`), leaves the
rest untouched, and clears the staged rows. Loading the same batch twice changes nothing.
New and changed rows get their search vector right after the merge, in separate
transactions (`warehouse.search.index_pending`; why: migration 0003).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from transforms import Article, url_hash
from transforms.text import strip_control
from warehouse import search

ARTICLE_COLUMNS = (
    "url_hash", "source_id", "url", "canonical_url", "title", "description", "authors",
    "published_at", "modified_at", "date_source", "language", "section", "tags", "site_name",
    "image_url", "body", "word_count", "reading_time_minutes", "is_paywalled",
    "extractor_version", "content_hash", "raw_page_id", "run_id",
)
STAGED_COLUMNS = ("run_id", *(c for c in ARTICLE_COLUMNS if c != "run_id"))
STAGED_TYPES = {
    "authors": "text[]", "tags": "text[]", "published_at": "timestamptz",
    "modified_at": "timestamptz", "word_count": "int4", "reading_time_minutes": "int4",
    "is_paywalled": "bool", "raw_page_id": "int8",
}
# Columns that the merge rewrites when the content changed.
UPDATED_COLUMNS = tuple(c for c in ARTICLE_COLUMNS if c != "url_hash")


@dataclass(frozen=True)
class MergeCounts:
    inserted: int
    updated: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}


def staged_row(run_id: str, source_id: str, article: Article, raw_page_id: int | None) -> tuple:
    """The staging-table row of one article, in `STAGED_COLUMNS` order."""
    values: dict[str, Any] = {
        "run_id": run_id,
        "url_hash": url_hash(article.canonical_url),
        "source_id": source_id,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "description": article.description,
        "authors": list(article.authors),
        "published_at": article.published_at,
        "modified_at": article.modified_at,
        "date_source": article.date_source,
        "language": article.language,
        "section": article.section,
        "tags": list(article.tags),
        "site_name": article.site_name,
        "image_url": article.image_url,
        "body": article.body,
        "word_count": article.word_count,
        "reading_time_minutes": article.reading_time_minutes,
        "is_paywalled": article.is_paywalled,
        "extractor_version": article.extractor_version,
        "content_hash": article.content_hash,
        "raw_page_id": raw_page_id,
    }
    return tuple(_clean_value(values[c]) for c in STAGED_COLUMNS)


def _clean_value(value: Any) -> Any:
    """PostgreSQL refuses NUL in text; control characters have no place in analysts' data."""
    if isinstance(value, str):
        return strip_control(value)
    if isinstance(value, list):
        return [strip_control(v) if isinstance(v, str) else v for v in value]
    return value


def stage_articles(
    conn: psycopg.Connection[Any], run_id: str, source_id: str, rows: Iterable[tuple]
) -> int:
    """Replace this run's staged rows for `source_id` with `rows` (COPY); returns the count.
    Rows must be unique by url_hash. Commits."""
    count = 0
    with conn.transaction():
        conn.execute("DELETE FROM staged_articles WHERE run_id = %s AND source_id = %s",
                     (run_id, source_id))
        # Binary COPY: about twice the rows per second of text COPY for 5 KB bodies.
        copy_sql = sql.SQL("COPY staged_articles ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.SQL(", ").join(map(sql.Identifier, STAGED_COLUMNS)))
        with conn.cursor() as cur, cur.copy(copy_sql) as copy:
            copy.set_types([STAGED_TYPES.get(c, "text") for c in STAGED_COLUMNS])
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def merge_staged(conn: psycopg.Connection[Any], run_id: str, source_id: str, *,
                 index_search: bool = True) -> MergeCounts:
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
        conn.execute("DELETE FROM staged_articles WHERE run_id = %s AND source_id = %s",
                     (run_id, source_id))
    if index_search:  # also catches up on rows an earlier, interrupted call left
        search.index_pending(conn)
    return MergeCounts(inserted, updated, total - inserted - updated)


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

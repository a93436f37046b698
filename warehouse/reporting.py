"""The daily report's queries: a day's runs per source, their failures and rejects, its
enrich stage, articles per source and day, the day's articles, and the enrichment tables
when they exist."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import psycopg

from autonews.core.vocabulary import STAGES, Outcome
from autonews.core.window import Window
from warehouse import enrichment_reports

log = logging.getLogger(__name__)

# Outcomes of a fetch that got what it asked for (or rightly did not ask): not failures.
FETCH_OK = (Outcome.FETCHED, Outcome.NOT_MODIFIED, Outcome.UNCHANGED)


@dataclass(frozen=True)
class StageRow:
    """One `pipeline_runs` row."""

    source_id: str
    run_id: str
    stage: str
    status: str
    counts: dict[str, Any]
    error: str | None
    trigger: str
    attempts: int
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class SourceDay:
    """A source on one UTC publication day: the articles published that day, and how the
    latest run covering the day went."""

    source_id: str
    day: date
    articles: int
    run_id: str | None = None
    status: str | None = None  # success / failed / running / skipped; None: no run
    failed_stage: str | None = None
    clean_counts: dict[str, Any] | None = None
    gate_counts: dict[str, Any] | None = None


@dataclass(frozen=True)
class Example:
    url: str
    detail: str


@dataclass(frozen=True)
class FailureGroup:
    """The URLs of a source's run that ended in one outcome (or one reject reason)."""

    source_id: str
    what: str  # 'article' or 'discovery' for fetches, 'reject' for cleaner rejects
    outcome: str
    urls: int
    examples: list[Example] = field(default_factory=list)


@dataclass(frozen=True)
class ArticleLink:
    source_id: str
    title: str
    canonical_url: str
    published_at: datetime | None
    section: str | None
    language: str | None
    site_name: str | None
    word_count: int


# ---------------------------------------------------------------- the day's runs

# Per source, the stages of the latest run that crawled exactly this window (or of one run).
# Runs without a crawl (a re-clean) only re-extract stored pages: they are not the day's run.
_DAY_STAGES_SQL = """
WITH chosen AS (
    SELECT DISTINCT ON (source_id) source_id, run_id
      FROM pipeline_runs
     WHERE window_start = %(start)s AND window_end = %(end)s AND stage = 'crawl'
       AND (%(run)s::text IS NULL OR run_id = %(run)s)
     ORDER BY source_id, started_at DESC, run_id DESC
)
SELECT p.source_id, p.run_id, p.stage, p.status, p.counts, p.error, p.trigger, p.attempts,
       p.started_at, p.finished_at
  FROM pipeline_runs p
  JOIN chosen c USING (source_id, run_id)
 ORDER BY p.source_id, array_position(%(stages)s::text[], p.stage)
"""


def day_stages(conn: psycopg.Connection[Any], window: Window,
               run_id: str | None = None) -> list[StageRow]:
    """The stages of each source's latest run that crawled `window` (of `run_id` when
    given)."""
    rows = conn.execute(_DAY_STAGES_SQL, {"start": window.start, "end": window.end,
                                          "run": run_id, "stages": list(STAGES)}).fetchall()
    return [StageRow(r[0], r[1], r[2], r[3], dict(r[4] or {}), r[5], r[6], r[7], r[8], r[9])
            for r in rows]


@dataclass(frozen=True)
class EnrichRow:
    """The latest enrich stage that covered a day (`pipeline_runs`, stage `enrich`)."""

    run_id: str
    scope: str  # `*`, or the sources it was limited to
    status: str
    error: str | None
    finished_at: datetime | None


# The latest enrich run whose window covers the day (a day's run, a backfill or a reclean
# over a range), or `run`'s.
_DAY_ENRICH_SQL = """
SELECT run_id, source_id, status, error, finished_at
  FROM pipeline_runs
 WHERE stage = 'enrich' AND window_start <= %(start)s AND window_end >= %(end)s
   AND (%(run)s::text IS NULL OR run_id = %(run)s)
 ORDER BY started_at DESC, run_id DESC
 LIMIT 1
"""


def day_enrich(conn: psycopg.Connection[Any], window: Window,
               run_id: str | None = None) -> EnrichRow | None:
    """How the latest enrich stage covering `window` (of `run_id` when given) ended; None
    when none did."""
    row = conn.execute(_DAY_ENRICH_SQL, {"start": window.start, "end": window.end,
                                         "run": run_id}).fetchone()
    return EnrichRow(*row) if row else None


# ---------------------------------------------------------------- history per source and day

# Every (source, day) of the range for the sources that published or ran in it: articles by
# publication day (what the gate's history counts) and the latest run of the day.
_SOURCE_DAYS_SQL = """
WITH days AS (
    SELECT d::date AS day
      FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS d
),
published AS (
    SELECT a.source_id, (a.published_at AT TIME ZONE 'UTC')::date AS day, count(*) AS articles
      FROM articles a
     WHERE a.published_at >= %(start)s AND a.published_at < %(end)s
     GROUP BY 1, 2
),
runs AS (
    SELECT r.source_id, (min(r.window_start) AT TIME ZONE 'UTC')::date AS day, r.run_id,
           max(r.started_at) AS started_at,
           CASE WHEN bool_or(r.status = 'failed') THEN 'failed'
                WHEN bool_or(r.status = 'running') THEN 'running'
                WHEN bool_or(r.stage = 'load' AND r.status = 'success') THEN 'success'
                ELSE 'skipped' END AS status,
           (array_agg(r.stage ORDER BY array_position(%(stages)s::text[], r.stage))
                FILTER (WHERE r.status = 'failed'))[1] AS failed_stage,
           (array_agg(r.counts) FILTER (WHERE r.stage = 'clean' AND r.status = 'success'))[1]
               AS clean_counts,
           (array_agg(r.counts) FILTER (WHERE r.stage = 'gate'
                                          AND r.status IN ('success', 'failed')))[1]
               AS gate_counts
      FROM pipeline_runs r
     WHERE r.window_start >= %(start)s AND r.window_start < %(end)s
       AND r.window_end = r.window_start + interval '1 day'
     GROUP BY r.source_id, r.run_id
    HAVING bool_or(r.stage = 'crawl')
),
latest AS (
    SELECT DISTINCT ON (source_id, day) *
      FROM runs
     ORDER BY source_id, day, started_at DESC, run_id DESC
),
sources AS (
    SELECT source_id FROM published UNION SELECT source_id FROM runs
)
SELECT s.source_id, d.day, coalesce(p.articles, 0), l.run_id, l.status, l.failed_stage,
       l.clean_counts, l.gate_counts
  FROM sources s
 CROSS JOIN days d
  LEFT JOIN published p ON p.source_id = s.source_id AND p.day = d.day
  LEFT JOIN latest l ON l.source_id = s.source_id AND l.day = d.day
 ORDER BY s.source_id, d.day
"""


def source_days(conn: psycopg.Connection[Any], days: Window) -> list[SourceDay]:
    """Each source's days of `days` (whole UTC days), sources ordered by id, days in order."""
    rows = conn.execute(_SOURCE_DAYS_SQL, {
        "first": days.first_day, "last": days.last_day, "start": days.start, "end": days.end,
        "stages": list(STAGES)}).fetchall()
    return [SourceDay(r[0], r[1], int(r[2]), r[3], r[4], r[5],
                      dict(r[6]) if r[6] is not None else None,
                      dict(r[7]) if r[7] is not None else None) for r in rows]


# ---------------------------------------------------------------- what failed

_FAILURES_SQL = """
WITH chosen AS (
    SELECT * FROM unnest(%(runs)s::text[], %(sources)s::text[]) AS c(run_id, source_id)
),
failed AS (
    SELECT r.source_id, CASE WHEN r.kind = 'article' THEN 'article' ELSE 'discovery' END AS what,
           r.outcome, r.url,
           concat_ws(': ', 'HTTP ' || r.http_status, nullif(r.error, '')) AS detail,
           row_number() OVER w AS n, count(*) OVER (PARTITION BY r.source_id,
               r.kind = 'article', r.outcome) AS urls
      FROM raw_pages r
      JOIN chosen c ON c.run_id = r.run_id AND c.source_id = r.source_id
     WHERE r.outcome <> ALL (%(ok)s::text[])
    WINDOW w AS (PARTITION BY r.source_id, r.kind = 'article', r.outcome
                 ORDER BY r.fetched_at, r.raw_page_id)
)
SELECT source_id, what, outcome, urls, url, detail
  FROM failed
 WHERE n <= %(examples)s
 ORDER BY source_id, what DESC, urls DESC, outcome, n
"""

_REJECTS_SQL = """
WITH chosen AS (
    SELECT * FROM unnest(%(runs)s::text[], %(sources)s::text[]) AS c(run_id, source_id)
),
rejects AS (
    SELECT j.source_id, j.reason, j.url, coalesce(j.detail, '') AS detail,
           row_number() OVER (PARTITION BY j.source_id, j.reason
                              ORDER BY j.rejected_at, j.raw_page_id) AS n,
           count(*) OVER (PARTITION BY j.source_id, j.reason) AS urls
      FROM rejected_pages j
      JOIN chosen c ON c.run_id = j.run_id AND c.source_id = j.source_id
)
SELECT source_id, 'reject', reason, urls, url, detail
  FROM rejects
 WHERE n <= %(examples)s
 ORDER BY source_id, urls DESC, reason, n
"""


def _groups(rows: Sequence[tuple[Any, ...]]) -> list[FailureGroup]:
    groups: dict[tuple[str, str, str], FailureGroup] = {}
    for source_id, what, outcome, urls, url, detail in rows:
        key = (source_id, what, outcome)
        if key not in groups:
            groups[key] = FailureGroup(source_id, what, outcome, int(urls))
        groups[key].examples.append(Example(url, detail or ""))
    return list(groups.values())


def failure_groups(conn: psycopg.Connection[Any], runs: Sequence[tuple[str, str]], *,
                   examples: int = 3) -> list[FailureGroup]:
    """The failed fetches of the (run_id, source_id) pairs, grouped by source, article vs
    discovery (sitemaps, feeds, listings) and outcome, biggest group first, with a few
    example URLs each."""
    params = {"runs": [r for r, _ in runs], "sources": [s for _, s in runs],
              "ok": list(FETCH_OK), "examples": examples}
    return _groups(conn.execute(_FAILURES_SQL, params).fetchall())


def reject_groups(conn: psycopg.Connection[Any], runs: Sequence[tuple[str, str]], *,
                  examples: int = 3) -> list[FailureGroup]:
    """The pages the cleaner rejected in the (run_id, source_id) pairs, by reason."""
    params = {"runs": [r for r, _ in runs], "sources": [s for _, s in runs],
              "examples": examples}
    return _groups(conn.execute(_REJECTS_SQL, params).fetchall())


# ---------------------------------------------------------------- the day's articles

_ARTICLES_SQL = """
SELECT source_id, title, canonical_url, published_at, section, language, site_name, word_count
  FROM articles
 WHERE published_at >= %(start)s AND published_at < %(end)s
 ORDER BY source_id, published_at DESC, title
 LIMIT %(limit)s
"""

_ARTICLE_FACETS_SQL = """
SELECT 'section' AS facet, coalesce(nullif(section, ''), '') AS value, count(*) AS articles
  FROM articles
 WHERE published_at >= %(start)s AND published_at < %(end)s
 GROUP BY 2
UNION ALL
SELECT 'language', coalesce(nullif(language, ''), ''), count(*)
  FROM articles
 WHERE published_at >= %(start)s AND published_at < %(end)s
 GROUP BY 2
 ORDER BY 1, 3 DESC, 2
"""


def day_articles(conn: psycopg.Connection[Any], window: Window, *,
                 limit: int = 2000) -> list[ArticleLink]:
    """The articles published in `window`, by source then newest first, at most `limit`."""
    rows = conn.execute(_ARTICLES_SQL, {"start": window.start, "end": window.end,
                                        "limit": limit}).fetchall()
    return [ArticleLink(*row) for row in rows]


def article_facets(conn: psycopg.Connection[Any],
                   window: Window) -> dict[str, list[tuple[str, int]]]:
    """Articles published in `window` per section and per language ('' = unknown), most
    first: {'section': [(name, articles)...], 'language': [...]}."""
    facets: dict[str, list[tuple[str, int]]] = {"section": [], "language": []}
    for facet, value, articles in conn.execute(
            _ARTICLE_FACETS_SQL, {"start": window.start, "end": window.end}).fetchall():
        facets[facet].append((value, int(articles)))
    return facets


# ---------------------------------------------------------------- enrichment
#
# The day's entities and stories as `autonews entities` and `autonews stories` rank them
# (warehouse.enrichment_reports), and its topics from the `topics_daily` view. Each part of
# the page appears only when its relations exist (`to_regclass`): a warehouse not migrated
# to 0007 yet shows the rest.

ENRICHMENT_RELATIONS = {
    "entities": ("entity_mentions_daily", "entity_share_of_voice"),
    "topics": ("topics_daily",),
    "stories": ("top_stories_daily", "article_enrichments"),
}

_TOPICS_SQL = """
SELECT coalesce(name, topic_id), articles, sources
  FROM topics_daily
 WHERE day = %(day)s
 ORDER BY articles DESC, sources DESC, 1
 LIMIT %(limit)s
"""


@dataclass(frozen=True)
class Ranked:
    """An entity, topic or story of the day, with the articles and sources mentioning it."""

    name: str
    kind: str | None
    articles: int
    sources: int
    url: str | None = None


@dataclass(frozen=True)
class Enrichment:
    """What the enrichment tables say about a day; a part is None when its relations do not
    exist, and `errors` says which part could not be read and why."""

    entities: list[Ranked] | None = None
    topics: list[Ranked] | None = None
    stories: list[Ranked] | None = None
    errors: dict[str, str] = field(default_factory=dict)


def existing_tables(conn: psycopg.Connection[Any], names: Sequence[str]) -> set[str]:
    """Which of the tables or views `names` exist."""
    rows = conn.execute("SELECT t FROM unnest(%s::text[]) AS t WHERE to_regclass(t) IS NOT NULL",
                        (list(names),)).fetchall()
    return {r[0] for r in rows}


def _part(conn: psycopg.Connection[Any], part: str, day: date, limit: int) -> list[Ranked]:
    if part == "entities":
        return [Ranked(e.name, e.kind, e.articles, e.sources)
                for e in enrichment_reports.day_entities(conn, day, limit=limit)]
    if part == "stories":
        # A story of one article is no story (they rank last): those that grouped two or
        # more articles that day, linked to the first of them.
        return [Ranked(s.title, None, s.articles, len(s.sources),
                       s.members[0].canonical_url if s.members else None)
                for s in enrichment_reports.day_stories(conn, day, limit=limit)
                if s.articles > 1]
    rows = conn.execute(_TOPICS_SQL, {"day": day, "limit": limit}).fetchall()
    return [Ranked(r[0], None, int(r[1]), int(r[2])) for r in rows]


def day_enrichment(conn: psycopg.Connection[Any], day: date, *, limit: int = 10) -> Enrichment:
    """The top entities, topics and stories of the articles published on UTC `day`, for
    each part whose relations exist. A part whose query fails (its relations are not what
    this module expects) is reported in `errors`, logged, and does not stop the report."""
    present = existing_tables(conn, [t for ts in ENRICHMENT_RELATIONS.values() for t in ts])
    parts: dict[str, list[Ranked] | None] = {}
    errors: dict[str, str] = {}
    for part, relations in ENRICHMENT_RELATIONS.items():
        parts[part] = None
        if not all(t in present for t in relations):
            continue
        try:
            with conn.transaction():
                parts[part] = _part(conn, part, day, limit)
        except psycopg.Error as exc:
            log.warning("the report could not read the %s: %s", part, exc)
            errors[part] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return Enrichment(parts["entities"], parts["topics"], parts["stories"], errors)

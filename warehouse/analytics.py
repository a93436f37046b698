"""Figures per source and UTC publication day: articles from `articles`, runs and rejects
from `pipeline_runs`."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import psycopg

from autonews.core.window import Window

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DayStats:
    """One source on one UTC publication day."""

    day: date
    source_id: str
    articles: int
    words: int
    changed: int
    pages_cleaned: int
    rejected: int
    runs: int
    failed_runs: int
    last_status: str | None

    @property
    def reject_rate(self) -> float | None:
        return self.rejected / self.pages_cleaned if self.pages_cleaned else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "day": self.day.isoformat(), "reject_rate": self.reject_rate}


# Every (source, day) of the range for the sources that published or ran in it, so that a
# day without articles shows as 0 rather than disappearing.
_STATS_SQL = """
WITH days AS (
    SELECT d::date AS day
      FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS d
),
published AS (
    SELECT a.source_id, (a.published_at AT TIME ZONE 'UTC')::date AS day,
           count(*) AS articles, sum(a.word_count) AS words,
           count(*) FILTER (WHERE a.last_changed_at > a.first_seen_at) AS changed
      FROM articles a
     WHERE a.published_at >= %(start)s AND a.published_at < %(end)s
       AND (%(source)s::text IS NULL OR a.source_id = %(source)s)
     GROUP BY 1, 2
),
runs AS (
    SELECT r.source_id, r.run_id, (min(r.window_start) AT TIME ZONE 'UTC')::date AS day,
           min(r.started_at) AS started_at,
           CASE WHEN bool_or(r.status = 'failed') THEN 'failed'
                WHEN bool_or(r.status = 'running') THEN 'running'
                WHEN bool_or(r.stage = 'load' AND r.status = 'success') THEN 'success'
                ELSE 'skipped' END AS status
      FROM pipeline_runs r
     WHERE r.window_start >= %(start)s AND r.window_start < %(end)s
       AND (%(source)s::text IS NULL OR r.source_id = %(source)s)
       AND r.stage <> 'enrich'  -- it covers every source at once (source '*')
     GROUP BY r.source_id, r.run_id
),
run_days AS (
    SELECT r.source_id, r.day, count(*) AS runs,
           count(*) FILTER (WHERE r.status = 'failed') AS failed_runs,
           (array_agg(r.status ORDER BY r.started_at DESC))[1] AS last_status
      FROM runs r
     GROUP BY r.source_id, r.day
),
cleans AS (  -- the latest successful clean of each source and day
    SELECT DISTINCT ON (r.source_id, r.window_start)
           r.source_id, (r.window_start AT TIME ZONE 'UTC')::date AS day,
           coalesce((r.counts ->> 'pages')::bigint, 0) AS pages,
           coalesce((r.counts ->> 'rejected')::bigint, 0) AS rejected
      FROM pipeline_runs r
     WHERE r.stage = 'clean' AND r.status = 'success'
       AND r.window_start >= %(start)s AND r.window_start < %(end)s
       AND (%(source)s::text IS NULL OR r.source_id = %(source)s)
     ORDER BY r.source_id, r.window_start, r.finished_at DESC
),
sources AS (
    SELECT source_id FROM published UNION SELECT source_id FROM run_days
)
SELECT d.day, s.source_id,
       coalesce(p.articles, 0), coalesce(p.words, 0), coalesce(p.changed, 0),
       coalesce(c.pages, 0), coalesce(c.rejected, 0),
       coalesce(rd.runs, 0), coalesce(rd.failed_runs, 0), rd.last_status
  FROM days d
 CROSS JOIN sources s
  LEFT JOIN published p ON p.source_id = s.source_id AND p.day = d.day
  LEFT JOIN run_days rd ON rd.source_id = s.source_id AND rd.day = d.day
  LEFT JOIN cleans c ON c.source_id = s.source_id AND c.day = d.day
 ORDER BY d.day, s.source_id
"""


def daily_stats(conn: psycopg.Connection[Any], days: Window,
                source_id: str | None = None) -> list[DayStats]:
    """Articles, words, changes, rejects and runs per source and day of `days`."""
    rows = conn.execute(_STATS_SQL, {
        "first": days.first_day, "last": days.last_day, "start": days.start,
        "end": days.end, "source": source_id,
    }).fetchall()
    log.debug("stats for %s: %d rows", days, len(rows))
    return [DayStats(*row) for row in rows]


_HISTORY_SQL = """
SELECT count(a.url_hash)
  FROM generate_series(%(start)s - make_interval(days => %(days)s),
                       %(start)s - interval '1 day', interval '1 day') AS d(day)
  LEFT JOIN articles a ON a.source_id = %(source)s
                      AND a.published_at >= d.day AND a.published_at < d.day + interval '1 day'
 GROUP BY d.day ORDER BY d.day
"""


def articles_per_day_before(conn: psycopg.Connection[Any], source_id: str, before: datetime,
                            days: int) -> list[int]:
    """Articles of `source_id` published on each of the `days` UTC days before `before`,
    oldest first (0 for a day without any)."""
    with conn.transaction():
        rows = conn.execute(_HISTORY_SQL, {"start": before, "days": days,
                                           "source": source_id}).fetchall()
    return [int(r[0]) for r in rows]


def cleaned_with(conn: psycopg.Connection[Any], source_id: str, window: Window
                 ) -> tuple[set[str | None], set[str]]:
    """The rule versions of `source_id`'s articles published in `window`, and the extractor
    versions of its pages rejected then: what a reclean would compare with today's."""
    with conn.transaction():
        rules = {r[0] for r in conn.execute(
            "SELECT DISTINCT rules_version FROM articles WHERE source_id = %s "
            "AND published_at >= %s AND published_at < %s",
            (source_id, window.start, window.end)).fetchall()}
        rejects = {r[0] for r in conn.execute(
            "SELECT DISTINCT j.extractor_version FROM rejected_pages j "
            "JOIN raw_pages p USING (raw_page_id) WHERE j.source_id = %s "
            "AND p.listed_at >= %s AND p.listed_at < %s",
            (source_id, window.start, window.end)).fetchall()}
    return rules, rejects

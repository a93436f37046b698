-- Views for the questions analysts ask every day. Days are UTC days of `published_at`.

-- Articles per source and UTC publication day (undated articles are left out).
CREATE VIEW articles_per_source_day AS
SELECT a.source_id,
       (a.published_at AT TIME ZONE 'UTC')::date AS day,
       count(*) AS articles,
       sum(a.word_count) AS words,
       round(avg(a.word_count)) AS avg_words,
       count(*) FILTER (WHERE a.last_changed_at > a.first_seen_at) AS changed
  FROM articles a
 WHERE a.published_at IS NOT NULL
 GROUP BY a.source_id, (a.published_at AT TIME ZONE 'UTC')::date;

-- Dated articles, newest first, without the body (add LIMIT).
CREATE VIEW latest_articles AS
SELECT a.published_at, a.source_id, a.site_name, a.title, a.authors, a.section, a.tags,
       a.canonical_url, a.word_count, a.reading_time_minutes, a.first_seen_at,
       a.last_changed_at, a.last_changed_at > a.first_seen_at AS changed, a.url_hash
  FROM articles a
 WHERE a.published_at IS NOT NULL
 ORDER BY a.published_at DESC, a.url_hash;

-- The health of every source as of an instant, in publication time: the runs whose window
-- starts before `as_of`, and over the 14 whole UTC days before `as_of`'s day, the articles
-- published, the runs covering those days and the pages their cleans rejected. When a run
-- happened does not matter (a backfill tells about the days it covers).
CREATE FUNCTION source_health_at(as_of timestamptz) RETURNS TABLE (
    source_id text,
    last_success_at timestamptz,
    last_success_day date,
    last_run_id text,
    last_run_at timestamptz,
    last_run_status text,
    last_error text,
    runs_14d bigint,
    failed_runs_14d bigint,
    articles_14d bigint,
    articles_per_day_14d numeric,
    pages_cleaned_14d bigint,
    pages_rejected_14d bigint,
    reject_rate_14d numeric
) LANGUAGE sql STABLE
AS $$
WITH period AS (
    SELECT ((as_of AT TIME ZONE 'UTC')::date - 14)::timestamp AT TIME ZONE 'UTC' AS start_at,
           ((as_of AT TIME ZONE 'UTC')::date)::timestamp AT TIME ZONE 'UTC' AS end_at
),
runs AS (  -- one row per run and source
    SELECT r.source_id, r.run_id, min(r.started_at) AS started_at,
           min(r.window_start) AS window_start,
           CASE WHEN bool_or(r.status = 'failed') THEN 'failed'
                WHEN bool_or(r.status = 'running') THEN 'running'
                WHEN bool_or(r.stage = 'load' AND r.status = 'success') THEN 'success'
                ELSE 'skipped' END AS status,
           string_agg(r.stage || ': ' || r.error, '; ' ORDER BY r.started_at)
               FILTER (WHERE r.status = 'failed') AS error
      FROM pipeline_runs r
     WHERE r.window_start < as_of
     GROUP BY r.source_id, r.run_id
),
sources AS (
    SELECT DISTINCT r.source_id FROM runs r
    UNION
    SELECT DISTINCT a.source_id FROM articles a WHERE a.published_at < as_of
),
last_success AS (
    SELECT DISTINCT ON (r.source_id) r.source_id, r.finished_at,
           (r.window_start AT TIME ZONE 'UTC')::date AS day
      FROM pipeline_runs r
     WHERE r.stage = 'load' AND r.status = 'success' AND r.window_start < as_of
     ORDER BY r.source_id, r.finished_at DESC
),
last_run AS (
    SELECT DISTINCT ON (r.source_id) r.source_id, r.run_id, r.started_at, r.status, r.error
      FROM runs r
     ORDER BY r.source_id, r.started_at DESC, r.run_id DESC
),
recent_runs AS (
    SELECT r.source_id, count(*) AS runs, count(*) FILTER (WHERE r.status = 'failed') AS failed
      FROM runs r, period p
     WHERE r.window_start >= p.start_at AND r.window_start < p.end_at
     GROUP BY r.source_id
),
recent_articles AS (
    SELECT a.source_id, count(*) AS articles
      FROM articles a, period p
     WHERE a.published_at >= p.start_at AND a.published_at < p.end_at
     GROUP BY a.source_id
),
cleans AS (  -- the latest successful clean of each source and publication window
    SELECT DISTINCT ON (r.source_id, r.window_start) r.source_id, r.counts
      FROM pipeline_runs r, period p
     WHERE r.stage = 'clean' AND r.status = 'success'
       AND r.window_start >= p.start_at AND r.window_start < p.end_at
     ORDER BY r.source_id, r.window_start, r.finished_at DESC
),
recent_rejects AS (
    SELECT c.source_id,
           sum(coalesce((c.counts ->> 'pages')::bigint, 0)) AS pages,
           sum(coalesce((c.counts ->> 'rejected')::bigint, 0)) AS rejected
      FROM cleans c
     GROUP BY c.source_id
)
SELECT s.source_id,
       ls.finished_at,
       ls.day,
       lr.run_id,
       lr.started_at,
       lr.status,
       lr.error,
       coalesce(rr.runs, 0),
       coalesce(rr.failed, 0),
       coalesce(ra.articles, 0),
       round(coalesce(ra.articles, 0) / 14.0, 2),
       coalesce(rj.pages, 0),
       coalesce(rj.rejected, 0),
       round(rj.rejected::numeric / nullif(rj.pages, 0), 4)
  FROM sources s
  LEFT JOIN last_success ls ON ls.source_id = s.source_id
  LEFT JOIN last_run lr ON lr.source_id = s.source_id
  LEFT JOIN recent_runs rr ON rr.source_id = s.source_id
  LEFT JOIN recent_articles ra ON ra.source_id = s.source_id
  LEFT JOIN recent_rejects rj ON rj.source_id = s.source_id
 ORDER BY s.source_id
$$;

-- Source health now: the 14 whole UTC days before today.
CREATE VIEW source_health AS SELECT * FROM source_health_at(now());

-- Enrichment: the knowledge base's entities, the topics, what each article mentions and is
-- about, and the stories articles are grouped into; written by the `enrich` stage
-- (autonews/enrich.py through warehouse/enrichment.py), never by the load.
--
-- Why the enrichment lives in tables of its own and not in `articles`: the load owns
-- `articles` and its merge must stay one short statement; enrichment is redone whenever
-- the knowledge base or the rules change (`autonews enrich --from --to`), without touching
-- an article. `article_enrichments.enrichment_version` + `content_hash` say whether an
-- article's enrichment is current, so a rerun with the same version does nothing.

ALTER TABLE pipeline_runs DROP CONSTRAINT pipeline_runs_stage_check;
ALTER TABLE pipeline_runs ADD CONSTRAINT pipeline_runs_stage_check
    CHECK (stage IN ('crawl', 'clean', 'gate', 'load', 'enrich'));

-- The knowledge base (config/kb), as of its version `kb_version`.
CREATE TABLE entities (
    entity_id  text        PRIMARY KEY,
    kind       text        NOT NULL CHECK (kind IN ('group', 'brand', 'model', 'supplier', 'person')),
    name       text        NOT NULL,
    country    text,
    aliases    text[]      NOT NULL DEFAULT '{}',
    attributes jsonb       NOT NULL DEFAULT '{}'::jsonb,
    kb_version text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX entities_lower_name_idx ON entities (lower(name));

-- Who owns, contains or employs what, and when (NULL bounds: open).
CREATE TABLE entity_relations (
    entity_id  text NOT NULL REFERENCES entities (entity_id) ON DELETE CASCADE,
    related_id text NOT NULL REFERENCES entities (entity_id) ON DELETE CASCADE,
    relation   text NOT NULL CHECK (relation IN ('owned_by', 'part_of', 'model_of', 'works_for')),
    valid_from date,
    valid_to   date,
    title      text
);
CREATE INDEX entity_relations_entity_idx ON entity_relations (entity_id);
CREATE INDEX entity_relations_related_idx ON entity_relations (related_id);

-- The taxonomy (config/topics.toml).
CREATE TABLE topics (
    topic_id         text PRIMARY KEY,
    name             text NOT NULL,
    description      text NOT NULL,
    taxonomy_version text NOT NULL
);

-- One row per enriched article: which version of the knowledge base and rules enriched
-- which content, its story, and what story grouping needs of it.
CREATE TABLE article_enrichments (
    url_hash           text        PRIMARY KEY REFERENCES articles (url_hash) ON DELETE CASCADE,
    enrichment_version text        NOT NULL,
    content_hash       text        NOT NULL,
    story_id           text,
    signature          bytea       NOT NULL,
    story_terms        text[]      NOT NULL DEFAULT '{}',
    run_id             text        NOT NULL,
    enriched_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX article_enrichments_story_idx ON article_enrichments (story_id);

-- Entities an article mentions (directly, or through a model or brand: roll-up).
CREATE TABLE article_entities (
    url_hash        text    NOT NULL REFERENCES articles (url_hash) ON DELETE CASCADE,
    entity_id       text    NOT NULL,
    mentions        integer NOT NULL CHECK (mentions > 0),
    direct_mentions integer NOT NULL CHECK (direct_mentions >= 0),
    in_title        boolean NOT NULL,
    first_position  integer NOT NULL,
    PRIMARY KEY (url_hash, entity_id)
);
CREATE INDEX article_entities_entity_idx ON article_entities (entity_id, url_hash);

-- Topics an article is about, with a score in [0.5, 1).
CREATE TABLE article_topics (
    url_hash text NOT NULL REFERENCES articles (url_hash) ON DELETE CASCADE,
    topic_id text NOT NULL,
    score    real NOT NULL CHECK (score > 0 AND score <= 1),
    PRIMARY KEY (url_hash, topic_id)
);
CREATE INDEX article_topics_topic_idx ON article_topics (topic_id, url_hash);

-- Stories: articles reporting the same news; rebuilt from article_enrichments.story_id.
CREATE TABLE stories (
    story_id           text        PRIMARY KEY,
    first_url_hash     text        NOT NULL,
    title              text        NOT NULL,
    first_published_at timestamptz,
    last_published_at  timestamptz,
    articles           integer     NOT NULL,
    sources            text[]      NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stories_first_published_idx ON stories (first_published_at);

-- Mentions per entity, UTC publication day and source.
CREATE VIEW entity_mentions_daily AS
SELECT (a.published_at AT TIME ZONE 'UTC')::date AS day,
       a.source_id,
       l.entity_id,
       e.kind,
       e.name,
       count(*) AS articles,
       sum(l.mentions) AS mentions,
       count(*) FILTER (WHERE l.in_title) AS title_articles,
       count(*) FILTER (WHERE l.direct_mentions > 0) AS direct_articles
  FROM article_entities l
  JOIN articles a ON a.url_hash = l.url_hash
  LEFT JOIN entities e ON e.entity_id = l.entity_id
 WHERE a.published_at IS NOT NULL
 GROUP BY 1, 2, 3, 4, 5;

-- Share of voice: an entity's share of the day's mentions of entities of its kind.
CREATE VIEW entity_share_of_voice AS
WITH daily AS (
    SELECT (a.published_at AT TIME ZONE 'UTC')::date AS day, e.kind, l.entity_id, e.name,
           count(*) AS articles, sum(l.mentions) AS mentions
      FROM article_entities l
      JOIN articles a ON a.url_hash = l.url_hash
      JOIN entities e ON e.entity_id = l.entity_id
     WHERE a.published_at IS NOT NULL
     GROUP BY 1, 2, 3, 4
)
SELECT day, kind, entity_id, name, articles, mentions,
       round(mentions::numeric / sum(mentions) OVER (PARTITION BY day, kind), 4) AS share
  FROM daily;

-- Articles per topic and UTC publication day.
CREATE VIEW topics_daily AS
SELECT (a.published_at AT TIME ZONE 'UTC')::date AS day,
       t.topic_id,
       tp.name,
       count(*) AS articles,
       count(DISTINCT a.source_id) AS sources,
       round(avg(t.score)::numeric, 3) AS avg_score
  FROM article_topics t
  JOIN articles a ON a.url_hash = t.url_hash
  LEFT JOIN topics tp ON tp.topic_id = t.topic_id
 WHERE a.published_at IS NOT NULL
 GROUP BY 1, 2, 3;

-- Each UTC day's stories, ranked: most sources first, then most articles that day.
CREATE VIEW top_stories_daily AS
WITH daily AS (
    SELECT (a.published_at AT TIME ZONE 'UTC')::date AS day, x.story_id,
           count(*) AS articles, count(DISTINCT a.source_id) AS sources,
           array_agg(DISTINCT a.source_id ORDER BY a.source_id) AS source_ids
      FROM article_enrichments x
      JOIN articles a ON a.url_hash = x.url_hash
     WHERE a.published_at IS NOT NULL AND x.story_id IS NOT NULL
     GROUP BY 1, 2
)
SELECT d.day,
       rank() OVER (PARTITION BY d.day ORDER BY d.sources DESC, d.articles DESC) AS rank,
       d.story_id, s.title, d.articles, d.sources, d.source_ids, s.first_published_at,
       s.articles AS story_articles
  FROM daily d
  JOIN stories s ON s.story_id = d.story_id;

-- Source health must not count the enrich stage (it covers every source at once, as the
-- pseudo-source '*'): the function of 0004 with `stage <> 'enrich'` added where it reads runs.
CREATE OR REPLACE FUNCTION source_health_at(as_of timestamptz) RETURNS TABLE (
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
     WHERE r.window_start < as_of AND r.stage <> 'enrich'
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

-- search_articles with two more filters: only articles mentioning `entity` (an entities id,
-- roll-ups included: a brand finds its models' articles) and / or about `topic`.
CREATE FUNCTION search_enriched_articles(
    query text,
    max_results integer DEFAULT 20,
    source text DEFAULT NULL,
    published_from timestamptz DEFAULT NULL,
    published_to timestamptz DEFAULT NULL,
    entity text DEFAULT NULL,
    topic text DEFAULT NULL
) RETURNS TABLE (
    url_hash text, source_id text, published_at timestamptz, title text, canonical_url text,
    rank real, snippet text
) LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT hit.url_hash, hit.source_id, hit.published_at, hit.title, hit.canonical_url,
           hit.rank,
           regexp_replace(
               ts_headline(search_config(hit.language), hit.body,
                           article_query(hit.language, query),
                           'StartSel=«, StopSel=», MaxWords=30, MinWords=12, MaxFragments=2, '
                           'FragmentDelimiter=" … "'),
               '\s+', ' ', 'g')
      FROM (SELECT s.url_hash, s.source_id, s.published_at, s.title, s.canonical_url,
                   s.language, s.body,
                   ts_rank(s.document, article_query(s.language, query), 1) AS rank
              FROM searchable_articles s
             WHERE s.document @@ any_language_query(query)
               AND s.document @@ article_query(s.language, query)
               AND (source IS NULL OR s.source_id = source)
               AND (published_from IS NULL OR s.published_at >= published_from)
               AND (published_to IS NULL OR s.published_at < published_to)
               AND (entity IS NULL OR EXISTS (
                       SELECT 1 FROM article_entities l
                        WHERE l.url_hash = s.url_hash AND l.entity_id = entity))
               AND (topic IS NULL OR EXISTS (
                       SELECT 1 FROM article_topics t
                        WHERE t.url_hash = s.url_hash AND t.topic_id = topic))
             ORDER BY rank DESC, s.published_at DESC NULLS LAST, s.url_hash
             LIMIT max_results) AS hit
     ORDER BY hit.rank DESC, hit.published_at DESC NULLS LAST, hit.url_hash
$$;

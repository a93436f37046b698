-- Full-text search: a weighted tsvector per article (title A, description B, body D) in the
-- text-search configuration of the article's language, a GIN index on it, and a view and a
-- function that search every article, including those whose vector is not computed yet.
--
-- Why the vector is a plain column and not GENERATED ALWAYS ... STORED: the text-search
-- parser costs about 1 ms per article with a 5 KB body, 20 times the rest of the merge;
-- inside the merge it caps loads near 900 articles/s and holds the load's transaction open
-- for as long (bench/README.md). The merge leaves `search_vector` NULL
-- on new and changed rows; `warehouse.search.index_pending` fills it right after, in batches
-- of its own transactions. The invariant: search_vector is NULL or computed from the row's
-- current language, title, description and body. `searchable_articles` computes the vector
-- on the fly for the NULL rows, so a search never misses an article.

-- ISO 639-1 code (as the cleaner stores it) -> text-search configuration; 'simple' otherwise.
CREATE FUNCTION search_config(language text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE lower(split_part(replace(coalesce(language, ''), '_', '-'), '-', 1))
        WHEN 'en' THEN 'english'::regconfig
        WHEN 'de' THEN 'german'::regconfig
        WHEN 'fr' THEN 'french'::regconfig
        WHEN 'es' THEN 'spanish'::regconfig
        WHEN 'it' THEN 'italian'::regconfig
        WHEN 'pt' THEN 'portuguese'::regconfig
        WHEN 'nl' THEN 'dutch'::regconfig
        WHEN 'sv' THEN 'swedish'::regconfig
        WHEN 'da' THEN 'danish'::regconfig
        WHEN 'no' THEN 'norwegian'::regconfig
        WHEN 'nb' THEN 'norwegian'::regconfig
        WHEN 'nn' THEN 'norwegian'::regconfig
        WHEN 'fi' THEN 'finnish'::regconfig
        WHEN 'hu' THEN 'hungarian'::regconfig
        WHEN 'ro' THEN 'romanian'::regconfig
        WHEN 'ru' THEN 'russian'::regconfig
        WHEN 'tr' THEN 'turkish'::regconfig
        ELSE 'simple'::regconfig
    END
$$;

-- The document of an article: title weighs most (A), then description (B), then body (D).
CREATE FUNCTION article_search_vector(language text, title text, description text, body text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT setweight(to_tsvector(search_config(language), coalesce(title, '')), 'A')
        || setweight(to_tsvector(search_config(language), coalesce(description, '')), 'B')
        || setweight(to_tsvector(search_config(language), coalesce(body, '')), 'D')
$$;

-- A web-style query ("quoted phrase", or, -not) read in the article's language.
CREATE FUNCTION article_query(language text, query text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT websearch_to_tsquery(search_config(language), query)
$$;

-- The query read in every configuration search_config can return, OR-ed: a document that
-- matches article_query(its language, q) also matches this, so it can use the GIN index.
CREATE FUNCTION any_language_query(query text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT websearch_to_tsquery('simple'::regconfig, query)
        || websearch_to_tsquery('english'::regconfig, query)
        || websearch_to_tsquery('german'::regconfig, query)
        || websearch_to_tsquery('french'::regconfig, query)
        || websearch_to_tsquery('spanish'::regconfig, query)
        || websearch_to_tsquery('italian'::regconfig, query)
        || websearch_to_tsquery('portuguese'::regconfig, query)
        || websearch_to_tsquery('dutch'::regconfig, query)
        || websearch_to_tsquery('swedish'::regconfig, query)
        || websearch_to_tsquery('danish'::regconfig, query)
        || websearch_to_tsquery('norwegian'::regconfig, query)
        || websearch_to_tsquery('finnish'::regconfig, query)
        || websearch_to_tsquery('hungarian'::regconfig, query)
        || websearch_to_tsquery('romanian'::regconfig, query)
        || websearch_to_tsquery('russian'::regconfig, query)
        || websearch_to_tsquery('turkish'::regconfig, query)
$$;

ALTER TABLE articles ADD COLUMN search_vector tsvector;
CREATE INDEX articles_search_idx ON articles USING gin (search_vector);
-- Finds the rows the indexing step (and the view's second branch) must compute.
CREATE INDEX articles_search_pending_idx ON articles (url_hash) WHERE search_vector IS NULL;

-- Articles with their search document: the stored vector, or the same vector computed now
-- for rows the indexing step has not reached yet. Filter on `document @@ ...`.
CREATE VIEW searchable_articles AS
SELECT a.url_hash, a.source_id, a.url, a.canonical_url, a.title, a.description, a.authors,
       a.published_at, a.language, a.section, a.tags, a.site_name, a.body, a.word_count,
       a.search_vector AS document
  FROM articles a
 WHERE a.search_vector IS NOT NULL
UNION ALL
SELECT a.url_hash, a.source_id, a.url, a.canonical_url, a.title, a.description, a.authors,
       a.published_at, a.language, a.section, a.tags, a.site_name, a.body, a.word_count,
       pending.document
  FROM articles a
 CROSS JOIN LATERAL (  -- OFFSET 0: compute the vector once per row, not once per use
       SELECT article_search_vector(a.language, a.title, a.description, a.body) AS document
       OFFSET 0) AS pending
 WHERE a.search_vector IS NULL;

-- Ranked search with snippets: the best `max_results` articles for a web-style query,
-- optionally of one source and published in [published_from, published_to).
CREATE FUNCTION search_articles(
    query text,
    max_results integer DEFAULT 20,
    source text DEFAULT NULL,
    published_from timestamptz DEFAULT NULL,
    published_to timestamptz DEFAULT NULL
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
             ORDER BY rank DESC, s.published_at DESC NULLS LAST, s.url_hash
             LIMIT max_results) AS hit
     ORDER BY hit.rank DESC, hit.published_at DESC NULLS LAST, hit.url_hash
$$;

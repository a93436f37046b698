-- What the cleaner last made of each article URL of a source: the stored content and rule
-- set it read, and its verdict (the article it extracted, or the reason it refused the
-- page). A run whose page still has the same content, URL, content type, rules version and
-- extractor version reuses the verdict instead of extracting again (issue 17: a rerun of
-- an unchanged day costs about what its crawl costs). One row per URL: the table grows
-- with the source's URLs, not with its reruns.
CREATE TABLE clean_verdicts (
    source_id         text        NOT NULL,
    url_hash          text        NOT NULL,  -- raw_pages.url_hash of the fetched URL
    content_hash      text        NOT NULL,  -- raw_pages.content_hash of the copy cleaned
    page_url          text        NOT NULL,  -- the URL extraction was given
    content_type      text,
    rules_version     text        NOT NULL,
    extractor_version text        NOT NULL,
    reason            text,                  -- NULL: an article was extracted
    detail            text,
    article           jsonb,                 -- the article as extracted, before date checks
    cleaned_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, url_hash),
    CHECK ((reason IS NULL) = (article IS NOT NULL))
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
                WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE clean_verdicts ALTER COLUMN article SET COMPRESSION lz4;
    END IF;
END
$$;

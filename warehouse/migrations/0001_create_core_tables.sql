-- Core tables: runs, every fetch, clean articles, rejects, and the load staging area.

CREATE TABLE pipeline_runs (
    run_id        text        NOT NULL,
    source_id     text        NOT NULL,
    stage         text        NOT NULL CHECK (stage IN ('crawl', 'clean', 'gate', 'load')),
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    status        text        NOT NULL CHECK (status IN ('running', 'success', 'failed', 'skipped')),
    trigger       text        NOT NULL DEFAULT 'cli',
    attempts      integer     NOT NULL DEFAULT 1,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    counts        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    error         text,
    PRIMARY KEY (run_id, source_id, stage),
    CHECK (window_end > window_start)
);
CREATE INDEX pipeline_runs_source_window_idx ON pipeline_runs (source_id, window_start);

CREATE TABLE raw_pages (
    raw_page_id    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id         text        NOT NULL,
    source_id      text        NOT NULL,
    url            text        NOT NULL,
    url_hash       text        NOT NULL,
    kind           text        NOT NULL,
    outcome        text        NOT NULL,
    http_status    integer,
    fetched_at     timestamptz NOT NULL DEFAULT now(),
    final_url      text,
    content_type   text,
    etag           text,
    last_modified  text,
    body           bytea,
    body_bytes     integer,
    content_hash   text,
    listed_at      timestamptz,
    discovered_via text,
    error          text,
    elapsed_ms     integer
);
CREATE INDEX raw_pages_source_listed_idx ON raw_pages (source_id, listed_at);
CREATE INDEX raw_pages_url_hash_idx ON raw_pages (url_hash, fetched_at DESC);
CREATE INDEX raw_pages_run_idx ON raw_pages (run_id, source_id);

CREATE TABLE articles (
    url_hash             text        PRIMARY KEY,
    source_id            text        NOT NULL,
    url                  text        NOT NULL,
    canonical_url        text        NOT NULL,
    title                text        NOT NULL,
    description          text,
    authors              text[]      NOT NULL DEFAULT '{}',
    published_at         timestamptz,
    modified_at          timestamptz,
    date_source          text,
    language             text,
    section              text,
    tags                 text[]      NOT NULL DEFAULT '{}',
    site_name            text,
    image_url            text,
    body                 text        NOT NULL,
    word_count           integer     NOT NULL,
    reading_time_minutes integer,
    is_paywalled         boolean     NOT NULL DEFAULT false,
    extractor_version    text        NOT NULL,
    content_hash         text        NOT NULL,
    first_seen_at        timestamptz NOT NULL DEFAULT now(),
    last_changed_at      timestamptz NOT NULL DEFAULT now(),
    raw_page_id          bigint      REFERENCES raw_pages (raw_page_id),
    run_id               text        NOT NULL
);
CREATE INDEX articles_published_idx ON articles (published_at);
CREATE INDEX articles_source_published_idx ON articles (source_id, published_at);

CREATE TABLE rejected_pages (
    raw_page_id       bigint      PRIMARY KEY REFERENCES raw_pages (raw_page_id),
    run_id            text        NOT NULL,
    source_id         text        NOT NULL,
    url               text        NOT NULL,
    reason            text        NOT NULL,
    detail            text,
    extractor_version text        NOT NULL,
    rejected_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rejected_pages_source_idx ON rejected_pages (source_id, rejected_at);

-- Clean output waiting for the load task (a different Airflow worker may run it).
CREATE TABLE staged_articles (
    run_id               text    NOT NULL,
    source_id            text    NOT NULL,
    url_hash             text    NOT NULL,
    url                  text    NOT NULL,
    canonical_url        text    NOT NULL,
    title                text    NOT NULL,
    description          text,
    authors              text[]  NOT NULL,
    published_at         timestamptz,
    modified_at          timestamptz,
    date_source          text,
    language             text,
    section              text,
    tags                 text[]  NOT NULL,
    site_name            text,
    image_url            text,
    body                 text    NOT NULL,
    word_count           integer NOT NULL,
    reading_time_minutes integer,
    is_paywalled         boolean NOT NULL,
    extractor_version    text    NOT NULL,
    content_hash         text    NOT NULL,
    raw_page_id          bigint,
    PRIMARY KEY (run_id, source_id, url_hash)
);

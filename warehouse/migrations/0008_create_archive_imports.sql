-- Web archives (WARC files, Common Crawl's CC-NEWS) as a second way pages reach raw_pages.
--
-- Provenance is a side table keyed by the WARC record, not columns on raw_pages: most raw
-- pages are live fetches (the columns would be NULL for them), the crawl's writer and
-- raw_pages stay untouched, and the key that makes an import idempotent is the record's
-- WARC-Record-ID (globally unique by ISO 28500), whichever copy of the file it came from.
-- Several records may point at one raw page: a record whose page is already stored with
-- the same content (a live fetch, or the same capture in another file) adds no raw page.
CREATE TABLE raw_page_archives (
    record_id     text        PRIMARY KEY,
    raw_page_id   bigint      NOT NULL REFERENCES raw_pages (raw_page_id),
    archive       text        NOT NULL CHECK (archive IN ('warc', 'ccnews')),
    warc_file     text        NOT NULL,
    record_offset bigint      NOT NULL,
    record_length bigint      NOT NULL,
    captured_at   timestamptz NOT NULL,
    run_id        text        NOT NULL,
    imported_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX raw_page_archives_raw_page_idx ON raw_page_archives (raw_page_id);
CREATE INDEX raw_page_archives_file_idx ON raw_page_archives (warc_file);

-- One row per WARC file an import read, per scope: the progress of a resumable CC-NEWS
-- backfill (scope = the backfill's range, sources and lag), or the record of an
-- `autonews import-warc` run (scope = its run id).
CREATE TABLE archive_files (
    scope       text        NOT NULL,
    warc_file   text        NOT NULL,
    run_id      text        NOT NULL,
    status      text        NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    bytes_read  bigint      NOT NULL DEFAULT 0,
    counts      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    error       text,
    attempts    integer     NOT NULL DEFAULT 1,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (scope, warc_file)
);

-- Earlier contents of articles: a row per replaced version, written by the merge.

CREATE TABLE article_versions (
    url_hash          text        NOT NULL REFERENCES articles (url_hash) ON DELETE CASCADE,
    version           integer     NOT NULL,
    title             text        NOT NULL,
    description       text,
    authors           text[]      NOT NULL,
    published_at      timestamptz,
    modified_at       timestamptz,
    body              text        NOT NULL,
    word_count        integer     NOT NULL,
    content_hash      text        NOT NULL,
    extractor_version text        NOT NULL,
    raw_page_id       bigint,
    run_id            text        NOT NULL,
    valid_from        timestamptz NOT NULL,
    valid_to          timestamptz NOT NULL,
    PRIMARY KEY (url_hash, version)
);

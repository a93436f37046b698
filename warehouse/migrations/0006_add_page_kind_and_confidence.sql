-- What the cleaner made of each page (issue 10): what kind of page it looked like, how sure
-- it is that the body is one whole article and why not, who is credited when no person is,
-- and the version of the rule layers that cleaned it (a reclean targets the sources whose
-- rules changed). Rows loaded before this migration are articles cleaned at full confidence
-- by the rules of their extractor version.

ALTER TABLE articles
    ADD COLUMN page_kind text NOT NULL DEFAULT 'article'
        CHECK (page_kind IN ('article', 'liveblog', 'gallery', 'video', 'listing', 'unknown')),
    ADD COLUMN extraction_confidence real NOT NULL DEFAULT 1
        CHECK (extraction_confidence >= 0 AND extraction_confidence <= 1),
    ADD COLUMN confidence_reasons text[] NOT NULL DEFAULT '{}',
    ADD COLUMN credit text,
    ADD COLUMN rules_version text;

ALTER TABLE staged_articles
    ADD COLUMN page_kind text NOT NULL DEFAULT 'article',
    ADD COLUMN extraction_confidence real NOT NULL DEFAULT 1,
    ADD COLUMN confidence_reasons text[] NOT NULL DEFAULT '{}',
    ADD COLUMN credit text,
    ADD COLUMN rules_version text;

-- Analysts filter on these: "only what the cleaner is sure of", "the live blogs".
CREATE INDEX articles_page_kind_idx ON articles (page_kind) WHERE page_kind <> 'article';
CREATE INDEX articles_low_confidence_idx ON articles (extraction_confidence)
    WHERE extraction_confidence < 0.5;

-- Compress article bodies and raw HTML with lz4 where the server supports it (PostgreSQL 14+
-- built --with-lz4): about twice as fast as the default pglz when COPY stages a batch
-- (bench/README.md). Only new values use it; servers without lz4 keep pglz.

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
                WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE staged_articles ALTER COLUMN body SET COMPRESSION lz4;
        ALTER TABLE articles ALTER COLUMN body SET COMPRESSION lz4;
        ALTER TABLE article_versions ALTER COLUMN body SET COMPRESSION lz4;
        ALTER TABLE raw_pages ALTER COLUMN body SET COMPRESSION lz4;
    END IF;
END
$$;

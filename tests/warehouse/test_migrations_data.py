"""The search and view migrations on warehouses that already hold data, and lz4 bodies on a
server that supports them."""

from __future__ import annotations

import uuid
from datetime import date

import psycopg
import pytest
from psycopg import sql

from tests.helpers import with_db
from warehouse.schema import migrate
from warehouse.search import index_pending, search_articles


def test_articles_loaded_before_search_existed_are_found_then_indexed(empty_dsn):
    with psycopg.connect(empty_dsn) as conn:
        migrate(conn, target=2)
        conn.execute(
            """INSERT INTO articles (url_hash, source_id, url, canonical_url, title, body,
                                     word_count, extractor_version, content_hash, run_id,
                                     language, published_at)
               VALUES ('h1', 'old_source', 'https://o.example/1', 'https://o.example/1',
                       'Gearbox plant retooled', 'The gearbox plant now builds motors.', 6,
                       '0.9', 'c1', 'r0', 'en', '2026-11-01 10:00+00')""")
        conn.execute(
            """INSERT INTO pipeline_runs (run_id, source_id, stage, window_start, window_end,
                                          status, counts)
               VALUES ('r0', 'old_source', 'load', '2026-11-01', '2026-11-02', 'success',
                       '{"inserted": 1}')""")
        conn.commit()
        migrate(conn)
        before = search_articles(conn, "gearbox motors")
        indexed = index_pending(conn)
        after = search_articles(conn, "gearbox motors")
        health = conn.execute("SELECT source_id, last_success_day, articles_14d "
                              "FROM source_health_at('2026-11-02')").fetchall()
    assert [h.url_hash for h in before] == ["h1"] and before == after
    assert indexed == 1
    assert health == [("old_source", date(2026, 11, 1), 1)]


def test_bodies_are_lz4_compressed_where_the_server_supports_it(local_pg):
    name = f"autonews_lz4_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(local_pg, autocommit=True) as admin:
        supported = admin.execute(
            "SELECT 'lz4' = ANY (enumvals) FROM pg_settings "
            "WHERE name = 'default_toast_compression'").fetchone()
        if not supported or not supported[0]:
            pytest.skip("this PostgreSQL is built without lz4")
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with psycopg.connect(with_db(local_pg, name)) as conn:
            migrate(conn)
            methods = dict(conn.execute(
                "SELECT attrelid::regclass::text, attcompression FROM pg_attribute "
                "WHERE attname = 'body' AND attrelid IN ('articles'::regclass, "
                "'staged_articles'::regclass, 'article_versions'::regclass, "
                "'raw_pages'::regclass)").fetchall())
    finally:
        with psycopg.connect(local_pg, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                          .format(sql.Identifier(name)))
    assert methods == {"articles": "l", "staged_articles": "l", "article_versions": "l",
                       "raw_pages": "l"}

"""Full-text search: language-aware, ranked, with snippets, never missing an article whose
search vector the load has not computed yet."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import psycopg
import pytest

from autonews.demo import catalog
from tests.demo_warehouse import LOADED_DAYS
from transforms import Article
from warehouse import loader, staging
from warehouse.search import index_pending, search_articles


def _path_of(title: str) -> str:
    return next(a.path for a in catalog.articles() if a.title == title)


@pytest.mark.parametrize(("query", "expected"), [
    ("tyre plant jobs", "/motorwire/industry/midlands-tyre-plant-to-close-with-620-jobs-lost/"),
    ("recalls connector", "/gearbox/news/vireo-recalls-ev-over-high-voltage-connector"),
    ('"fast-charging site"',
     "/autoledger/technology/waypoint-charge-opens-100th-fast-charging-site"),
    ("steering wire", "/gearbox/news/steer-by-wire-reaches-european-production-cars"),
    ("crossover", "/autoledger/reviews/novaro-e7-electric-crossover-review"),
])
def test_the_right_article_ranks_first_with_a_snippet(loaded_dsn, query, expected):
    with psycopg.connect(loaded_dsn) as conn:
        hits = search_articles(conn, query, limit=5)
    assert hits, query
    assert _path_of(hits[0].title) == expected
    assert hits[0].canonical_url.endswith(expected)
    assert "«" in hits[0].snippet and "»" in hits[0].snippet
    assert "\n" not in hits[0].snippet
    assert [h.rank for h in hits] == sorted((h.rank for h in hits), reverse=True)


def test_web_search_syntax_excludes_words_and_filters_apply(loaded_dsn):
    with psycopg.connect(loaded_dsn) as conn:
        crossovers = {h.source_id for h in search_articles(conn, "electric crossovers")}
        without = search_articles(conn, "electric crossovers -review")
        only = search_articles(conn, "electric crossovers", source_id="motorwire")
        last_day = search_articles(
            conn, "electric", published_from=datetime(2026, 11, 13, tzinfo=UTC),
            published_to=datetime(2026, 11, 14, tzinfo=UTC))
        nothing = search_articles(conn, "zeppelin")
    assert {"autoledger", "motorwire"} <= crossovers
    assert all("Review" not in h.title for h in without)
    assert only and {h.source_id for h in only} == {"motorwire"}
    assert last_day and all(h.published_at.date() == LOADED_DAYS[-1] for h in last_day)
    assert nothing == []


def test_search_uses_the_gin_index(loaded_dsn):
    with psycopg.connect(loaded_dsn) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT url_hash FROM searchable_articles "
            "WHERE document @@ any_language_query('tyre')").fetchall())
    assert "articles_search_idx" in plan


def test_articles_without_a_vector_yet_are_found_and_ranked_the_same(loaded_copy):
    with psycopg.connect(loaded_copy) as conn:
        before = search_articles(conn, "electric cars", limit=20)
        conn.execute("UPDATE articles SET search_vector = NULL")
        conn.commit()
        pending = search_articles(conn, "electric cars", limit=20)
        computed = index_pending(conn, batch_size=5)
        left = conn.execute("SELECT count(*) FROM articles WHERE search_vector IS NULL"
                            ).fetchone()
        after = search_articles(conn, "electric cars", limit=20)
    assert before and pending == before == after
    assert computed == sum(len(catalog.published_on(d)) for d in LOADED_DAYS)
    assert left == (0,)


def _stored_article(conn: psycopg.Connection, path: str) -> tuple[Article, int]:
    columns = [f.name for f in dataclasses.fields(Article)]
    row = conn.execute(f"SELECT {', '.join(columns)}, raw_page_id FROM articles "  # noqa: S608
                       "WHERE canonical_url LIKE %s", (f"%{path}",)).fetchone()
    return Article(**dict(zip(columns, row[:-1], strict=True))), row[-1]


def test_a_changed_article_is_found_by_its_new_words_before_and_after_indexing(loaded_copy):
    path = "/gearbox/news/vireo-recalls-ev-over-high-voltage-connector"
    with psycopg.connect(loaded_copy) as conn:
        article, raw_id = _stored_article(conn, path)
        changed = dataclasses.replace(article, body="A zeppelin now carries the recalled cars.")
        staging.stage_articles(conn, "r-change", "gearbox",
                              [staging.staged_row("r-change", "gearbox", changed, raw_id)])
        counts = loader.merge_staged(conn, "r-change", "gearbox", index_search=False)
        vector = conn.execute("SELECT search_vector FROM articles WHERE canonical_url LIKE %s",
                              (f"%{path}",)).fetchone()
        new_words_pending = search_articles(conn, "zeppelin")
        old_words_pending = search_articles(conn, "high-voltage connector fault inspection")
        assert index_pending(conn) == 1
        new_words = search_articles(conn, "zeppelin")
    assert counts.updated == 1 and vector == (None,)
    assert [h.title for h in new_words_pending] == [article.title] == [h.title for h in new_words]
    assert old_words_pending == []


def test_each_language_is_searched_with_its_own_stemming(dsn):
    german = Article(
        url="https://de.example/rueckruf", canonical_url="https://de.example/rueckruf",
        title="Hersteller ruft Fahrzeuge zurück", language="de", word_count=8,
        body="Die betroffenen Fahrzeuge müssen wegen fehlerhafter Bremsen in die Werkstatt.")
    english = dataclasses.replace(german, url="https://en.example/recall",
                                  canonical_url="https://en.example/recall", language="en",
                                  title="Maker recalls vehicles",
                                  body="The vehicles need new brakes.")
    with psycopg.connect(dsn) as conn:
        rows = [staging.staged_row("r1", "src", a, None) for a in (german, english)]
        staging.stage_articles(conn, "r1", "src", rows)
        loader.merge_staged(conn, "r1", "src")
        configs = conn.execute(
            "SELECT search_config('de'), search_config('en-GB'), search_config('pt_BR'), "
            "search_config('xx'), search_config(NULL)").fetchone()
        fahrzeug = search_articles(conn, "Fahrzeug Bremse")
        vehicle = search_articles(conn, "vehicle recall")
    assert configs == ("german", "english", "portuguese", "simple", "simple")
    assert [h.title for h in fahrzeug] == [german.title]
    assert [h.title for h in vehicle] == [english.title]


def test_an_empty_query_is_refused(loaded_dsn):
    with psycopg.connect(loaded_dsn) as conn, pytest.raises(ValueError, match="empty"):
        search_articles(conn, "   ")

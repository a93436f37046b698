"""The enrich stage on a real warehouse: what it writes for the demo catalogue, that a rerun
changes nothing, that a changed article or knowledge base is redone, and its run row."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from psycopg import sql

from autonews.core import Window
from autonews.demo import catalog
from autonews.jobs import enrich_window
from tests.demo_warehouse import demo_article, load_articles, load_demo
from transforms import url_hash

FIRST, LAST = catalog.days()[0], catalog.days()[-1]
ALL = Window.days(FIRST, LAST)


def _snapshot(dsn: str) -> dict[str, list[tuple]]:
    with psycopg.connect(dsn) as conn:
        return {table: conn.execute(sql.SQL("SELECT * FROM {} ORDER BY 1, 2").format(
                    sql.Identifier(table))).fetchall()
                for table in ("article_entities", "article_topics", "stories")} | {
            "enrichments": conn.execute(
                "SELECT url_hash, enrichment_version, content_hash, story_id, enriched_at "
                "FROM article_enrichments ORDER BY 1").fetchall()}


def _story_of(dsn: str, slug: str, source: str) -> str:
    item = next(a for a in catalog.by_source(source) if a.slug == slug)
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT story_id FROM article_enrichments WHERE url_hash = %s",
                           (url_hash(demo_article(item).canonical_url),)).fetchone()
    assert row is not None, f"{source}/{slug} was not enriched"
    return row[0]


@pytest.fixture
def enriched(dsn, enricher):
    load_demo(dsn)
    counts = enrich_window(dsn, ALL, "test-enrich", enricher=enricher)
    return dsn, counts


def test_every_demo_article_is_enriched_and_the_run_is_recorded(enriched):
    dsn, counts = enriched
    assert counts.articles == counts.enriched == len(catalog.articles())
    assert counts.skipped == 0
    with psycopg.connect(dsn) as conn:
        run = conn.execute("SELECT source_id, status, counts ->> 'enriched' FROM pipeline_runs "
                           "WHERE run_id = 'test-enrich' AND stage = 'enrich'").fetchone()
        kinds = dict(conn.execute("SELECT kind, count(*) FROM entities GROUP BY kind").fetchall())
        topics = conn.execute("SELECT count(*) FROM topics").fetchone()[0]
    assert run == ("*", "success", str(len(catalog.articles())))
    assert kinds["model"] >= 300 and kinds["group"] >= 40 and topics >= 10


def test_the_seed_story_links_its_entities_and_topics(enriched):
    dsn, _ = enriched
    item = next(a for a in catalog.by_source("motorwire") if a.slug.startswith("stellantis-"))
    with psycopg.connect(dsn) as conn:
        key = url_hash(demo_article(item).canonical_url)
        links = {r[0]: r[1:] for r in conn.execute(
            "SELECT entity_id, mentions, direct_mentions, in_title FROM article_entities "
            "WHERE url_hash = %s", (key,))}
        topics = {r[0] for r in conn.execute(
            "SELECT topic_id FROM article_topics WHERE url_hash = %s", (key,))}
    assert {"stellantis", "leapmotor", "chrysler", "dodge", "carlos_tavares"} <= set(links)
    assert links["stellantis"][2] is True  # named in the title
    # Chrysler and Dodge count for Stellantis too (roll-up), beyond its own mentions
    assert links["stellantis"][0] >= links["stellantis"][1] + 2
    assert {"ev_batteries", "trade_tariffs"} <= topics


def test_the_syndicated_story_and_the_same_event_pair_each_make_one_story(enriched):
    dsn, _ = enriched
    slug = "byd-starts-series-production-at-hungarian-plant"
    wire = {_story_of(dsn, slug, source) for source in catalog.SOURCES}
    assert len(wire) == 1
    pair = {_story_of(dsn, "mercedes-recalls-eqb-suvs-over-battery-fire-risk", "autoledger"),
            _story_of(dsn, "eqb-battery-modules-to-be-replaced-in-global-recall", "gearbox")}
    assert len(pair) == 1 and pair != wire
    with psycopg.connect(dsn) as conn:
        story = conn.execute("SELECT articles, sources FROM stories WHERE story_id = %s",
                             (wire.pop(),)).fetchone()
        lone = conn.execute("SELECT count(*) FROM stories WHERE articles = 1").fetchone()[0]
    assert story == (3, sorted(catalog.SOURCES))
    assert lone == len(catalog.articles()) - 5  # everything else stands alone


def test_a_rerun_changes_nothing(enriched, enricher):
    dsn, _ = enriched
    before = _snapshot(dsn)
    again = enrich_window(dsn, ALL, "test-enrich-again", enricher=enricher)
    assert again.enriched == 0 and again.skipped == len(catalog.articles())
    assert again.story_changes == 0 and again.stories_rebuilt == 0
    assert not again.catalogue_updated
    assert _snapshot(dsn) == before


def test_a_changed_article_is_enriched_again_and_force_redoes_everything(enriched, enricher):
    dsn, _ = enriched
    item = next(a for a in catalog.by_source("gearbox") if a.slug.startswith("eqb-"))
    article = dataclasses.replace(demo_article(item), body=demo_article(item).body
                      + "\n\nKia said its EV6 was not affected.")
    load_articles(dsn, [("gearbox", article)], "fixture-change")
    again = enrich_window(dsn, ALL, "test-enrich-change", enricher=enricher)
    assert again.enriched == 1
    with psycopg.connect(dsn) as conn:
        ids = {r[0] for r in conn.execute(
            "SELECT entity_id FROM article_entities WHERE url_hash = %s",
            (url_hash(article.canonical_url),))}
    assert {"kia", "kia_ev6", "hyundai_motor_group"} <= ids
    forced = enrich_window(dsn, ALL, "test-enrich-force", force=True, enricher=enricher)
    assert forced.enriched == len(catalog.articles()) and forced.story_changes == 0


def test_only_the_window_and_the_sources_asked_for_are_enriched(dsn, enricher):
    load_demo(dsn)
    day = catalog.days()[3]
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    counts = enrich_window(dsn, Window(start, start + timedelta(days=1)), "test-one-day",
                           source_ids=["gearbox"], enricher=enricher)
    expected = len(catalog.published_on(day, "gearbox"))
    assert counts.articles == counts.enriched == expected
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT count(*) FROM article_enrichments").fetchone()[0]
        scope = conn.execute("SELECT source_id FROM pipeline_runs WHERE run_id = "
                             "'test-one-day'").fetchone()[0]
    assert rows == expected and scope == "gearbox"


def test_a_failure_is_recorded_with_its_error(dsn, enricher, monkeypatch):
    load_demo(dsn)
    import warehouse.enrichment as store

    def broken(*args, **kwargs):
        raise psycopg.errors.DiskFull("no space left on device")

    monkeypatch.setattr(store, "write_enrichments", broken)
    with pytest.raises(psycopg.errors.DiskFull):
        enrich_window(dsn, ALL, "test-broken", enricher=enricher)
    with psycopg.connect(dsn) as conn:
        status, error = conn.execute("SELECT status, error FROM pipeline_runs WHERE run_id = "
                                     "'test-broken'").fetchone()
        written = conn.execute("SELECT count(*) FROM article_enrichments").fetchone()[0]
    assert status == "failed" and "no space left" in error and written == 0


def test_concurrent_runs_over_the_same_days_wait_for_each_other(dsn, enricher):
    from concurrent.futures import ThreadPoolExecutor

    load_demo(dsn)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda n: enrich_window(dsn, ALL, f"test-parallel-{n}",
                                                        enricher=enricher), range(2)))
    assert sorted(r.enriched for r in results) == [0, len(catalog.articles())]
    with psycopg.connect(dsn) as conn:
        statuses = conn.execute("SELECT DISTINCT status FROM pipeline_runs WHERE stage = "
                                "'enrich'").fetchall()
        relations = conn.execute("SELECT count(*), count(DISTINCT (entity_id, related_id, "
                                 "relation, valid_from)) FROM entity_relations").fetchone()
    assert statuses == [("success",)] and relations[0] == relations[1]


def test_a_long_window_is_read_a_batch_at_a_time_with_the_same_result(dsn, other_dsn,
                                                                      enricher, monkeypatch):
    """Bodies are read per batch, never the whole window at once (a year's backfill would
    hold every body), and batching changes nothing in what is written."""
    from autonews.jobs import enrich as stage
    from warehouse import enrichment as store

    load_demo(dsn)
    load_demo(other_dsn)
    whole = enrich_window(dsn, ALL, "test-enrich", enricher=enricher)
    asked: list[int] = []
    read = store.articles_to_enrich

    def counted(conn, url_hashes):
        asked.append(len(url_hashes))
        return read(conn, url_hashes)

    monkeypatch.setattr(stage, "BATCH", 4)
    monkeypatch.setattr(store, "articles_to_enrich", counted)
    batched = enrich_window(other_dsn, ALL, "test-enrich", enricher=enricher)
    assert max(asked) == 4 and sum(asked) == len(catalog.articles())
    assert dataclasses.replace(batched) == whole

    def comparable(snapshot: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
        # enriched_at and updated_at are clock readings (their tables' last column)
        return {**snapshot, "enrichments": [row[:-1] for row in snapshot["enrichments"]],
                "stories": [row[:-1] for row in snapshot["stories"]]}

    assert comparable(_snapshot(other_dsn)) == comparable(_snapshot(dsn))

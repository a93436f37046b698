"""The `enrich` stage: entities, topics and stories for the articles of a window.

Runs after the load (the CLI's `autonews enrich`, and `autonews run` / the DAGs once wired).
Idempotent: an article whose stored enrichment has the current version (knowledge base +
taxonomy + rules) and content is skipped unless `force`; stories are regrouped over the
window and STORY_CONTEXT around it, and only changed assignments are written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import psycopg

from autonews.core.results import EnrichResult
from autonews.core.vocabulary import Stage, Trigger
from autonews.core.window import Window
from autonews.jobs.stage import recorded_stage
from enrichment import ArticleText, Enricher, Enrichment
from enrichment.stories import WINDOW as STORY_CONTEXT
from warehouse import enrichment as store
from warehouse import story_grouping

log = logging.getLogger(__name__)

ALL_SOURCES = "*"  # pipeline_runs.source_id of an enrich run over every source
BATCH = 1000  # articles read (with their bodies), enriched and written at a time


@lru_cache(maxsize=1)
def default_enricher() -> Enricher:
    """The enricher of config/kb and config/topics.toml, loaded once per process."""
    return Enricher()


def enrich_window(dsn: str, window: Window, run_id: str, *,
                  source_ids: Sequence[str] | None = None, force: bool = False,
                  trigger: str = Trigger.CLI, enricher: Enricher | None = None) -> EnrichResult:
    """Enrich the articles published in `window` (of `source_ids`, default all) and regroup
    the stories around it; one `pipeline_runs` row (stage `enrich`, source `*` or the ids
    joined by commas)."""
    enricher = enricher or default_enricher()
    scope = ",".join(sorted(source_ids)) if source_ids else ALL_SOURCES
    with recorded_stage(dsn, run_id, scope, Stage.ENRICH, window, trigger,
                        EnrichResult(version=enricher.version)) as (conn, recorded), \
            store.enrich_lock(conn):
        _enrich(conn, enricher, window, run_id, source_ids, force, recorded.result)
    return recorded.result


def _enrich(conn: psycopg.Connection[Any], enricher: Enricher, window: Window,
            run_id: str, source_ids: Sequence[str] | None, force: bool,
            counts: EnrichResult) -> None:
    counts.catalogue_updated = sync_catalogue(conn, enricher)
    pending, current = store.pending_articles(conn, window.start, window.end, enricher.version,
                                              source_ids=source_ids, force=force)
    counts.articles, counts.skipped = len(pending) + current, current
    for offset in range(0, len(pending), BATCH):
        batch = store.articles_to_enrich(conn, pending[offset:offset + BATCH])
        rows = [_row(a, enricher.enrich(_text(a))) for a in batch]
        written = store.write_enrichments(conn, rows, enricher.version, run_id)
        counts.enriched += written["articles"]
        counts.entity_links += written["entity_links"]
        counts.topic_links += written["topic_links"]
    stories = regroup_stories(conn, window)
    counts.stories = stories["stories"]
    counts.story_changes = stories["story_changes"]
    counts.stories_rebuilt = stories["stories_rebuilt"]
    log.info("enrich %s: %s", window, counts)


def sync_catalogue(conn: psycopg.Connection[Any], enricher: Enricher) -> bool:
    """Store the knowledge base's entities and the taxonomy's topics when they changed."""
    kb, taxonomy = enricher.kb, enricher.taxonomy
    entities = [(e.id, e.kind, e.name, e.country, list(e.aliases), dict(e.attributes))
                for e in kb.entities.values()]
    relations = [(e.id, link.parent_id, link.relation, link.start, link.end, link.title)
                 for e in kb.entities.values() for link in e.links]
    topics = [(t.id, t.name, t.description) for t in taxonomy.topics.values()]
    return store.sync_catalog(conn, kb.version, entities, relations, taxonomy.version, topics)


def regroup_stories(conn: psycopg.Connection[Any], window: Window) -> dict[str, int]:
    """Group the enriched articles of the window and STORY_CONTEXT on each side into
    stories; write the stories of every group that has an article in the window."""
    conn.commit()  # the grouping runs in a transaction of its own (its temporary table and
    # settings end with it), not as a savepoint of what this stage read before
    grouped = story_grouping.group_scope(conn, window.start - STORY_CONTEXT,
                                         window.end + STORY_CONTEXT)
    chosen = grouped.touching(window.start, window.end)
    written = store.assign_stories(conn, chosen)
    return {"stories": len(set(chosen.values())), **written}


def _text(article: store.PendingArticle) -> ArticleText:
    return ArticleText(article.url_hash, article.source_id, article.title, article.description,
                       article.body, article.language, article.published_at)


def _row(article: store.PendingArticle, result: Enrichment) -> store.EnrichedRow:
    return store.EnrichedRow(
        article.url_hash, article.content_hash, result.fingerprint.signature,
        result.fingerprint.terms,
        [(e.entity_id, e.mentions, e.direct_mentions, e.in_title, e.first_position)
         for e in result.entities],
        [(t.topic_id, t.score) for t in result.topics])

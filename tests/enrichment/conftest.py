"""Fixtures of the enrichment tests: the enricher (loaded once) and a warehouse holding the
demo catalogue's articles, loaded through the real loader without crawling."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import psycopg
import pytest

from autonews.demo import catalog
from enrichment import Enricher
from transforms import Article
from warehouse import loader

DEMO_HOST = "http://demo.test"


@pytest.fixture(scope="session")
def enricher() -> Enricher:
    return Enricher()


def demo_article(item: catalog.DemoArticle) -> Article:
    url = f"{DEMO_HOST}{item.path}"
    return Article(url=url, canonical_url=url, title=item.title, body=item.body_text,
                   description=item.description, authors=list(item.authors),
                   published_at=item.published_utc, language="en", section=item.section,
                   tags=list(item.tags), site_name=catalog.SITE_NAMES[item.source],
                   word_count=item.word_count)


def load_articles(dsn: str, items: Iterable[tuple[str, Article]], run_id: str = "fixture") -> None:
    """Load (source id, article) pairs with the pipeline's own stage + merge."""
    by_source: dict[str, list[Article]] = {}
    for source, article in items:
        by_source.setdefault(source, []).append(article)
    with psycopg.connect(dsn) as conn:
        for source, articles in by_source.items():
            rows = [loader.staged_row(run_id, source, a, None) for a in articles]
            loader.stage_articles(conn, run_id, source, rows)
            loader.merge_staged(conn, run_id, source, index_search=False)


def load_demo(dsn: str) -> None:
    load_articles(dsn, ((a.source, demo_article(a)) for a in catalog.articles()))


def changed(article: Article, **values: object) -> Article:
    return dataclasses.replace(article, **values)


# The warehouse tests' loaded demo warehouse (days 2026-11-11..13, enriched) for the CLI tests.
from tests.warehouse.conftest import loaded_copy, loaded_dsn, loaded_template  # noqa: E402, F401

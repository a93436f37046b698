"""The clean stage: the latest stored copy of every page the window's crawls touched,
extracted into articles (staged for the load) or rejects (kept with their reason)."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime
from typing import Any

from autonews.core.results import CleanResult
from autonews.core.source import Source
from autonews.core.vocabulary import Stage, Trigger
from autonews.core.window import Window
from autonews.jobs.stage import recorded_stage
from autonews.sources import extraction_rules
from transforms import EXTRACTOR_VERSION, Article, PageRejected, extract_article, url_hash
from warehouse import staging
from warehouse.raw_pages import pages_to_clean
from warehouse.rejects import Reject, record_rejects


def clean_source(dsn: str, source: Source, window: Window, run_id: str, *,
                 trigger: str = Trigger.CLI) -> CleanResult:
    """Extract an `Article` from the latest stored copy of every page the window's crawls
    touched; stage the articles for loading and record rejects with their reason."""
    rules = extraction_rules(source)
    with recorded_stage(dsn, run_id, source.id, Stage.CLEAN, window, trigger,
                        CleanResult()) as (conn, recorded):
        tally = recorded.result
        staged: dict[str, tuple[Any, ...]] = {}
        cleaned: list[int] = []  # pages that gave an article (no longer rejects)
        texts: set[str] = set()
        rejects: list[Reject] = []
        for page in pages_to_clean(conn, source.id, window, run_id):
            tally.pages += 1
            try:
                article = extract_article(page.body, page.final_url or page.url, rules,
                                          content_type=page.content_type)
            except PageRejected as rejected:
                tally.reject(rejected.reason.value)
                rejects.append(Reject(page.raw_page_id, run_id, source.id, page.url,
                                      rejected.reason.value, rejected.detail))
                continue
            article = _date_checked(article, window, page.listed_at, page.discovered_via,
                                    tally)
            key = url_hash(article.canonical_url)
            text_key = hashlib.sha256(f"{article.title}\n{article.body}".encode()).hexdigest()
            if key in staged:
                tally.duplicates += 1  # another URL of the same canonical article
                continue
            if text_key in texts:
                tally.duplicate_content += 1  # the same story under another URL
                continue
            texts.add(text_key)
            staged[key] = staging.staged_row(run_id, source.id, article, page.raw_page_id)
            tally.kept(article.page_kind, article.extraction_confidence)
            cleaned.append(page.raw_page_id)
        tally.articles = staging.stage_articles(conn, run_id, source.id, staged.values())
        record_rejects(conn, rejects, cleaned, EXTRACTOR_VERSION)
    return recorded.result


def _date_checked(article: Article, window: Window, listed_at: datetime | None,
                  via: str | None, tally: CleanResult) -> Article:
    """Count (never hide) a page whose own date disagrees with discovery; give an undated
    page the date discovery found, saying so in `date_source`."""
    if article.published_at is None:
        tally.undated_pages += 1
        if listed_at is not None:
            return dataclasses.replace(article, published_at=listed_at,
                                       date_source=f"discovery:{via or 'unknown'}")
        return article
    if not window.contains(article.published_at):
        tally.date_mismatch += 1
    return article

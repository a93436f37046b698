"""The clean stage: the latest stored copy of every page the window's crawls touched,
extracted into articles (staged for the load) or rejects (kept with their reason).

Three things keep a big day fast and small (issue 17):
- pages are read, extracted and staged in batches of `BATCH_PAGES`: memory does not grow
  with the day (only the list of page ids and hashes does, a few hundred bytes a page);
- a page whose stored content, URL and rule set are those of its last clean reuses that
  clean's verdict (`clean_verdicts`) instead of being extracted again; `force` (reclean)
  extracts every page;
- extraction runs in a pool of worker processes (`AUTONEWS_CLEAN_WORKERS`), in page order,
  each page within `AUTONEWS_CLEAN_PAGE_TIMEOUT` seconds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import datetime
from typing import Any

import psycopg

from autonews.core.results import CleanResult
from autonews.core.settings import Settings
from autonews.core.source import Source
from autonews.core.vocabulary import RejectReason, Stage, Trigger
from autonews.core.window import Window
from autonews.jobs.extract_pool import Extracted, ExtractPool, PageJob
from autonews.jobs.stage import recorded_stage
from autonews.sources import extraction_rules, rules_version
from transforms import EXTRACTOR_VERSION, Article, url_hash
from warehouse import staging
from warehouse.clean_verdicts import Verdict, VerdictKey, reusable_verdicts, save_verdicts
from warehouse.raw_pages import PageToClean, page_bodies, pages_to_clean
from warehouse.rejects import Reject, record_rejects

log = logging.getLogger(__name__)

BATCH_PAGES = 200  # pages read, extracted and staged at once (about 20 MB of HTML at most)
# Rejects not worth remembering: the next run tries the page again (a loaded machine may
# have made it slow; a fixed library may no longer crash on it).
_TRANSIENT = frozenset({RejectReason.TIMEOUT.value, RejectReason.CRASHED.value})


@dataclasses.dataclass
class _Day:
    """What the clean has seen so far: keys to find duplicates, rejects and cleaned pages
    (no article bodies: staged rows go to the warehouse batch by batch)."""

    tally: CleanResult
    staged_keys: set[str] = dataclasses.field(default_factory=set)
    texts: set[str] = dataclasses.field(default_factory=set)
    cleaned: list[int] = dataclasses.field(default_factory=list)
    rejects: list[Reject] = dataclasses.field(default_factory=list)
    extracted: int = 0  # pages extracted this run (the others reused their verdict)


def clean_source(dsn: str, source: Source, window: Window, run_id: str, *,
                 trigger: str = Trigger.CLI, force: bool = False,
                 workers: int | None = None, page_timeout: float | None = None,
                 settings: Settings | None = None) -> CleanResult:
    """Extract an `Article` from the latest stored copy of every page the window's crawls
    touched; stage the articles for loading and record rejects with their reason.

    `force` extracts every page even if its content and rules are those of its last clean
    (a reclean). `workers` and `page_timeout` default to `Settings.clean_workers` and
    `Settings.clean_page_timeout`."""
    if workers is None or page_timeout is None:
        settings = settings or Settings.from_env()
        workers = settings.clean_workers if workers is None else workers
        page_timeout = settings.clean_page_timeout if page_timeout is None else page_timeout
    rules = extraction_rules(source)
    version = rules_version(source)
    with recorded_stage(dsn, run_id, source.id, Stage.CLEAN, window, trigger,
                        CleanResult()) as (conn, recorded), \
            ExtractPool(rules, workers, page_timeout) as pool:
        day = _Day(recorded.result)
        pages = pages_to_clean(conn, source.id, window, run_id)
        with conn.transaction():
            staging.discard_staged(conn, run_id, source.id)
            # Batch k+1 is read while the workers extract batch k; batch k's articles are
            # counted and staged while they extract batch k+1.
            waiting: tuple[_Batch, Future[list[Extracted]]] | None = None
            for start in range(0, len(pages), BATCH_PAGES):
                batch = _prepare(conn, pages[start:start + BATCH_PAGES], source.id, version,
                                 force=force)
                running = batch, pool.map_async(batch.jobs)
                if waiting is not None:
                    _finish(conn, *waiting, run_id, source.id, window, day)
                waiting = running
            if waiting is not None:
                _finish(conn, *waiting, run_id, source.id, window, day)
            day.tally.articles = len(day.staged_keys)
        record_rejects(conn, day.rejects, day.cleaned, EXTRACTOR_VERSION)
        log.info("clean %s: %d pages, %d extracted, %d reused", source.id, day.tally.pages,
                 day.extracted, day.tally.pages - day.extracted)
    return recorded.result


@dataclasses.dataclass
class _Batch:
    """One batch of pages: what each depends on, the verdicts it reuses, the pages it
    sends to extraction (with their HTML, until extracted)."""

    pages: Sequence[PageToClean]
    keys: dict[int, VerdictKey | None]
    known: dict[str, Verdict]
    todo: list[PageToClean]
    jobs: list[PageJob]


def _prepare(conn: psycopg.Connection[Any], pages: Sequence[PageToClean], source_id: str,
             version: str, *, force: bool) -> _Batch:
    """Look up the reusable verdicts of a batch; read the HTML of the other pages."""
    keys = {p.raw_page_id: _key(p, source_id, version) for p in pages}
    known = {} if force else reusable_verdicts(
        conn, [k for k in keys.values() if k is not None])
    todo = [p for p in pages if (k := keys[p.raw_page_id]) is None or k.url_hash not in known]
    bodies = page_bodies(conn, [p.raw_page_id for p in todo])
    todo = [p for p in todo if p.raw_page_id in bodies]  # cleared by retention meanwhile
    jobs = [PageJob(bodies[p.raw_page_id], p.final_url or p.url, p.content_type) for p in todo]
    return _Batch(pages, keys, known, todo, jobs)


def _finish(conn: psycopg.Connection[Any], batch: _Batch,
            extraction: Future[list[Extracted]], run_id: str, source_id: str, window: Window,
            day: _Day) -> None:
    """Count a batch's verdicts in page order, keep the new ones, stage its articles."""
    results = extraction.result()
    batch.jobs.clear()  # its HTML is no longer needed
    day.extracted += len(batch.todo)
    fresh = {p.raw_page_id: Verdict(r.article, r.reason, r.detail)
             for p, r in zip(batch.todo, results, strict=True)}
    save_verdicts(conn, [(key, verdict) for rid, verdict in fresh.items()
                         if (key := batch.keys[rid]) is not None
                         and verdict.reason not in _TRANSIENT])
    rows: list[tuple[Any, ...]] = []
    for page in batch.pages:
        key = batch.keys[page.raw_page_id]
        verdict = fresh.get(page.raw_page_id) or (batch.known.get(key.url_hash) if key
                                                  else None)
        if verdict is None:
            continue  # its body went between the list and the batch: not a page any more
        row = _outcome(page, verdict, run_id, source_id, window, day)
        if row is not None:
            rows.append(row)
    staging.copy_staged(conn, rows)


def _key(page: PageToClean, source_id: str, version: str) -> VerdictKey | None:
    """What the page's verdict depends on; None for a copy stored without a content hash
    (it is always extracted)."""
    if page.content_hash is None:
        return None
    return VerdictKey(source_id, page.url_hash, page.content_hash,
                      page.final_url or page.url, page.content_type, version,
                      EXTRACTOR_VERSION)


def _outcome(page: PageToClean, verdict: Verdict | Extracted, run_id: str, source_id: str,
             window: Window, day: _Day) -> tuple[Any, ...] | None:
    """Count one page's verdict; its staged row if it is a new article."""
    tally = day.tally
    tally.pages += 1
    if verdict.article is None:
        reason = verdict.reason or RejectReason.UNPARSABLE.value
        tally.reject(reason)
        day.rejects.append(Reject(page.raw_page_id, run_id, source_id, page.url, reason,
                                  verdict.detail))
        return None
    article = _date_checked(verdict.article, window, page.listed_at, page.discovered_via,
                            tally)
    key = url_hash(article.canonical_url)
    text_key = hashlib.sha256(f"{article.title}\n{article.body}".encode()).hexdigest()
    if key in day.staged_keys:
        tally.duplicates += 1  # another URL of the same canonical article
        return None
    if text_key in day.texts:
        tally.duplicate_content += 1  # the same story under another URL
        return None
    day.texts.add(text_key)
    day.staged_keys.add(key)
    tally.kept(article.page_kind, article.extraction_confidence)
    day.cleaned.append(page.raw_page_id)
    return staging.staged_row(run_id, source_id, article, page.raw_page_id)


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

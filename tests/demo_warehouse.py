"""A warehouse filled with demo days without crawling: the demo site's pages are written to
`raw_pages` as a crawl would store them (rendered by the site's own routes, no HTTP), then
the pipeline's real clean, gate and load stages run on them in process."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime

import psycopg
from psycopg import sql

from autonews.core import CrawlResult, Outcome, Source, Stage, Status, Window
from autonews.demo import catalog, templates
from autonews.demo.faults import FaultSet
from autonews.demo.site import DemoRoutes
from autonews.jobs import clean_source, enrich_window, gate_source, load_source, skip_stage
from autonews.sources import DEMO_SOURCES, load_sources
from transforms import Article, url_hash
from warehouse import loader, runs, staging
from warehouse.connection import connect
from warehouse.raw_pages import RawPageStore

# The analyst tests' warehouse (the `loaded_*` fixtures): three loaded days, a failed
# run the day before, one article corrected after its load.
LOADED_DAYS = (date(2026, 11, 11), date(2026, 11, 12), date(2026, 11, 13))
FAILED_DAY = date(2026, 11, 10)  # gearbox is down that run: a failed run in pipeline_runs
CHANGED_PATH = "/motorwire/industry/midlands-tyre-plant-to-close-with-620-jobs-lost/"
DEMO_BASE = "http://127.0.0.1:8765"  # the URLs the stored pages claim (no server needed)
CORRECTION = " Correction: an earlier version of this story misstated the number of jobs."

# What the crawl records for each kind of broken demo page (catalog.BrokenPage.kind).
_FAILED_OUTCOME = {"not_found": Outcome.HTTP_4XX, "server_error": Outcome.HTTP_5XX,
                   "not_html": Outcome.NOT_HTML, "robots": Outcome.ROBOTS}


def _page_html(routes: DemoRoutes, base: str, kind: str | None, path: str) -> str:
    if kind == "slow":  # rendered as served, without the site's deliberate delay
        return templates.slow_page(base)
    reply = routes.reply(base, path, {}, {})
    assert reply.status == 200, (path, reply.status)
    return reply.body.decode("utf-8")


def store_demo_pages(dsn: str, source: Source, day: date, run_id: str, base: str) -> CrawlResult:
    """The demo pages `source` lists for `day` (its articles and broken pages) stored as
    one crawl's `raw_pages` rows; the counts a crawl would report."""
    routes = DemoRoutes(FaultSet())
    fetched_at = datetime.now(UTC)
    result = CrawlResult(finish_reason="finished")
    pages: list[tuple[str, datetime, str | None]] = [
        (a.path, a.published_utc, None) for a in catalog.published_on(day, source.id)]
    pages += [(p.path, p.listed_at, p.kind) for p in catalog.broken_pages()
              if p.source == source.id and p.listed_at.date() == day]
    store = RawPageStore(dsn, batch_size=50)
    try:
        for path, listed_at, kind in pages:
            url = base + path
            row = {"run_id": run_id, "source_id": source.id, "url": url,
                   "url_hash": url_hash(url), "kind": "article", "fetched_at": fetched_at,
                   "listed_at": listed_at, "discovered_via": "sitemap"}
            outcome = _FAILED_OUTCOME.get(kind or "", Outcome.FETCHED)
            if outcome is Outcome.FETCHED:
                body = _page_html(routes, base, kind, path).encode()
                row |= {"http_status": 200, "final_url": url, "body": body,
                        "body_bytes": len(body), "content_type": "text/html; charset=utf-8",
                        "content_hash": hashlib.sha256(body).hexdigest()}
            else:
                row |= {"error": f"demo page of kind {kind}"}
            store.add(row | {"outcome": outcome})
            result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
    finally:
        store.close()
    result.listed = result.in_window = len(pages)
    result.fetched = result.outcomes.get(Outcome.FETCHED, 0)
    result.robots_disallowed = result.outcomes.get(Outcome.ROBOTS, 0)
    result.failed = len(pages) - result.fetched - result.robots_disallowed
    return result


def load_demo_day(dsn: str, source: Source, day: date, run_id: str, base: str) -> None:
    """One source's demo day through crawl (as stored pages), clean, gate and load."""
    window = Window.for_day(day)
    with connect(dsn) as conn:
        runs.start_stage(conn, run_id, source.id, Stage.CRAWL, window, "fixture")
        crawl = store_demo_pages(dsn, source, day, run_id, base)
        runs.finish_stage(conn, run_id, source.id, Stage.CRAWL, Status.SUCCESS,
                          crawl.to_counts())
    clean_source(dsn, source, window, run_id, trigger="fixture")
    gate_source(dsn, source.id, window, run_id, trigger="fixture")
    load_source(dsn, source.id, window, run_id, trigger="fixture")


def record_failed_crawl(dsn: str, source: Source, day: date, run_id: str, error: str) -> None:
    """A run of `source` whose crawl failed (the site was down): the later stages skipped."""
    window = Window.for_day(day)
    with connect(dsn) as conn:
        runs.start_stage(conn, run_id, source.id, Stage.CRAWL, window, "fixture")
        runs.finish_stage(conn, run_id, source.id, Stage.CRAWL, Status.FAILED,
                          CrawlResult().to_counts(), error)
    for stage in (Stage.CLEAN, Stage.GATE, Stage.LOAD):
        skip_stage(dsn, source.id, window, run_id, stage, "crawl failed", "fixture")


def correct_one_article(dsn: str) -> None:
    """Load a corrected version of CHANGED_PATH through the loader: an `article_versions`
    row."""
    columns = [f.name for f in dataclasses.fields(Article)]
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            sql.SQL("SELECT {}, raw_page_id FROM articles WHERE canonical_url LIKE %s").format(
                sql.SQL(", ").join(map(sql.Identifier, columns))),
            (f"%{CHANGED_PATH}",)).fetchone()
        assert row is not None, "the demo article to change is not loaded"
        article = Article(**dict(zip(columns, row[:-1], strict=True)))
        changed = dataclasses.replace(article, body=article.body + CORRECTION)
        staged = [staging.staged_row("fixture-correction", "motorwire", changed, row[-1])]
        staging.stage_articles(conn, "fixture-correction", "motorwire", staged)
        counts = loader.merge_staged(conn, "fixture-correction", "motorwire")
    assert counts.updated == 1


def build_analyst_warehouse(dsn: str) -> None:
    """The analysts' warehouse: LOADED_DAYS for every demo source, a failed run on
    FAILED_DAY, one corrected article, everything enriched."""
    sources = {s.id: s for s in load_sources(DEMO_SOURCES, {"demo_url": DEMO_BASE})}
    for day in LOADED_DAYS:
        for source in sources.values():
            load_demo_day(dsn, source, day, f"fixture-{day}", DEMO_BASE)
    record_failed_crawl(dsn, sources["gearbox"], FAILED_DAY, "fixture-down",
                        "gearbox: no sitemap, feed or listing page could be fetched "
                        "(connection_error=2); is the site down?")
    correct_one_article(dsn)
    enrich_window(dsn, Window.days(LOADED_DAYS[0], LOADED_DAYS[-1]), "fixture-enrich")


# The demo catalogue's articles as the cleaner would give them, loaded without pages.
DEMO_HOST = "http://demo.test"


def demo_article(item: catalog.DemoArticle) -> Article:
    url = f"{DEMO_HOST}{item.path}"
    return Article(url=url, canonical_url=url, title=item.title, body=item.body_text,
                   description=item.description, authors=list(item.authors),
                   published_at=item.published_utc, language="en", section=item.section,
                   tags=list(item.tags), site_name=catalog.SITE_NAMES[item.source],
                   word_count=item.word_count)


def load_articles(dsn: str, items: Iterable[tuple[str, Article]], run_id: str = "fixture"
                  ) -> None:
    """Load (source id, article) pairs with the pipeline's own stage + merge."""
    by_source: dict[str, list[Article]] = {}
    for source, article in items:
        by_source.setdefault(source, []).append(article)
    with psycopg.connect(dsn) as conn:
        for source, articles in by_source.items():
            rows = [staging.staged_row(run_id, source, a, None) for a in articles]
            staging.stage_articles(conn, run_id, source, rows)
            loader.merge_staged(conn, run_id, source, index_search=False)


def load_demo(dsn: str) -> None:
    """Every article of the demo catalogue, loaded without pages."""
    load_articles(dsn, ((a.source, demo_article(a)) for a in catalog.articles()))

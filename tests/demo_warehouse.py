"""A warehouse filled with demo days without crawling: the demo site's pages are written to
`raw_pages` as a crawl would store them (rendered by the site's own routes, no HTTP), then
the pipeline's real clean, gate and load stages run on them in process."""

from __future__ import annotations

from datetime import UTC, date, datetime

from autonews.core import CrawlResult, Outcome, Source, Stage, Status, Window
from autonews.demo import catalog, templates
from autonews.demo.faults import FaultSet
from autonews.demo.site import DemoRoutes
from autonews.jobs import clean_source, gate_source, load_source, skip_stage
from transforms import url_hash
from warehouse import runs
from warehouse.connection import connect
from warehouse.raw_pages import RawPageStore

# The analyst tests' warehouse (tests/warehouse/conftest.py): three loaded days, a failed
# run the day before, one article corrected after its load.
LOADED_DAYS = (date(2026, 11, 11), date(2026, 11, 12), date(2026, 11, 13))
FAILED_DAY = date(2026, 11, 10)  # gearbox is down that run: a failed run in pipeline_runs
CHANGED_PATH = "/motorwire/industry/midlands-tyre-plant-to-close-with-620-jobs-lost/"
DEMO_BASE = "http://127.0.0.1:8765"  # the URLs the stored pages claim (no server needed)

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
                        "body_bytes": len(body), "content_type": "text/html; charset=utf-8"}
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

"""Extraction in worker processes (issue 17): the same results as one process, in page
order; a page that hangs or kills its worker is rejected with its reason, the others are
cleaned."""

from __future__ import annotations

import dataclasses
from typing import Any

import psycopg
import pytest

from autonews.core import Window
from autonews.demo import catalog, templates
from autonews.demo.faults import FaultSet
from autonews.demo.site import DemoRoutes
from autonews.jobs.clean import clean_source
from autonews.jobs.extract_pool import ExtractPool, PageJob, extract_one
from autonews.sources import DEMO_SOURCES, extraction_rules, load_sources
from tests.demo_warehouse import DEMO_BASE, store_demo_pages
from tests.pathological import CRASH, HANG
from transforms import ExtractionRules

DAY = catalog.latest_day()
HOOK = "tests.pathological:Pathological"
RULES = dataclasses.replace(ExtractionRules(), hook=HOOK)


def _demo_jobs() -> list[PageJob]:
    routes = DemoRoutes(FaultSet())
    jobs = []
    for item in catalog.published_on(DAY):
        reply = routes.reply(DEMO_BASE, item.path, {}, {})
        jobs.append(PageJob(reply.body, DEMO_BASE + item.path, "text/html"))
    gallery = next(p for p in catalog.broken_pages() if p.kind == "gallery")
    reply = routes.reply(DEMO_BASE, gallery.path, {}, {})
    jobs.append(PageJob(reply.body, DEMO_BASE + gallery.path, "text/html"))
    return jobs


def _page(marker: str) -> PageJob:
    body = templates.slow_page(DEMO_BASE).replace("</body>", f"<p>{marker}</p></body>")
    return PageJob(body.encode(), f"{DEMO_BASE}/{marker}", "text/html")


def test_two_workers_give_what_one_process_gives_in_page_order() -> None:
    jobs = _demo_jobs()
    alone = [extract_one(job, RULES) for job in jobs]
    assert any(r.reason for r in alone) and any(r.article for r in alone)
    with ExtractPool(RULES, 2, page_timeout=60) as pool:
        assert pool.map(jobs) == alone
        assert pool.map(list(reversed(jobs))) == list(reversed(alone))
        assert len({w.process.pid for w in pool.workers}) == 2


def test_a_page_that_hangs_is_rejected_as_timeout_and_the_others_are_cleaned() -> None:
    jobs = _demo_jobs()[:4]
    alone = [extract_one(job, RULES) for job in jobs]
    with ExtractPool(RULES, 2, page_timeout=1.5) as pool:
        got = pool.map([jobs[0], _page(HANG), *jobs[1:]])
        assert pool.replaced == 1
        again = pool.map(jobs)  # the replacement worker cleans as the others do
    assert got[1].article is None and got[1].reason == "timeout"
    assert "1.5 s" in got[1].detail
    assert [got[0], *got[2:]] == alone
    assert again == alone


def test_a_page_that_kills_its_worker_is_rejected_as_crashed() -> None:
    jobs = _demo_jobs()[:3]
    alone = [extract_one(job, RULES) for job in jobs]
    with ExtractPool(RULES, 1, page_timeout=60) as pool:
        got = pool.map([_page(CRASH), *jobs])
    assert got[0].reason == "crashed" and got[0].article is None
    assert got[1:] == alone


def test_the_clean_stage_records_a_hanging_page_and_tries_it_again_next_run(
        dsn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (source,) = load_sources(DEMO_SOURCES, {"demo_url": DEMO_BASE}, only="autoledger")
    source = dataclasses.replace(source, extraction={**source.extraction, "hook": HOOK})
    assert extraction_rules(source).hook == HOOK
    store_demo_pages(dsn, source, DAY, "crawl", DEMO_BASE)
    slow = next(p for p in catalog.broken_pages() if p.kind == "slow")
    with psycopg.connect(dsn) as conn:  # the demo's slow page now also hangs the cleaner
        conn.execute("UPDATE raw_pages SET body = convert_to(convert_from(body, 'UTF8') "
                     "|| %s, 'UTF8'), content_hash = 'hangs' WHERE url = %s",
                     (f"<p>{HANG}</p>", DEMO_BASE + slow.path))
    window = Window.for_day(DAY)
    first = clean_source(dsn, source, window, "first", workers=2, page_timeout=1.5)
    assert first.rejected_by_reason.get("timeout") == 1
    assert first.articles == len(catalog.published_on(DAY, "autoledger"))
    with psycopg.connect(dsn) as conn:
        rows: list[Any] = conn.execute("SELECT url, reason, detail FROM rejected_pages "
                                       "WHERE reason = 'timeout'").fetchall()
    assert rows == [(DEMO_BASE + slow.path, "timeout", "extraction took more than 1.5 s")]
    sent: list[str] = []
    real = ExtractPool.map
    monkeypatch.setattr(ExtractPool, "map",
                        lambda pool, jobs: sent.extend(j.url for j in jobs) or real(pool, jobs))
    second = clean_source(dsn, source, window, "second", workers=2, page_timeout=1.5)
    assert second == first
    assert sent == [DEMO_BASE + slow.path]  # tried again (a loaded machine may be the cause)


@pytest.mark.parametrize("workers", [0, -1])
def test_a_pool_needs_a_worker(workers: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ExtractPool(RULES, workers, 60)


def _map_in_daemon(conn: Any) -> None:
    with ExtractPool(RULES, 2, page_timeout=60) as pool:
        conn.send((pool.inline, pool.map(_demo_jobs()[:3]), len(pool.workers)))


def test_a_daemonic_process_which_may_not_fork_extracts_in_itself() -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    daemon = ctx.Process(target=_map_in_daemon, args=(child,), daemon=True)
    daemon.start()
    inline, results, workers = parent.recv()
    daemon.join(30)
    assert inline and workers == 0
    assert results == [extract_one(job, RULES) for job in _demo_jobs()[:3]]

"""Clean only what changed (issue 17): a page whose stored content and rules are those of its
last clean reuses that clean's verdict, with the same counts, staged rows and rejects as
extracting it again; new content, new rules or a reclean extract it."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from autonews.core import CleanResult, Source, Window
from autonews.demo import catalog
from autonews.jobs import clean as clean_module
from autonews.jobs.clean import clean_source
from autonews.sources import DEMO_SOURCES, load_sources, rules_version
from tests.demo_warehouse import DEMO_BASE, store_demo_pages
from transforms import url_hash
from warehouse.raw_pages import RawPageStore
from warehouse.staging import STAGED_COLUMNS

DAY = catalog.latest_day()  # its pages include a gallery and a video (rejected)
WINDOW = Window.for_day(DAY)
SOURCES = {s.id: s for s in load_sources(DEMO_SOURCES, {"demo_url": DEMO_BASE})}


@pytest.fixture
def stored(dsn: str) -> str:
    """A warehouse holding the demo day's pages of every source, as a crawl stores them."""
    for source in SOURCES.values():
        store_demo_pages(dsn, source, DAY, "crawl", DEMO_BASE)
    return dsn


@pytest.fixture
def extracted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs the clean stage sends to extraction (its pool), as it sends them."""
    seen: list[str] = []
    real = clean_module.ExtractPool.map

    def counting(self: Any, jobs: Any) -> Any:
        seen.extend(job.url for job in jobs)
        return real(self, jobs)

    monkeypatch.setattr(clean_module.ExtractPool, "map", counting)
    return seen


def _clean_all(dsn: str, run_id: str, sources: dict[str, Source] | None = None, **kw: Any
               ) -> dict[str, CleanResult]:
    return {sid: clean_source(dsn, src, WINDOW, run_id, workers=1, **kw)
            for sid, src in (sources or SOURCES).items()}


def _staged(dsn: str, run_id: str) -> list[tuple[Any, ...]]:
    columns = ", ".join(c for c in STAGED_COLUMNS if c != "run_id")
    with psycopg.connect(dsn) as conn:
        return conn.execute(f"SELECT {columns} FROM staged_articles "  # noqa: S608
                            "WHERE run_id = %s ORDER BY source_id, url_hash",
                            (run_id,)).fetchall()


def _clean_counts(dsn: str, run_id: str) -> dict[str, Any]:
    with psycopg.connect(dsn) as conn:
        return dict(conn.execute("SELECT source_id, counts FROM pipeline_runs "
                                 "WHERE run_id = %s AND stage = 'clean' AND status = 'success'",
                                 (run_id,)).fetchall())


def _rejects(dsn: str, run_id: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT raw_page_id, source_id, url, reason, detail "
                            "FROM rejected_pages WHERE run_id = %s ORDER BY raw_page_id",
                            (run_id,)).fetchall()


def test_a_rerun_of_an_unchanged_day_extracts_nothing_yet_reports_and_stages_the_same(
        stored: str, extracted: list[str]) -> None:
    first = _clean_all(stored, "first")
    pages = sum(r.pages for r in first.values())
    assert len(extracted) == pages > 0
    assert sum(r.rejected for r in first.values()) >= 2  # the gallery and the video
    assert sum(r.articles for r in first.values()) > 0
    first_rejects = _rejects(stored, "first")

    extracted.clear()
    second = _clean_all(stored, "second")
    assert extracted == []
    assert second == first
    assert _clean_counts(stored, "second") == _clean_counts(stored, "first")
    assert _staged(stored, "second") == _staged(stored, "first")
    assert [r[1:] for r in _rejects(stored, "second")] == [r[1:] for r in first_rejects]

    # a reclean extracts every page again, and finds the same
    forced = _clean_all(stored, "forced", force=True)
    assert len(extracted) == pages
    assert forced == first
    assert _staged(stored, "forced") == _staged(stored, "first")


def test_new_rules_extract_every_page_again(stored: str, extracted: list[str]) -> None:
    first = _clean_all(stored, "first")
    changed = {sid: dataclasses.replace(src, extraction={
        **src.extraction, "remove_selectors": [*src.extraction.get("remove_selectors", ()),
                                               ".no-such-block"]})
        for sid, src in SOURCES.items()}
    assert all(rules_version(changed[s]) != rules_version(SOURCES[s]) for s in SOURCES)
    extracted.clear()
    second = _clean_all(stored, "second", changed)
    assert len(extracted) == sum(r.pages for r in first.values())
    assert second == first
    with psycopg.connect(stored) as conn:
        versions = dict(conn.execute("SELECT DISTINCT source_id, rules_version "
                                     "FROM staged_articles WHERE run_id = 'second'"
                                     ).fetchall())
    assert versions == {s: rules_version(changed[s]) for s in versions}
    extracted.clear()
    _clean_all(stored, "third", changed)  # the new rules' verdicts are reused in turn
    assert extracted == []


def test_a_page_with_new_content_is_extracted_and_only_it(stored: str,
                                                          extracted: list[str]) -> None:
    source = SOURCES["motorwire"]
    clean_source(stored, source, WINDOW, "first", workers=1)
    item = catalog.published_on(DAY, "motorwire")[0]
    url = DEMO_BASE + item.path
    with psycopg.connect(stored) as conn:
        (body,) = conn.execute("SELECT body FROM raw_pages WHERE url = %s AND body IS NOT NULL",
                               (url,)).fetchone() or (None,)
    new_body = bytes(body).replace(item.title.encode(), b"Corrected: " + item.title.encode())
    assert new_body != bytes(body)
    store = RawPageStore(stored)
    store.add({"run_id": "refetch", "source_id": source.id, "url": url,
               "url_hash": url_hash(url), "kind": "article", "outcome": "fetched",
               "http_status": 200, "fetched_at": datetime.now(UTC), "final_url": url,
               "body": new_body, "body_bytes": len(new_body),
               "content_type": "text/html; charset=utf-8",
               "content_hash": hashlib.sha256(new_body).hexdigest(),
               "listed_at": item.published_utc, "discovered_via": "sitemap"})
    store.close()
    extracted.clear()
    clean_source(stored, source, WINDOW, "second", workers=1)
    assert extracted == [url]
    with psycopg.connect(stored) as conn:
        titles = [t for (t,) in conn.execute(
            "SELECT title FROM staged_articles WHERE run_id = 'second'").fetchall()]
    assert "Corrected: " + item.title in titles
    assert item.title not in titles

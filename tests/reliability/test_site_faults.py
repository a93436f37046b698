"""Site faults on the demo site's fault lab and switchable faults: each ends in a recorded
outcome, the rest of the crawl is unharmed, and the counts say what happened."""

from __future__ import annotations

import dataclasses
from collections import Counter
from urllib.parse import urlsplit

import psycopg
import pytest

from autonews.core import StageFailed, Window
from autonews.demo import catalog
from autonews.demo.faults import LAB_PAGES, lab_expected_outcomes
from autonews.jobs import clean_source, crawl_source, load_source, run_source
from autonews.sources import DEMO_SOURCES, load_sources

pytestmark = pytest.mark.e2e
DAY = Window.for_day(catalog.latest_day())


@pytest.fixture
def faultlab(demo):
    return load_sources(DEMO_SOURCES, {"demo_url": demo.url}, only="faultlab")[0]


def _outcomes(dsn, run_id):
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT url, kind, outcome, error FROM raw_pages WHERE run_id = %s",
                            (run_id,)).fetchall()
    return rows


def test_every_fault_lab_page_ends_in_its_recorded_outcome(dsn, faultlab):
    counts = crawl_source(dsn, faultlab, DAY, "lab")
    rows = _outcomes(dsn, "lab")
    got = {urlsplit(u).path: o for u, kind, o, _ in rows if kind == "article"}
    assert got == lab_expected_outcomes()
    failures = [r for r in rows if r[1] == "article" and r[2] != "fetched"]
    assert all(error for *_, error in failures), "every failure keeps its reason"
    # the endless calendar stopped at the configured depth
    calendar = [u for u, kind, _, _ in rows if kind == "archive"]
    assert len(calendar) == faultlab.archive_pages
    # the counts say what happened
    fetched = sum(1 for p in LAB_PAGES if p.expected_outcome == "fetched")
    assert counts.fetched == fetched
    assert counts.failed == len(LAB_PAGES) - fetched
    assert counts.retries >= 4  # 2 x 503 burst + 429 + retried timeouts/5xx
    expected = Counter(p.expected_outcome for p in LAB_PAGES)
    assert counts.outcomes["too_large"] == expected["too_large"] > 0
    assert counts.outcomes["timeout"] == expected["timeout"] > 0


def test_fault_lab_articles_load_once_with_the_right_text(dsn, faultlab):
    crawl_source(dsn, faultlab, DAY, "lab2")
    cleaned = clean_source(dsn, faultlab, DAY, "lab2")
    loaded = load_source(dsn, "faultlab", DAY, "lab2", gated=False)  # the crawl is tested here
    assert cleaned.duplicate_content == 2  # one story under three URLs
    with psycopg.connect(dsn) as conn:
        titles = [t for (t,) in conn.execute("SELECT title FROM articles ORDER BY title")]
    assert loaded.inserted == len(titles) == cleaned.articles
    assert "Citroën’s Café Racer Returns" in titles  # cp1252 declared only in <meta>
    assert "Škoda and Citroën Plan a Joint Café Tour" in titles  # header lies: utf-8
    assert titles.count("The Story Published Three Times") == 1


@pytest.mark.parametrize("fault", ["flaky", "throttle", "slow"])
def test_transient_faults_on_a_source_lose_nothing(dsn, demo, demo_sources, fault):
    demo.faults.set([f"{fault}:motorwire"])
    result = run_source(dsn, demo_sources["motorwire"], DAY, f"transient-{fault}")
    assert result.ok, result.error
    expected = len(catalog.published_on(catalog.latest_day(), "motorwire"))
    assert result.load.inserted == expected
    if fault != "slow":
        assert result.crawl.retries >= expected


def test_a_site_that_is_down_fails_its_crawl_loudly_and_harms_no_other(dsn, demo, demo_sources):
    demo.faults.set(["down:gearbox"])
    with pytest.raises(StageFailed, match="is the site down"):
        crawl_source(dsn, demo_sources["gearbox"], DAY, "down")
    results = {sid: run_source(dsn, s, DAY, "down-run") for sid, s in demo_sources.items()}
    assert not results["gearbox"].ok and "crawl" in results["gearbox"].error
    assert results["motorwire"].ok and results["autoledger"].ok
    with psycopg.connect(dsn) as conn:
        stages = dict(conn.execute(
            "SELECT stage, status FROM pipeline_runs WHERE run_id = 'down-run' "
            "AND source_id = 'gearbox'").fetchall())
        errors = conn.execute("SELECT error FROM pipeline_runs WHERE run_id = 'down-run' "
                              "AND source_id = 'gearbox' AND stage = 'crawl'").fetchone()
    assert stages == {"crawl": "failed", "clean": "skipped", "gate": "skipped",
                      "load": "skipped"}
    assert "connection_error" in errors[0]


def test_a_real_source_never_reaches_private_addresses(dsn, demo_sources):
    # the same demo site, without the demo's explicit permission: every URL is refused
    source = dataclasses.replace(demo_sources["motorwire"], allow_private_network=False)
    with pytest.raises(StageFailed, match="private_address"):
        crawl_source(dsn, source, DAY, "private")
    outcomes = {o for _, _, o, _ in _outcomes(dsn, "private")}
    assert outcomes == {"private_address"}

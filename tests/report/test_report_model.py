"""What the report says about a day, read from warehouses the pipeline (demo) and the
loader (synthetic) filled: failures first with their reason, counts, history, anomalies."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import psycopg
import pytest

from autonews.core import BadInput, Window
from autonews.demo import catalog
from autonews.evaluation.synthetic import GAP, SOURCES
from autonews.jobs import reclean_source
from autonews.report_page.model import build_report
from autonews.sources import DEMO_SOURCES, load_sources
from tests.demo_warehouse import DEMO_BASE
from tests.report.conftest import DEMO_DAYS, DOWN

DAY = DEMO_DAYS[-1]


def _report(dsn: str, day=DAY, **kwargs):
    with psycopg.connect(dsn) as conn:
        return build_report(conn, day, **kwargs)


def test_the_failing_source_comes_first_with_its_reason_and_failed_urls(demo_report_dsn):
    report = _report(demo_report_dsn)
    first = report.sources[0]
    assert first.source_id == DOWN and first.state == "failed"
    assert first.failed_stage == "crawl"
    assert first.explanation.headline == "The site refused every connection: is it down?"
    assert "connection_error" in first.error
    assert first.gate_passed is None and first.gate_reason.startswith("not judged")
    discovery = [g for g in first.failures if g.what == "discovery"]
    assert discovery and {g.outcome for g in discovery} == {"connection_error"}
    assert discovery[0].urls == sum(g.urls for g in discovery) >= len(discovery[0].examples) > 0
    assert all(urlsplit(e.url).path.startswith(f"/{DOWN}") for e in discovery[0].examples)
    assert [s.state for s in report.sources[1:]] == ["ok", "ok"]
    assert report.problems == [first]


def test_the_counts_are_the_pipelines_and_the_articles_are_the_days(demo_report_dsn):
    report = _report(demo_report_dsn)
    expected = {s: len(catalog.published_on(DAY, s)) for s in catalog.SOURCES if s != DOWN}
    for status in report.sources[1:]:
        assert status.counts["inserted"] == expected[status.source_id]
        assert status.loaded == expected[status.source_id]
        assert status.gate_passed is True and "passed" in status.gate_reason
        assert status.counts["discovered"] >= status.counts["fetched"] > 0
    motorwire = next(s for s in report.sources if s.source_id == "motorwire")
    assert motorwire.counts["failed"] >= 1 and motorwire.counts["rejected"] == 1
    assert {g.outcome for g in motorwire.failures} >= {"http_4xx"}
    assert [g.outcome for g in motorwire.rejects] == ["gallery"]
    titles = {a.title for a in report.articles}
    assert titles == {a.title for a in catalog.published_on(DAY) if a.source != DOWN}
    assert report.articles_total == sum(expected.values()) == sum(n for _, n in report.sections)
    assert dict(report.languages) == {"en": report.articles_total}


def test_the_history_counts_each_days_articles_and_marks_the_report_day(demo_report_dsn):
    report = _report(demo_report_dsn, days=5)
    by_source = {h.source_id: h for h in report.histories}
    assert set(by_source) == set(catalog.SOURCES)
    for source, history in by_source.items():
        assert [p.day for p in history.points] == [DAY - timedelta(days=n)
                                                   for n in range(4, -1, -1)]
        assert [p.is_report_day for p in history.points] == [False] * 4 + [True]
        for point in history.points:
            loaded = point.day in DEMO_DAYS and not (point.day == DAY and source == DOWN)
            assert point.articles == (len(catalog.published_on(point.day, source))
                                      if loaded else 0)
            assert point.run_status == ("failed" if (point.day, source) == (DAY, DOWN)
                                        else "success" if point.day in DEMO_DAYS else None)
        # the demo publishes about one article a day: never enough for the gate to worry
        assert not any(p.anomaly for p in history.points)


def test_a_run_can_be_chosen_and_an_unknown_run_is_bad_input(demo_report_dsn):
    earlier = _report(demo_report_dsn, DEMO_DAYS[0], run_id=f"report-{DEMO_DAYS[0]}")
    assert [s.state for s in earlier.sources] == ["ok"] * 3
    assert earlier.run_ids == [f"report-{DEMO_DAYS[0]}"]
    with pytest.raises(BadInput, match="run 'nope' recorded no crawl"):
        _report(demo_report_dsn, run_id="nope")


def test_a_reclean_of_the_day_is_not_taken_for_its_run(demo_report_dsn):
    motorwire_source = load_sources(DEMO_SOURCES, {"demo_url": DEMO_BASE}, only="motorwire")[0]
    reclean_source(demo_report_dsn, motorwire_source, Window.for_day(DAY), "reclean-after")
    report = _report(demo_report_dsn)
    motorwire = next(s for s in report.sources if s.source_id == "motorwire")
    assert motorwire.run_id == f"report-{DAY}" and motorwire.counts["fetched"] > 0
    history = next(h for h in report.histories if h.source_id == "motorwire")
    assert history.points[-1].run_status == "success"


def test_a_13_source_day_shows_every_problem_first_and_flags_the_gates_anomalies(synthetic):
    dsn, facts = synthetic
    report = _report(dsn, facts.day)
    assert len(report.sources) == len(SOURCES) == 13
    head = [(s.source_id, s.state) for s in report.sources[:3]]
    assert head == [(facts.broken, "failed"), (facts.down, "failed"),
                    (facts.absent, "missing")]
    assert all(s.state == "ok" for s in report.sources[3:])
    broken = report.sources[0]
    assert broken.failed_stage == "gate" and broken.gate_passed is False
    assert "template has probably changed" in broken.explanation.headline
    assert report.sources[2].explanation.headline == ("No run was recorded for this source "
                                                      "on this day.")
    assert report.articles_total == facts.articles_on_day

    points = {h.source_id: {p.day: p for p in h.points} for h in report.histories}
    assert len(points[facts.down]) == 14
    assert points[facts.broken][facts.day].anomaly.startswith("the gate failed: ")
    assert points[facts.down][facts.day].anomaly.startswith("the gate would fail: no articles")
    assert points[facts.absent][facts.day].anomaly.startswith("the gate would fail")
    gap_source, gap_offset = GAP
    gap = points[gap_source][facts.day - timedelta(days=gap_offset)]
    assert gap.articles == 0 and gap.run_status is None and gap.anomaly
    flagged = {(s, d) for s, days in points.items() for d, p in days.items() if p.anomaly}
    assert flagged == {(facts.broken, facts.day), (facts.down, facts.day),
                       (facts.absent, facts.day),
                       (gap_source, facts.day - timedelta(days=gap_offset))}
    for status in report.sources:
        history = next(h for h in report.histories if h.source_id == status.source_id)
        assert status.usual == history.median > 3

"""The report file itself: self-contained, small, every article linked, every chart an SVG
Vega drew; enrichment parts only where their tables exist; the DAG's page even when sources
fail; the day's enrich stage when it failed or missed a load."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from bs4 import BeautifulSoup

from autonews.core import Stage, StageFailed, Status, Window
from autonews.demo import catalog
from autonews.jobs import enrich_window, load_source
from autonews.report_page import report_name, report_run_with_page, write_report
from tests.report.conftest import DEMO_DAYS, DOWN
from warehouse import enrichment_reports, runs
from warehouse.connection import connect

DAY = DEMO_DAYS[-1]
MAX_BYTES = 2 * 1024 * 1024


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def _assert_self_contained(soup: BeautifulSoup) -> None:
    assert not soup.find_all("link"), "no stylesheet or icon may be loaded"
    for tag in soup.find_all(["script", "img", "iframe", "embed", "object", "source"]):
        assert not tag.get("src"), f"{tag.name} loads {tag.get('src')}"
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'none'" in csp and "http" not in csp and "eval" not in csp
    styles = " ".join(s.get_text() for s in soup.find_all("style"))
    assert "@import" not in styles and "url(" not in styles


def test_the_page_is_one_file_with_its_charts_inline_and_every_article_linked(
        demo_report_dsn, tmp_path):
    path = write_report(demo_report_dsn, DAY, out=tmp_path / "day.html")
    assert path == tmp_path / "day.html" and path.stat().st_size < MAX_BYTES
    soup = _soup(path)
    _assert_self_contained(soup)
    charts = soup.select(".chart")
    assert len(charts) == 3 + 3  # overview, a history per source, sections, languages
    for chart in charts:
        svg = chart.find("svg")
        assert svg["data-chart"] and svg.select("g.role-mark > path, g.role-mark > line")
    assert len(soup.find_all("script")) == 1 and len(soup.find("script").get_text()) < 1000
    down = soup.select_one(f'#history .card[data-source="{DOWN}"] svg')
    said = [t.get_text() for t in down.select("g.role-mark > path > title")]
    assert f"{DAY:%a %d %b}: 0 articles, run: failed" in said

    assert soup.select_one(".verdict").get_text(" ", strip=True).endswith(
        f"1 of 3 sources need attention: {DOWN} (failed).")
    first = soup.select_one("#attention .problem")
    assert first["data-source"] == DOWN
    assert "The site refused every connection: is it down?" in first.get_text()
    assert soup.select("table.status tbody tr")[0]["data-source"] == DOWN

    links = {a["href"] for a in soup.select("#articles a")}
    expected = [a for a in catalog.published_on(DAY) if a.source != DOWN]
    assert {urlsplit_path(u) for u in links} == {a.path for a in expected}
    # enriched, but no entity of the knowledge base is named that day: said so
    assert "No entity found in this day's articles." in soup.select_one("#entities").get_text()


def urlsplit_path(url: str) -> str:
    return urlsplit(url).path


def test_text_from_the_warehouse_cannot_inject_markup(demo_report_dsn, tmp_path):
    with psycopg.connect(demo_report_dsn) as conn:
        conn.execute("UPDATE articles SET title = %s, section = %s WHERE url_hash = "
                     "(SELECT min(url_hash) FROM articles WHERE published_at >= %s)",
                     ("<script>alert(1)</script></script>", "</script><b>x</b>",
                      f"{DAY} 00:00+00"))
    soup = _soup(write_report(demo_report_dsn, DAY, out=tmp_path / "x.html"))
    assert not any("alert(1)" in s.get_text() for s in soup.find_all("script"))
    assert "<script>alert(1)</script></script>" in soup.select_one("#articles").get_text()
    assert not soup.select("#articles b") and not soup.select(".chart b")
    assert "</script><b>x</b>" in soup.select_one('svg[data-chart="sections"]').get_text()


def test_the_13_source_page_weighs_less_than_2_mb(synthetic, tmp_path):
    dsn, facts = synthetic
    path = write_report(dsn, facts.day, out=tmp_path)  # a folder: the default name in it
    assert path == tmp_path / report_name(facts.day)
    size = path.stat().st_size
    print(f"13-source page: {size / 1e6:.2f} MB")
    assert size < MAX_BYTES
    soup = _soup(path)
    _assert_self_contained(soup)
    assert len(soup.select("#history .card")) == 13
    assert len(soup.select("#articles li a")) == facts.articles_on_day


def _cells(rows) -> list[list[str]]:
    return [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in rows]


def test_the_days_entities_topics_and_stories_are_the_enrichments(demo_report_dsn, tmp_path):
    wire_day = DEMO_DAYS[1]  # the demo's wire story: three sources, one maker, its models
    soup = _soup(write_report(demo_report_dsn, wire_day, out=tmp_path / "e.html"))
    with psycopg.connect(demo_report_dsn) as conn:
        entities = enrichment_reports.day_entities(conn, wire_day, limit=10)
        stories = [s for s in enrichment_reports.day_stories(conn, wire_day, limit=10)
                   if s.articles > 1]
        topics = conn.execute("SELECT name, articles, sources FROM topics_daily "
                              "WHERE day = %s ORDER BY articles DESC, sources DESC, name "
                              "LIMIT 10", (wire_day,)).fetchall()
    assert entities and topics and stories, "the demo day should have been enriched"
    assert stories[0].articles == 3 and len(stories[0].sources) == 3
    assert _cells(soup.select("#entities tbody tr")) == [
        [e.name, e.kind, str(e.articles), str(e.sources)] for e in entities]
    assert soup.select_one('svg[data-chart="entities"]')
    assert _cells(soup.select("#topics tbody tr")) == [
        [name, str(articles), str(sources)] for name, articles, sources in topics]
    shown = soup.select("#stories tbody tr")
    assert _cells(shown) == [[s.title, str(s.articles), str(len(s.sources))] for s in stories]
    for row, story in zip(shown, stories, strict=True):
        assert row.select_one("a")["href"] == story.members[0].canonical_url


def test_an_enrichment_part_shows_only_where_the_warehouse_has_it(demo_report_dsn, tmp_path):
    with psycopg.connect(demo_report_dsn) as conn:
        conn.execute("DROP VIEW top_stories_daily")  # as in a warehouse before migration 0007
        conn.execute("DROP VIEW topics_daily")  # and a part that is not what the report reads
        conn.execute("CREATE TABLE topics_daily (topic text, n integer)")
    soup = _soup(write_report(demo_report_dsn, DEMO_DAYS[1], out=tmp_path / "e.html"))
    assert not soup.select("#stories") and not soup.select("#topics")
    assert re.search(r"The topics could not be read from the warehouse: .*UndefinedColumn",
                     soup.select_one("#content").get_text(" "))
    assert "stories" not in soup.select_one("#content").get_text(" ").lower()
    assert soup.select("#entities tbody tr")


def test_the_dags_report_writes_the_page_then_fails_the_run(demo_report_dsn, tmp_path,
                                                            capsys):
    kept = []  # what the DAG keeps as the report task's XCom, also when the run failed
    with pytest.raises(StageFailed, match=f"failed: {DOWN}"):
        report_run_with_page(demo_report_dsn, f"report-{DAY}", DAY, folder=tmp_path,
                             on_report=kept.append)
    assert kept[0].as_dict()["ok"] is False
    assert "is the site down?" in kept[0].as_dict()["sources"][DOWN]["error"]
    page = tmp_path / report_name(DAY)
    assert f"report page of {DAY}: {page}" in capsys.readouterr().out
    assert _soup(page).select_one("#attention .problem")["data-source"] == DOWN
    report = report_run_with_page(demo_report_dsn, f"report-{DEMO_DAYS[0]}", DEMO_DAYS[0],
                                  folder=tmp_path)
    assert {s.source_id for s in report.summaries} == set(catalog.SOURCES)
    assert report.ok
    assert (tmp_path / report_name(DEMO_DAYS[0])).exists()


def test_the_dags_folder_is_the_airflow_variable_else_the_environment(monkeypatch, tmp_path):
    from autonews.airflow_support import reports_dir

    pytest.importorskip("airflow.sdk", reason="needs the airflow extra")
    monkeypatch.delenv("AIRFLOW_VAR_AUTONEWS_REPORTS_DIR", raising=False)
    monkeypatch.delenv("AUTONEWS_REPORTS", raising=False)
    monkeypatch.setenv("AUTONEWS_HOME", str(tmp_path / "home"))
    assert reports_dir() == (tmp_path / "home").resolve() / "reports"
    monkeypatch.setenv("AUTONEWS_REPORTS", str(tmp_path / "shared"))
    assert reports_dir() == tmp_path / "shared"
    # an Airflow Variable (here from the environment, as Airflow reads them) wins
    monkeypatch.setenv("AIRFLOW_VAR_AUTONEWS_REPORTS_DIR", str(tmp_path / "variable"))
    assert reports_dir() == tmp_path / "variable"


def test_a_script_cannot_end_its_script_element_early():
    from autonews.report_page.render import inline_script

    assert inline_script("a = '</script><b>'; b = '</SCRIPT >'") == \
        "a = '<\\/script><b>'; b = '<\\/SCRIPT >'"
    with pytest.raises(ValueError, match="<!--"):
        inline_script("x = '<!--'")


def test_the_page_says_when_the_days_enrich_failed_or_is_behind_a_load(demo_report_dsn,
                                                                       tmp_path):
    day, run_id = DEMO_DAYS[0], f"report-{DEMO_DAYS[0]}"
    window = Window.for_day(day)

    def page() -> BeautifulSoup:
        return _soup(write_report(demo_report_dsn, day, out=tmp_path / "e.html",
                                  run_id=run_id))

    # the run's enrich ran after its loads: nothing to say
    enrich_window(demo_report_dsn, window, run_id, trigger="airflow")
    soup = page()
    assert not soup.select("#attention")
    assert soup.select_one(".verdict").get_text(" ", strip=True).endswith(
        "All 3 sources ran and loaded.")
    # a recovery cleared motorwire's load but not enrich
    load_source(demo_report_dsn, "motorwire", window, run_id, trigger="airflow")
    late = page().select_one('#attention .problem[data-stage="enrich"]')
    assert "Articles of motorwire loaded after the enrich stage ran" in late.get_text()
    assert f"autonews enrich --from {day} --to {day}" in late.get_text()
    # enrich cleared: all is well again
    enrich_window(demo_report_dsn, window, run_id, trigger="airflow")
    assert not page().select("#attention")
    # the enrich stage failed
    with connect(demo_report_dsn) as conn:
        runs.start_stage(conn, run_id, "*", Stage.ENRICH, window, "airflow")
        runs.finish_stage(conn, run_id, "*", Stage.ENRICH, Status.FAILED, {},
                          "OperationalError: the warehouse went away")
    soup = page()
    assert soup.select_one(".verdict").get_text(" ", strip=True).endswith(
        "All 3 sources ran and loaded. The enrich stage needs attention.")
    failed = soup.select_one('#attention .problem[data-stage="enrich"]')
    assert " ".join(failed.select_one("h3").get_text().split()) == \
        "✖ enrich (entities, topics, stories): failed"
    assert "the warehouse went away" in failed.select_one("pre").get_text()

"""The archive commands as the README documents them: in process on a warehouse (what they
load, that they enrich it, their JSON), and once end to end as a user runs them: a live
crawl of the demo, its export, and two fresh warehouses filled from archives alone."""

from __future__ import annotations

import json
import os

import psycopg
import pytest
from typer.testing import CliRunner

from autonews.cli import app
from autonews.demo import catalog
from autonews.sources import DEMO_SOURCES
from tests.archives.warcs import BASE, DAYS, articles, count, write_ccnews, write_demo_warc
from tests.helpers import ROOT, autonews, free_port


def _invoke(dsn: str, *args: str, **env: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "AUTONEWS_DSN": dsn,
                                                    **env})


def _enrich_rows(dsn: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT run_id, trigger, status FROM pipeline_runs "
                            "WHERE stage = 'enrich' ORDER BY run_id").fetchall()


def test_import_warc_loads_the_days_and_enriches_them(dsn, tmp_path):
    warc = write_demo_warc(tmp_path / "demo.warc.gz")
    done = _invoke(dsn, "import-warc", str(warc), "--demo", "--demo-port", "8765", "--json",
                   AUTONEWS_HOME=str(tmp_path))
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    published = sum(len(catalog.published_on(d)) for d in DAYS)
    assert sum(d["inserted"] for d in report["days"]) == published
    assert {d["day"] for d in report["days"]} == {str(d) for d in DAYS}
    assert all(d["stages"] == {"crawl": "success", "clean": "success", "gate": "success",
                               "load": "success"} for d in report["days"])
    (counts,) = report["files"].values()
    assert counts["stored"] == counts["matched"] > 0 and report["errors"] == {}
    # no --from/--to: the days the file held were enriched, right after their load
    assert report["enrich_error"] is None and report["enrich"]["enriched"] == published
    assert _enrich_rows(dsn) == [(f"{report['run_id']}-enrich", "archive", "success")]

    again = _invoke(dsn, "import-warc", str(warc), "--demo", "--from", str(DAYS[0]),
                    "--to", str(DAYS[-1]), AUTONEWS_HOME=str(tmp_path))
    assert again.exit_code == 0, again.output
    assert "days loaded from the archive" in again.stdout
    assert "enriched 0 articles" in " ".join(again.stderr.split())  # all current already


def test_a_file_that_cannot_be_read_is_exit_1_after_the_others(dsn, tmp_path):
    warc = write_demo_warc(tmp_path / "demo.warc.gz")
    missing = "http://127.0.0.1:1/gone.warc.gz"
    done = _invoke(dsn, "import-warc", missing, str(warc), "--demo", "--json",
                   AUTONEWS_HOME=str(tmp_path))
    assert done.exit_code == 1, done.output
    report = json.loads(done.stdout)
    assert f"cannot fetch {missing}" in report["errors"][missing]
    assert len(articles(dsn)) == sum(len(catalog.published_on(d)) for d in DAYS)


def test_export_warc_writes_what_import_warc_reads(dsn, other_dsn, tmp_path):
    warc = write_demo_warc(tmp_path / "demo.warc.gz")
    assert _invoke(dsn, "import-warc", str(warc), "--demo",
                   AUTONEWS_HOME=str(tmp_path)).exit_code == 0
    exported = tmp_path / "export.warc.gz"
    done = _invoke(dsn, "export-warc", "--from", str(DAYS[0]), "--to", str(DAYS[-1]),
                   "--output", str(exported), AUTONEWS_HOME=str(tmp_path))
    assert done.exit_code == 0, done.output
    pages = count(dsn, "SELECT count(*) FROM raw_pages")
    assert f"exported {pages} raw pages listed {DAYS[0]}..{DAYS[-1]}" in done.stderr
    back = _invoke(other_dsn, "import-warc", str(exported), "--demo", "--json",
                   AUTONEWS_HOME=str(tmp_path))
    assert back.exit_code == 0, back.output
    assert articles(other_dsn) == articles(dsn)


def test_backfill_ccnews_imports_loads_and_enriches_the_range(dsn, file_server, tmp_path):
    write_ccnews(file_server.root)
    sources = tmp_path / "sources.toml"
    sources.write_text(DEMO_SOURCES.read_text().replace("{demo_url}", BASE))
    done = _invoke(dsn, "backfill", "--ccnews", "--from", str(DAYS[0]), "--to", str(DAYS[-1]),
                   "--sources", str(sources), "--lag-days", "2", "--json",
                   AUTONEWS_HOME=str(tmp_path), AUTONEWS_CCNEWS_BASE_URL=file_server.url)
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["base_url"] == file_server.url and report["lag_days"] == 2
    assert report["files_done_before"] == 0 and len(report["files"]) == report["files_total"]
    assert {r[2] for r in articles(dsn).values()} == {
        BASE + a.path for d in DAYS for a in catalog.published_on(d)}
    assert report["enrich"]["enriched"] == len(articles(dsn))
    assert _enrich_rows(dsn) == [(f"{report['run_id']}-enrich", "ccnews", "success")]


def test_the_readme_documents_the_archive_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("autonews import-warc FILE_OR_URL", "autonews export-warc --from",
                    "autonews backfill --from D1 --to D2 --ccnews", "AUTONEWS_CCNEWS_BASE_URL",
                    "AUTONEWS_CCNEWS_LAG_DAYS", "AUTONEWS_ARCHIVE_TIMEOUT",
                    "autonews_ccnews_backfill"):
        assert command in readme, command


def _env(dsn: str, home, port: str) -> dict[str, str]:
    return {**os.environ, "AUTONEWS_DSN": dsn, "AUTONEWS_HOME": str(home),
            "AUTONEWS_DEMO_PORT": port, "COLUMNS": "200"}


@pytest.mark.e2e
def test_a_live_crawl_exported_gives_fresh_warehouses_the_same_articles(
        dsn, empty_dsn, other_dsn, tmp_path):
    day = catalog.latest_day()
    port = str(free_port())
    live = _env(dsn, tmp_path / "a", port)
    crawled = autonews(live, "run", "--demo", "--date", str(day), "--json")
    assert crawled.returncode == 0, crawled.stdout[-3000:] + crawled.stderr[-2000:]
    warc = tmp_path / "demo.warc.gz"
    exported = autonews(live, "export-warc", "--from", str(day), "--to", str(day),
                        "--out", str(warc))
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert "exported" in exported.stderr and warc.stat().st_size > 0

    # 1. the export, into a warehouse that does not even have the schema yet
    imported = autonews(_env(empty_dsn, tmp_path / "b", port), "import-warc", str(warc),
                        "--demo", "--json")
    assert imported.returncode == 0, imported.stderr[-2000:]
    report = json.loads(imported.stdout)
    assert sum(d["inserted"] for d in report["days"]) == len(catalog.published_on(day))
    assert articles(empty_dsn, (day,)) == articles(dsn, (day,))
    assert report["enrich"]["enriched"] == len(catalog.published_on(day))

    # 2. the demo site's own CC-NEWS-like archive, offline
    backfill = autonews(_env(other_dsn, tmp_path / "c", port), "backfill", "--ccnews",
                        "--demo", "--from", str(day), "--to", str(day))
    assert backfill.returncode == 0, backfill.stderr[-2000:]
    assert "days loaded from the archive" in backfill.stdout
    assert articles(other_dsn, (day,)) == articles(dsn, (day,))
    again = autonews(_env(other_dsn, tmp_path / "c", port), "backfill", "--ccnews", "--demo",
                     "--from", str(day), "--to", str(day), "--json")
    assert again.returncode == 0, again.stderr[-2000:]
    summary = json.loads(again.stdout)
    assert summary["files"] == {}  # every file was done: nothing read again
    assert summary["files_done_before"] == summary["files_total"] > 0
    # The rerun resumes the same run (same id): its counts are that run's totals, not added
    # twice, and the warehouse is as it was.
    assert sum(d["inserted"] for d in summary["days"]) == len(catalog.published_on(day))
    assert sum(d["updated"] for d in summary["days"]) == 0
    assert articles(other_dsn, (day,)) == articles(dsn, (day,))
    assert summary["enrich"]["skipped"] == len(catalog.published_on(day))

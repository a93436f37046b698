"""The `autonews` command as a user runs it (a real process), on the demo and on errors."""

from __future__ import annotations

import json
import os

import pytest

from autonews.core import FAILED_OUTCOMES
from autonews.demo import catalog
from tests.helpers import FIXTURE_PAGES as FIXTURES
from tests.helpers import autonews, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
def cli_env(dsn, tmp_path):
    return {**os.environ, "AUTONEWS_DSN": dsn, "AUTONEWS_HOME": str(tmp_path / "home"),
            "AUTONEWS_DEMO_PORT": str(free_port()), "COLUMNS": "200"}


def test_run_demo_loads_the_latest_day_then_a_rerun_changes_nothing(cli_env):
    first = autonews(cli_env, "run", "--demo", "--json")
    assert first.returncode == 0, first.stderr[-3000:]
    summary = json.loads(first.stdout)
    assert summary["day"] == str(catalog.latest_day())
    by_source = {s["source"]: s for s in summary["sources"]}
    assert set(by_source) == set(catalog.SOURCES)
    assert sum(s["inserted"] for s in by_source.values()) == len(
        catalog.published_on(catalog.latest_day()))
    broken = [p for p in catalog.broken_pages() if p.listed_at.date() == catalog.latest_day()]
    for source, row in by_source.items():
        assert row["failed"] == sum(p.source == source and p.expected_outcome in
                                    FAILED_OUTCOMES for p in broken)
    assert by_source["motorwire"]["rejected"] == sum(
        p.source == "motorwire" and p.kind in ("gallery", "video", "slow") for p in broken)
    # the day's articles were enriched right after their load
    assert summary["enrich_error"] is None
    assert summary["enrich"]["enriched"] == len(catalog.published_on(catalog.latest_day()))

    again = autonews(cli_env, "run", "--demo")
    assert again.returncode == 0, again.stderr[-3000:]
    lines = again.stdout.splitlines()
    header = next(line for line in lines if "inserted" in line)
    columns = [c.strip() for c in header.strip("┃ ").split("┃")]
    rows = {cells[0]: dict(zip(columns, cells, strict=True)) for line in lines
            if (cells := [c.strip() for c in line.strip("│ ").split("│")])[0] in by_source}
    assert set(rows) == set(by_source)
    for row in rows.values():  # the rerun: everything not modified, nothing written
        assert row["inserted"] == row["updated"] == row["fetched"] == "0"
        assert row["status"] == "ok"


def test_run_demo_for_a_chosen_day_and_source(cli_env):
    done = autonews(cli_env, "run", "--demo", "--date", "2026-11-05", "--source", "autoledger",
                    "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    (only,) = json.loads(done.stdout)["sources"]
    assert only["source"] == "autoledger"
    assert only["inserted"] == len(catalog.published_on(catalog.date(2026, 11, 5), "autoledger"))


@pytest.mark.parametrize(("args", "message"), [
    (("run", "--demo", "--date", "2999-01-01"), "is in the future"),
    (("run", "--demo", "--date", "13/11/2026"), "is not a date"),
    (("run", "--demo", "--source", "nope"), "unknown source id 'nope'"),
])
def test_bad_input_is_one_clear_line_and_exit_2(cli_env, args, message):
    done = autonews(cli_env, *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_unreachable_warehouse_is_one_line_without_the_password(tmp_path):
    env = {**os.environ, "AUTONEWS_DSN": "postgresql://u:s3cret@127.0.0.1:1/x",
           "AUTONEWS_HOME": str(tmp_path)}
    done = autonews(env, "db", "migrate")
    assert done.returncode == 3
    assert "cannot connect to the warehouse" in done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


def test_db_migrate_and_status(cli_env):
    assert autonews(cli_env, "db", "migrate").returncode == 0
    status = autonews(cli_env, "db", "status")
    assert status.returncode == 0
    assert "create_core_tables" in status.stdout and "pending" not in status.stdout


def test_extract_prints_the_article_and_explains_removals(cli_env):
    page = FIXTURES / "motorwire" / "recall-84000-brennan-pickups-need-new-brake-hose-clips" / \
        "page.html"
    expected = json.loads((page.parent / "expected.json").read_text())
    done = autonews(cli_env, "extract", str(page), "--url", expected["url"])
    assert done.returncode == 0, done.stderr
    article = json.loads(done.stdout)
    assert article["title"] == expected["title"]
    gallery = FIXTURES / "motorwire" / "in-pictures-the-concept-cars-of-the-lakeshore-auto-show"
    rejected = autonews(cli_env, "extract", str(gallery / "page.html"))
    assert rejected.returncode == 1 and json.loads(rejected.stdout)["rejected"] == "gallery"
    inline = FIXTURES / "dailydrive" / "tyre-maker-nordvik-to-close-its-oldest-plant-in-bavaria"
    explained = json.loads(autonews(cli_env, "extract", str(inline / "page.html"),
                                    "--explain").stdout)
    concepts = {r["concept"] for r in explained["removed"]}
    assert {"ads", "related", "newsletter"} <= concepts
    assert explained["root_rule"] == ".td-post-content"
    assert all(r["rule"] and r["match"] for r in explained["removed"])

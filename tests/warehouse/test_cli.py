"""`autonews stats / search / export / db prune-raw` on the loaded demo warehouse: through
typer's runner on the app in process, and through the real console script."""

from __future__ import annotations

import csv
import io
import json

import psycopg
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from autonews.cli import app
from autonews.demo import catalog
from tests.demo_warehouse import LOADED_DAYS
from tests.helpers import autonews

EXPECTED = sum(len(catalog.published_on(d)) for d in LOADED_DAYS)
RANGE = ("--from", str(LOADED_DAYS[0]), "--to", str(LOADED_DAYS[-1]))


def invoke(dsn: str, *args: str):
    return CliRunner().invoke(app, list(args), env={"AUTONEWS_DSN": dsn, "COLUMNS": "200"})


def test_stats_prints_a_row_per_source_and_day(loaded_dsn):
    done = invoke(loaded_dsn, "stats", *RANGE)
    assert done.exit_code == 0, done.output
    table = done.stdout
    for day in LOADED_DAYS:
        assert str(day) in table
    for source in catalog.SOURCES:
        assert source in table
    assert "reject rate" in table and "total" in table
    rows = json.loads(invoke(loaded_dsn, "stats", *RANGE, "--json").stdout)
    assert len(rows) == len(LOADED_DAYS) * len(catalog.SOURCES)
    assert sum(r["articles"] for r in rows) == EXPECTED
    assert {r["last_status"] for r in rows} == {"success"}


def test_search_shows_the_best_match_first_with_its_snippet(loaded_dsn):
    done = invoke(loaded_dsn, "search", "tyre plant jobs", "--limit", "3")
    assert done.exit_code == 0, done.output
    first = done.stdout.splitlines()[0]
    assert first.startswith("1. Midlands Tyre Plant to Close")
    assert "«" not in done.stdout  # the marks became bold text
    hits = json.loads(invoke(loaded_dsn, "search", "recalls", "--json", "--source",
                             "gearbox").stdout)
    assert hits and {h["source_id"] for h in hits} == {"gearbox"}
    none = invoke(loaded_dsn, "search", "zeppelin")
    assert none.exit_code == 0 and "no article matches 'zeppelin'" in none.stderr


def test_export_parquet_to_a_file_and_csv_to_standard_output(loaded_dsn, tmp_path):
    target = tmp_path / "articles.parquet"
    done = invoke(loaded_dsn, "export", *RANGE, "--format", "parquet", "--output", str(target))
    assert done.exit_code == 0, done.output
    assert f"exported {EXPECTED} articles" in done.stderr
    assert pq.read_table(target).num_rows == EXPECTED
    assert [p.name for p in tmp_path.iterdir()] == ["articles.parquet"]  # no temporary left
    done = invoke(loaded_dsn, "export", *RANGE, "--format", "csv")
    assert done.exit_code == 0, done.output
    assert len(list(csv.DictReader(io.StringIO(done.stdout)))) == EXPECTED


@pytest.mark.parametrize(("args", "message"), [
    (("stats", "--from", "2026-11-13", "--to", "2026-11-11"),
     "the range is backwards: --from 2026-11-13 is after --to 2026-11-11"),
    (("export", "--from", "11/11/2026"), "--from '11/11/2026' is not a date"),
    (("export", "--format", "xml"), "--format 'xml' is not one of csv, jsonl, parquet"),
    (("export", "--format", "parquet"), "--format parquet needs --output FILE"),
    (("export", "--output", "/no/such/folder/x.csv"), "does not exist"),
    (("search", "  "), "the search query is empty"),
    (("search", "x", "--from", "2026-11-13", "--to", "2026-11-01"), "backwards"),
    (("db", "prune-raw", "--older-than", "ninety days"), "'ninety days' is not an age"),
    (("db", "prune-raw", "--older-than", "0d"), "too recent"),
])
def test_bad_input_is_one_clear_line_and_exit_2(loaded_dsn, args, message):
    done = invoke(loaded_dsn, *args)
    assert done.exit_code == 2, done.output
    assert message in " ".join(done.stderr.split())
    assert "Traceback" not in done.output


def test_an_unreachable_warehouse_is_exit_3(loaded_dsn):
    done = invoke("postgresql://nobody:secret@127.0.0.1:9/none", "stats")
    assert done.exit_code == 3
    assert "secret" not in done.stderr and "cannot connect" in done.stderr


def test_prune_raw_reports_what_it_dropped_and_keeps_articles(loaded_copy):
    with psycopg.connect(loaded_copy) as conn:
        conn.execute("UPDATE raw_pages SET fetched_at = fetched_at - interval '200 days' "
                     "WHERE run_id = 'fixture-2026-11-12'")
        conn.commit()
        articles = conn.execute("SELECT * FROM articles ORDER BY url_hash").fetchall()
    dry = invoke(loaded_copy, "db", "prune-raw", "--older-than", "26w", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would drop the HTML of" in dry.stdout
    done = invoke(loaded_copy, "db", "prune-raw", "--older-than", "90d")
    assert done.exit_code == 0, done.output
    assert "dropped the HTML of" in done.stdout and "articles untouched" in done.stdout
    with psycopg.connect(loaded_copy) as conn:
        left = conn.execute("SELECT count(*) FROM raw_pages WHERE run_id = "
                            "'fixture-2026-11-12' AND body IS NOT NULL").fetchone()
        assert conn.execute("SELECT * FROM articles ORDER BY url_hash").fetchall() == articles
    assert left == (0,)


@pytest.mark.e2e
def test_the_console_script_runs_the_commands(loaded_dsn, tmp_path):
    env = {"AUTONEWS_DSN": loaded_dsn, "AUTONEWS_HOME": str(tmp_path), "COLUMNS": "200",
           "PATH": "/usr/bin:/bin"}
    stats = autonews(env, "stats", *RANGE, "--json")
    assert stats.returncode == 0, stats.stderr
    assert sum(r["articles"] for r in json.loads(stats.stdout)) == EXPECTED
    found = autonews(env, "search", "fast-charging site", "--json")
    assert json.loads(found.stdout)[0]["title"] == "Waypoint Charge Opens Its 100th " \
                                                     "Fast-Charging Site"
    exported = autonews(env, "export", *RANGE, "--format", "jsonl")
    assert len(exported.stdout.splitlines()) == EXPECTED
    backwards = autonews(env, "export", "--from", "2026-11-13", "--to", "2026-11-01")
    assert backwards.returncode == 2 and "backwards" in backwards.stderr
    pruned = autonews(env, "db", "prune-raw", "--older-than", "90d", "--dry-run")
    assert pruned.returncode == 0 and "would drop the HTML of 0 pages" in pruned.stdout

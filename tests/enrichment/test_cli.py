"""`autonews enrich / trends / stories / entities` and `search --entity --topic` on the loaded
demo warehouse (enriched by its fixture), through typer's runner and the console script."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from autonews.cli import app
from autonews.demo import catalog
from tests.demo_warehouse import LOADED_DAYS
from tests.helpers import ROOT

RANGE = ("--from", str(LOADED_DAYS[0]), "--to", str(LOADED_DAYS[-1]))
LOADED = sum(len(catalog.published_on(d)) for d in LOADED_DAYS)
WIRE_DAY = "2026-11-12"


def invoke(dsn: str, *args: str):
    return CliRunner().invoke(app, list(args), env={"AUTONEWS_DSN": dsn, "COLUMNS": "200"})


def test_enrich_skips_what_is_current_and_force_redoes_it(loaded_copy):
    again = invoke(loaded_copy, "enrich", *RANGE, "--json")
    assert again.exit_code == 0, again.output
    counts = json.loads(again.stdout)
    assert counts["articles"] == counts["skipped"] == LOADED and counts["enriched"] == 0
    assert counts["story_changes"] == 0
    forced = invoke(loaded_copy, "enrich", *RANGE, "--force")
    assert forced.exit_code == 0, forced.output
    assert f"{LOADED} enriched" in forced.stdout and "0 story changes" in forced.stdout


def test_stories_lists_the_syndicated_story_first_with_its_sources(loaded_dsn):
    done = invoke(loaded_dsn, "stories", "--date", WIRE_DAY, "--json")
    assert done.exit_code == 0, done.output
    stories = json.loads(done.stdout)
    top = stories[0]
    assert top["rank"] == 1 and top["title"].startswith("BYD Starts Series Production")
    assert top["sources"] == sorted(catalog.SOURCES) and len(top["members"]) == 3
    assert sum(s["articles"] for s in stories) == len(catalog.published_on(
        catalog.date.fromisoformat(WIRE_DAY)))
    text = invoke(loaded_dsn, "stories", "--date", WIRE_DAY).stdout
    assert text.startswith("1. BYD Starts Series Production")
    assert all(source in text for source in catalog.SOURCES)


def test_entities_ranks_the_days_entities(loaded_dsn):
    done = invoke(loaded_dsn, "entities", "--date", WIRE_DAY, "--kind", "brand", "--json")
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    assert rows[0]["entity_id"] == "byd" and rows[0]["articles"] == 3
    assert rows[0]["sources"] == 3 and rows[0]["share"] == 1.0
    table = invoke(loaded_dsn, "entities", "--date", WIRE_DAY).stdout
    assert "BYD" in table and "share of voice" in table


def test_trends_charts_an_entity_per_day_and_source(loaded_dsn):
    done = invoke(loaded_dsn, "trends", "Mercedes", *RANGE, "--json")
    assert done.exit_code == 0, done.output
    trend = json.loads(done.stdout)
    assert trend["entity_id"] == "mercedes_benz"
    assert {(r["day"], r["source_id"]) for r in trend["rows"]} == {
        ("2026-11-11", "autoledger"), ("2026-11-11", "gearbox")}
    chart = invoke(loaded_dsn, "trends", "mercedes_benz_group", *RANGE).stdout
    assert "articles per day" in chart and "per source" in chart
    assert "2026-11-11 │        2" in chart.replace("┃", "│")


def test_search_filters_by_entity_and_topic(loaded_dsn):
    done = invoke(loaded_dsn, "search", "battery", "--entity", "Mercedes-Benz",
                  "--topic", "recalls_safety", "--json")
    assert done.exit_code == 0, done.output
    hits = json.loads(done.stdout)
    assert len(hits) == 2 and all("EQB" in h["title"] for h in hits)
    everything = json.loads(invoke(loaded_dsn, "search", "battery", "--json").stdout)
    assert len(everything) > len(hits)


def test_bad_input_is_one_line_and_exit_2(loaded_dsn):
    unknown = invoke(loaded_dsn, "trends", "Nonexistent Motors", *RANGE)
    assert unknown.exit_code == 2 and "no entity is called 'Nonexistent Motors'" in unknown.stderr
    kind = invoke(loaded_dsn, "entities", "--date", WIRE_DAY, "--kind", "boat")
    assert kind.exit_code == 2 and "--kind 'boat' is not one of" in kind.stderr
    topic = invoke(loaded_dsn, "search", "battery", "--topic", "cooking")
    assert topic.exit_code == 2 and "--topic 'cooking' is not a topic id" in topic.stderr
    backwards = invoke(loaded_dsn, "enrich", "--from", "2026-11-13", "--to", "2026-11-11")
    assert backwards.exit_code == 2 and "backwards" in backwards.stderr


def test_the_command_line_has_the_commands():
    done = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    for command in ("enrich", "trends", "stories", "entities"):
        assert command in done.stdout


def test_the_readme_documents_every_enrichment_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("autonews enrich --from", "autonews trends ENTITY", "autonews stories --date",
                    "autonews entities --date", "--entity E] [--topic T]"):
        assert command in readme, command

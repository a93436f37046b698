"""`autonews reclean --changed-rules`: only the sources whose pages were cleaned by other
rules than today's are cleaned again."""

from __future__ import annotations

import json

import psycopg
from typer.testing import CliRunner

from autonews.cli import app
from tests.demo_warehouse import LOADED_DAYS

RANGE = ("--from", str(LOADED_DAYS[0]), "--to", str(LOADED_DAYS[-1]))


def _reclean(dsn: str) -> tuple[list[str], str]:
    done = CliRunner().invoke(app, ["reclean", "--demo", *RANGE, "--changed-rules", "--json"],
                              env={"AUTONEWS_DSN": dsn})
    assert done.exit_code == 0, done.output
    return [row["source"] for row in json.loads(done.stdout)["sources"]], done.stderr


def test_only_sources_cleaned_by_other_rules_are_cleaned_again(loaded_copy):
    recleaned, said = _reclean(loaded_copy)
    assert recleaned == []
    assert "rules unchanged since the last clean, skipped: motorwire, autoledger, gearbox" in said
    with psycopg.connect(loaded_copy) as conn:
        conn.execute("UPDATE articles SET rules_version = '1.0.0/old' "
                      "WHERE source_id = 'gearbox'")
        conn.commit()
    recleaned, _ = _reclean(loaded_copy)
    assert recleaned == ["gearbox"]
    with psycopg.connect(loaded_copy) as conn:  # the reclean brought the rows up to date
        versions = conn.execute("SELECT DISTINCT rules_version FROM articles "
                                "WHERE source_id = 'gearbox'").fetchall()
    assert len(versions) == 1 and versions[0][0] != "1.0.0/old"
    assert _reclean(loaded_copy)[0] == []

"""Backfills: a range equals its single days, reruns change nothing, bad ranges are refused."""

from __future__ import annotations

import json
import os
from urllib.parse import urlsplit

import psycopg
import pytest

from autonews.core import Window
from autonews.demo import catalog
from autonews.jobs import run_source
from tests.helpers import autonews, free_port

pytestmark = pytest.mark.e2e
DAYS = ["2026-11-04", "2026-11-05", "2026-11-06"]


def _articles(dsn):
    """Articles without the demo site's port (each demo site instance has its own)."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT source_id, canonical_url, title, authors, published_at, "
                            "body, word_count FROM articles").fetchall()
    return sorted((s, urlsplit(u).path, *rest) for s, u, *rest in rows)


def test_backfill_of_three_days_gives_the_rows_of_three_single_runs(dsn, empty_dsn, demo,
                                                                    demo_sources, tmp_path):
    for day in Window.parse(DAYS[0], DAYS[-1]).each_day():
        for source in demo_sources.values():
            assert run_source(dsn, source, day, f"single-{day}").ok
    singles = _articles(dsn)
    assert len(singles) == sum(len(catalog.published_on(catalog.date.fromisoformat(d)))
                               for d in DAYS)

    env = {**os.environ, "AUTONEWS_DSN": empty_dsn, "AUTONEWS_HOME": str(tmp_path),
           "AUTONEWS_DEMO_PORT": str(free_port())}
    done = autonews(env, "backfill", "--demo", "--from", DAYS[0], "--to", DAYS[-1],
                    "--parallel", "2", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert [d["day"] for d in report["days"]] == [d for d in DAYS for _ in range(3)]
    assert _articles(empty_dsn) == singles

    again = json.loads(autonews(env, "backfill", "--demo", "--from", DAYS[0], "--to", DAYS[-1],
                                "--json").stdout)
    assert sum(d["inserted"] + d["updated"] for d in again["days"]) == 0
    assert _articles(empty_dsn) == singles


def test_backwards_and_future_ranges_are_refused(tmp_path):
    env = {**os.environ, "AUTONEWS_HOME": str(tmp_path)}
    backwards = autonews(env, "backfill", "--demo", "--from", "2026-11-06", "--to", "2026-11-04")
    assert backwards.returncode == 2 and "the range is backwards" in backwards.stderr
    future = autonews(env, "backfill", "--demo", "--from", "2026-11-06", "--to", "2999-01-01")
    assert future.returncode == 2 and "is in the future" in future.stderr

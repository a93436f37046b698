"""Backfills through the console script: a range loads what each of its days published, and a
rerun changes nothing (bad ranges: tests/test_cli_errors.py)."""

from __future__ import annotations

import json
import os
from datetime import date
from urllib.parse import urlsplit

import psycopg
import pytest

from autonews.demo import catalog
from tests.helpers import autonews, free_port
from transforms.text import count_words

pytestmark = pytest.mark.e2e
DAYS = ["2026-11-04", "2026-11-05", "2026-11-06"]


def _articles(dsn):
    """Articles without the demo site's port (each demo site instance has its own)."""
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT source_id, canonical_url, title, authors, published_at, "
                            "body, word_count FROM articles").fetchall()
    return sorted((s, urlsplit(u).path, *rest) for s, u, *rest in rows)


def _published(days: list[str]) -> list[tuple]:
    """What the demo published on `days`, as the rows a run must load."""
    return sorted((a.source, a.path, a.title, list(a.authors), a.published_utc, a.body_text,
                   count_words(a.body_text))
                  for d in days for a in catalog.published_on(date.fromisoformat(d)))


def test_a_backfill_loads_what_each_day_published_and_a_rerun_changes_nothing(dsn, demo,
                                                                              tmp_path):
    env = {**os.environ, "AUTONEWS_DSN": dsn, "AUTONEWS_HOME": str(tmp_path),
           "AUTONEWS_DEMO_PORT": str(free_port())}
    done = autonews(env, "backfill", "--demo", "--from", DAYS[0], "--to", DAYS[-1],
                    "--parallel", "2", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert [d["day"] for d in report["days"]] == [d for d in DAYS for _ in catalog.SOURCES]
    assert _articles(dsn) == _published(DAYS)

    again = json.loads(autonews(env, "backfill", "--demo", "--from", DAYS[0], "--to", DAYS[-1],
                                "--json").stdout)
    assert sum(d["inserted"] + d["updated"] for d in again["days"]) == 0
    assert _articles(dsn) == _published(DAYS)

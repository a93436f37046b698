"""The quality gate between clean and load."""

from __future__ import annotations

import re

import psycopg
import pytest

from autonews.core import CleanResult, ConfigError, Window
from autonews.demo import catalog
from autonews.jobs import run_source
from autonews.quality import Thresholds, load_thresholds
from autonews.quality import evaluate as evaluate_counts


def evaluate(counts: dict, history: list[int], limits: Thresholds):
    """The gate's checks of clean counts as `pipeline_runs` stores them."""
    return evaluate_counts(CleanResult.from_counts(counts), history, limits)


@pytest.mark.e2e
def test_a_broken_template_fails_the_gate_and_loads_nothing_for_that_source(dsn, demo,
                                                                             demo_sources):
    day = Window.for_day(catalog.latest_day())
    demo.faults.set(["broken_template:gearbox"])
    results = {sid: run_source(dsn, s, day, "broken") for sid, s in demo_sources.items()}
    assert not results["gearbox"].ok
    assert results["gearbox"].error.startswith("gate: quality gate failed for gearbox")
    assert "reject_rate" in results["gearbox"].error
    assert results["motorwire"].ok and results["autoledger"].ok
    with psycopg.connect(dsn) as conn:
        per_source = dict(conn.execute(
            "SELECT source_id, count(*) FROM articles GROUP BY source_id").fetchall())
        stages = dict(conn.execute(
            "SELECT stage, status FROM pipeline_runs WHERE source_id = 'gearbox'").fetchall())
        staged = conn.execute("SELECT count(*) FROM staged_articles").fetchone()[0]
        reasons = {r for (r,) in conn.execute(
            "SELECT reason FROM rejected_pages WHERE source_id = 'gearbox'")}
    assert "gearbox" not in per_source
    assert per_source["motorwire"] == len(catalog.published_on(catalog.latest_day(), "motorwire"))
    assert stages == {"crawl": "success", "clean": "success", "gate": "failed",
                      "load": "skipped"}
    assert staged == 0 and reasons == {"empty"}

    demo.faults.clear()  # the site is fixed: the next run loads the day
    fixed = run_source(dsn, demo_sources["gearbox"], day, "fixed")
    assert fixed.ok and fixed.load.inserted == len(
        catalog.published_on(catalog.latest_day(), "gearbox"))


def test_zero_articles_fails_only_for_a_source_that_usually_publishes():
    busy = evaluate({"pages": 0, "articles": 0}, [5, 6, 4, 7, 5], Thresholds())
    quiet = evaluate({"pages": 0, "articles": 0}, [0, 1, 0, 0, 2], Thresholds())
    assert [c.passed for c in busy if c.name == "zero_articles"] == [False]
    assert all(c.passed for c in quiet)


def test_rates_need_enough_pages_and_respect_thresholds():
    counts = {"pages": 10, "articles": 3, "rejected": 7, "rejected_empty": 6,
              "undated_pages": 3}
    checks = {c.name: c for c in evaluate(counts, [], Thresholds())}
    assert not checks["reject_rate"].passed and not checks["empty_share"].passed
    assert not checks["undated_share"].passed
    small = evaluate({"pages": 1, "articles": 1, "rejected": 0}, [], Thresholds())
    assert [c.name for c in small] == ["zero_articles"]
    # one page, no text: a broken template even on a quiet day
    lone = {c.name: c for c in evaluate({"pages": 1, "articles": 0, "rejected": 1,
                                         "rejected_empty": 1}, [], Thresholds())}
    assert not lone["empty_share"].passed
    gallery_day = evaluate({"pages": 1, "articles": 0, "rejected": 1, "rejected_gallery": 1},
                           [], Thresholds())
    assert all(c.passed for c in gallery_day)


def test_thresholds_come_from_config_with_per_source_overrides(tmp_path):
    path = tmp_path / "quality.toml"
    path.write_text("[default]\nmax_reject_rate = 0.2\n[source.gearbox]\nmax_reject_rate = 0.9\n")
    assert load_thresholds("motorwire", path).max_reject_rate == 0.2
    assert load_thresholds("gearbox", path).max_reject_rate == 0.9
    path.write_text("[default]\nmax_rejects = 1\n")
    with pytest.raises(ConfigError, match="key 'max_rejects': unknown threshold"):
        load_thresholds("gearbox", path)


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not valid TOML"),
    (b"[default]\nhistory_days = 2.5\n", "key 'history_days': expected a whole number"),
    (b"[default]\nmax_reject_rate = nan\n", "key 'max_reject_rate': expected a non-negative"),
    (b"[default]\nmax_reject_rate = \"high\"\n", "expected a non-negative number"),
    (b"[default]\nmax_empty_share = 1.5\n", "expected a share between 0 and 1"),
    (b"[source.gearbox]\nmin_pages = -1\n", "[source.gearbox] key 'min_pages'"),
    (b"default = 3\n", "[default] is not a table"),
])
def test_a_bad_quality_file_is_refused_with_file_and_key(tmp_path, content, message):
    path = tmp_path / "quality.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=re.escape(message)) as error:
        load_thresholds("gearbox", path)
    assert str(path) in str(error.value)


def test_too_many_articles_the_cleaner_is_unsure_of_fail_the_gate():
    counts = {"pages": 4, "articles": 4, "low_confidence": 3, "page_kinds": {"article": 4}}
    checks = {c.name: c for c in evaluate(counts, [], Thresholds())}
    assert not checks["low_confidence_share"].passed
    assert checks["low_confidence_share"].detail.startswith("3 of 4 articles the cleaner")
    sure = {c.name: c for c in evaluate({**counts, "low_confidence": 1}, [], Thresholds())}
    assert sure["low_confidence_share"].passed

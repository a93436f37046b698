"""bench/load.py runs end to end (tiny batch) and reports every figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.e2e  # the benchmark script, in its own process
def test_the_load_benchmark_runs_and_drops_its_database(pg_admin_dsn, tmp_path):
    saved = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--dsn", pg_admin_dsn,
         "--articles", "300", "--repeat", "1", "--json", "--save", str(saved)],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    assert json.loads(saved.read_text()) == results
    assert results["articles"] == results["rowwise_articles"] == 300
    assert 2000 <= results["body_bytes"]["min"] and results["body_bytes"]["max"] <= 8300
    assert all(rate > 0 for rate in results["rates"].values())
    assert set(results["ratios"]) == {"copy_merge_vs_executemany", "copy_merge_vs_execute",
                                      "deferred_vs_generated_vector"}
    with psycopg.connect(pg_admin_dsn) as conn:
        left = conn.execute("SELECT count(*) FROM pg_database "
                            "WHERE datname LIKE 'autonews_bench_%'").fetchone()
    assert left == (0,)

"""Soak run: crawl, clean and load every demo day with faults switched on, then check the
warehouse against what the demo site published.

    .venv/bin/python bench/soak.py [--days 12] [--dsn postgresql://...]

Each day gets a different mix of faults (bursts of 503s, 429 with Retry-After, a slow
site, a site that is down, a broken template); days whose run failed are run again once the
fault is gone, as an operator would. At the end: every published article is in `articles`
exactly once, none is missing, and every failed fetch or stage is recorded with a reason.
Exit code 0 when every check holds.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autonews.core import Window  # noqa: E402
from autonews.demo import catalog  # noqa: E402
from autonews.demo.faults import lab_expected_outcomes  # noqa: E402
from autonews.demo.site import DemoSite  # noqa: E402
from autonews.jobs import prepare_warehouse, run_source  # noqa: E402
from autonews.sources import DEMO_SOURCES, load_sources  # noqa: E402
from warehouse.connection import temporary_server  # noqa: E402

FAULT_PLAN = [
    ["flaky:motorwire", "throttle:autoledger"],
    ["slow:gearbox", "flaky:autoledger"],
    ["down:gearbox"],
    ["broken_template:gearbox", "throttle:motorwire"],
    ["flaky:gearbox", "slow:motorwire", "throttle:autoledger"],
    [],
]


def soak(dsn: str, days: int) -> list[str]:
    """Run the soak; returns the list of failed checks (empty when all hold)."""
    prepare_warehouse(dsn)
    problems: list[str] = []
    with DemoSite() as site:
        sources = {s.id: s for s in load_sources(DEMO_SOURCES, {"demo_url": site.url},
                                                 include_disabled=True)}
        demo_days = catalog.days()[-days:]
        failed_runs: list[tuple[date, str]] = []
        for index, day in enumerate(demo_days):
            faults = FAULT_PLAN[index % len(FAULT_PLAN)]
            site.faults.set(faults)
            window = Window.for_day(day)
            started = time.perf_counter()
            ids = [s for s in sources if s != "faultlab" or day == catalog.latest_day()]
            results = {sid: run_source(dsn, sources[sid], window, f"soak-{day}") for sid in ids}
            bad = {sid: r.error for sid, r in results.items() if not r.ok}
            print(f"{day} faults={faults or '-'}: "
                  f"{sum(r.load.inserted for r in results.values())} inserted, "
                  f"{len(bad)} failed {sorted(bad)} ({time.perf_counter() - started:.1f} s)")
            failed_runs.extend((day, sid) for sid in bad)
        site.faults.clear()
        for day, sid in failed_runs:  # the operator reruns what failed, once fixed
            result = run_source(dsn, sources[sid], Window.for_day(day), f"soak-rerun-{day}")
            print(f"rerun {day} {sid}: {'ok' if result.ok else result.error}")
            if not result.ok:
                problems.append(f"rerun of {day} {sid} failed: {result.error}")
        problems += check(dsn, demo_days)
    return problems


def _count(conn: psycopg.Connection[Any], query: str) -> int:
    row = conn.execute(query).fetchone()
    return int(row[0]) if row else 0


def check(dsn: str, days: list[date]) -> list[str]:
    problems = []
    published = {(a.source, a.path) for day in days for a in catalog.published_on(day)}
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT source_id, canonical_url FROM articles "
                            "WHERE source_id <> 'faultlab'").fetchall()
        loaded = [(s, urlsplit(u).path) for s, u in rows]
        if len(loaded) != len(set(loaded)):
            problems.append(f"{len(loaded) - len(set(loaded))} duplicate articles")
        missing = published - set(loaded)
        extra = set(loaded) - published
        if missing:
            problems.append(f"missing articles: {sorted(missing)}")
        if extra:
            problems.append(f"articles the demo never published: {sorted(extra)}")
        unexplained = _count(
            conn, "SELECT count(*) FROM raw_pages WHERE outcome NOT IN "
            "('fetched', 'not_modified', 'unchanged') AND (error IS NULL OR error = '')")
        if unexplained:
            problems.append(f"{unexplained} failed fetches without a reason")
        silent = _count(conn, "SELECT count(*) FROM pipeline_runs WHERE status = 'failed' "
                              "AND (error IS NULL OR error = '')")
        if silent:
            problems.append(f"{silent} failed stages without an error")
        stuck = _count(conn, "SELECT count(*) FROM pipeline_runs WHERE status = 'running'")
        if stuck:
            problems.append(f"{stuck} stages left 'running'")
        lab: dict[str, str] = dict(conn.execute(
            "SELECT DISTINCT ON (url) url, outcome FROM raw_pages WHERE source_id = 'faultlab' "
            "AND kind = 'article' ORDER BY url, fetched_at").fetchall())
        for path, outcome in lab_expected_outcomes().items():
            got = next((o for u, o in lab.items() if urlsplit(u).path == path), None)
            if catalog.latest_day() in days and got != outcome:
                problems.append(f"fault lab {path}: {got} instead of {outcome}")
        reasons = _count(conn, "SELECT count(*) FROM raw_pages WHERE error IS NOT NULL")
        print(f"articles: {len(loaded)} loaded, {len(published)} published; "
              f"failed fetches recorded with reasons: {reasons}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=len(catalog.days()))
    parser.add_argument("--dsn", help="warehouse DSN (default: a temporary embedded one)")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.dsn:
        problems = soak(args.dsn, args.days)
    else:
        with temporary_server("autonews-soak-") as dsn:
            problems = soak(dsn, args.days)
    print(f"soak finished in {time.perf_counter() - started:.0f} s")
    for problem in problems:
        print(f"FAILED: {problem}")
    print("all checks hold" if not problems else f"{len(problems)} checks failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Crawl speed: a full crawl of the offline demo site beside `scrapy bench`, in one session.

    .venv/bin/python bench/crawl.py [--repeat 3] [--scale 20]

The demo catalog is served `--scale` times (each copy 12 days earlier), so the crawl is
long enough for a rate to mean something (about 800 articles and their discovery pages).

Both crawl a server on 127.0.0.1 from this machine, so the ratio is what matters: how much
of Scrapy's raw speed our spider keeps while it discovers by date, obeys robots.txt,
records every outcome in PostgreSQL (one committed row per page) and checks hosts.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autonews.core import Window  # noqa: E402
from autonews.demo import catalog  # noqa: E402
from autonews.demo.site import DemoSite  # noqa: E402
from autonews.jobs import crawl_source, prepare_warehouse  # noqa: E402
from autonews.sources import DEMO_SOURCES, load_sources  # noqa: E402
from warehouse.connection import temporary_server  # noqa: E402


def scrapy_bench(seconds: int) -> dict[str, float]:
    """Scrapy's own benchmark (its local server, follows links as fast as it can)."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
             "-s", "LOG_LEVEL=INFO"], capture_output=True, text=True, cwd=tmp, timeout=300)
    log = done.stderr + done.stdout
    pages = int(re.search(r"'response_received_count': (\d+)", log).group(1))  # type: ignore[union-attr]
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", log).group(1))  # type: ignore[union-attr]
    return {"pages": pages, "seconds": elapsed, "pages_per_s": pages / elapsed}


def demo_crawl(dsn: str, unthrottled: bool) -> dict[str, float]:
    """Every demo source over the demo's whole date range, in a fresh warehouse."""
    first, last = catalog.days()[0], catalog.days()[-1]
    window = Window.days(first, last)
    pages = 0
    scrapy_seconds = 0.0
    with DemoSite() as site:
        sources = load_sources(DEMO_SOURCES, {"demo_url": site.url})
        started = time.perf_counter()
        for index, source in enumerate(sources):
            if unthrottled:
                source = dataclasses.replace(source, crawl_settings={
                    **source.crawl_settings, "AUTOTHROTTLE_ENABLED": False,
                    "CONCURRENT_REQUESTS_PER_DOMAIN": 16})
            counts = crawl_source(dsn, source, window, f"bench-{time.time_ns()}-{index}")
            log = Path(counts.log_file or "").read_text()
            found = re.findall(r"'elapsed_time_seconds': ([\d.]+)", log)
            scrapy_seconds += float(found[-1]) if found else 0.0
        wall = time.perf_counter() - started
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT count(*) FROM raw_pages WHERE http_status IS NOT NULL"
                           ).fetchone()
        pages = int(row[0]) if row else 0
        conn.execute("TRUNCATE raw_pages CASCADE")
        conn.execute("TRUNCATE pipeline_runs")
        conn.commit()
    return {"pages": pages, "wall_seconds": wall, "pages_per_s_wall": pages / wall,
            "scrapy_seconds": scrapy_seconds, "pages_per_s": pages / scrapy_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bench-seconds", type=int, default=10)
    parser.add_argument("--scale", type=int, default=20,
                        help="demo catalog copies (1 = the 40-article demo)")
    args = parser.parse_args()
    catalog.set_scale(args.scale)
    with temporary_server("autonews-bench-") as dsn:
        prepare_warehouse(dsn)
        results: dict[str, list[dict[str, float]]] = {"scrapy bench": [], "autonews demo": [],
                                                      "autonews demo, unthrottled": []}
        for _ in range(args.repeat):
            results["scrapy bench"].append(scrapy_bench(args.bench_seconds))
            results["autonews demo"].append(demo_crawl(dsn, unthrottled=False))
            results["autonews demo, unthrottled"].append(demo_crawl(dsn, unthrottled=True))
    print(f"{'crawler':32} {'pages':>7} {'pages/s (crawl)':>16} {'pages/s (wall)':>15}")
    summary = {}
    for name, runs in results.items():
        rate = statistics.median(r["pages_per_s"] for r in runs)
        wall = statistics.median(r.get("pages_per_s_wall", r["pages_per_s"]) for r in runs)
        summary[name] = {"pages": runs[0]["pages"], "pages_per_s": rate, "pages_per_s_wall": wall}
        print(f"{name:32} {runs[0]['pages']:>7} {rate:>16.1f} {wall:>15.1f}")
    base = summary["scrapy bench"]["pages_per_s"]
    for name in ("autonews demo", "autonews demo, unthrottled"):
        print(f"{name} / scrapy bench = {summary[name]['pages_per_s'] / base:.2f}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "crawl.json").write_text(json.dumps({"repeat": args.repeat, "runs": results,
                                                "summary": summary}, indent=2))


if __name__ == "__main__":
    main()

"""The clean stage alone, timed and profiled: N generated pages (bench/day.py's) stored as a
crawl stores them, then `clean_source` with 1 and 2 workers, and a cProfile of extraction
on one core (what bench/README.md names as the top costs).

Usage (from the repository root):

    .venv/bin/python bench/clean_profile.py --pages 1000 --workers 1 --workers 2
    .venv/bin/python bench/clean_profile.py --pages 300 --profile 25
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import multiprocessing
import os
import pstats
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import day  # noqa: E402

from autonews.core import Window  # noqa: E402
from autonews.jobs import prepare_warehouse  # noqa: E402
from autonews.jobs.clean import clean_source  # noqa: E402
from autonews.jobs.extract_pool import ExtractPool, PageJob, extract_one  # noqa: E402
from autonews.sources import load_sources  # noqa: E402
from transforms import ExtractionRules, extract_article, url_hash  # noqa: E402
from warehouse.connection import temporary_server  # noqa: E402
from warehouse.raw_pages import RawPageStore  # noqa: E402

BASE = "http://127.0.0.1:8999"


def store(dsn: str, pages: int) -> None:
    rows = RawPageStore(dsn, batch_size=200)
    fetched = datetime.now(UTC)
    for i in range(pages):
        article = day.make_article(i)
        body = day.render(i, BASE)
        url = BASE + article.path
        rows.add({"run_id": "stored", "source_id": "benchwire", "url": url,
                  "url_hash": url_hash(url), "kind": "article", "outcome": "fetched",
                  "http_status": 200, "fetched_at": fetched, "final_url": url, "body": body,
                  "body_bytes": len(body), "content_type": "text/html; charset=utf-8",
                  "content_hash": hashlib.sha256(body).hexdigest(),
                  "listed_at": article.published, "discovered_via": "sitemap"})
    rows.close()


def _spin(n: int) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - started


def machine_parallelism() -> float:
    """How many cores' worth two processes get right now: a pure-Python loop alone, then
    in two processes at once (2.0 on two free cores)."""
    ctx = multiprocessing.get_context("fork")
    alone = _spin(3_000_000)
    with ctx.Pool(2) as pool:
        started = time.perf_counter()
        pool.map(_spin, [3_000_000, 3_000_000])
        both = time.perf_counter() - started
    return 2 * alone / both


def compare_pool(count: int) -> None:
    """The pool's cost and scaling, extraction only: in process, then 1 and 2 workers."""
    print(f"two processes get {machine_parallelism():.2f} cores' worth now")
    jobs = [PageJob(day.render(i, BASE), BASE + day.make_article(i).path, "text/html")
            for i in range(count)]
    rules = ExtractionRules()
    started = time.perf_counter()
    for job in jobs:
        extract_one(job, rules)
    print(f"in process: {count / (time.perf_counter() - started):.1f} pages/s")
    for workers in (1, 2):
        with ExtractPool(rules, workers, 60) as pool:
            started = time.perf_counter()
            pool.map(jobs)
            print(f"pool of {workers}: {count / (time.perf_counter() - started):.1f} pages/s")
    print(f"two processes get {machine_parallelism():.2f} cores' worth now")


def _cpu() -> dict[str, float]:
    """CPU seconds so far: this process (the clean's reading and staging), its ended
    children (the workers), every PostgreSQL process."""
    times = os.times()
    server = 0.0
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] == "postgres":
            try:
                t = proc.cpu_times()  # ended backends count in the postmaster's children
                server += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
    return {"CLI": times.user + times.system, "workers": times.children_user
            + times.children_system, "PostgreSQL": server}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--workers", type=int, action="append")
    parser.add_argument("--pool", type=int, default=0,
                        help="extract N pages in this process, then in the pool with 1 and 2 "
                             "workers (no warehouse)")
    parser.add_argument("--profile", type=int, default=0,
                        help="print the top N functions of extraction on one core")
    args = parser.parse_args()
    day.ARGS_PAGES = args.pages
    if args.pool:
        compare_pool(args.pool)
        return 0
    window = Window.for_day(day.DAY)
    with temporary_server("autonews-bench-clean-") as dsn:
        prepare_warehouse(dsn)
        store(dsn, args.pages)
        sources = Path(ROOT / "bench" / ".clean_profile_sources.toml")
        sources.write_text(day.SOURCES.replace("{base}", BASE).replace("{pages}",
                                                                       str(args.pages)))
        (source,) = load_sources(sources)
        sources.unlink()
        for workers in args.workers or []:
            me = psutil.Process()
            before = me.memory_info().rss
            peak = [before]
            done = threading.Event()

            def sample(peak: list[int] = peak, done: threading.Event = done,
                       me: psutil.Process = me) -> None:
                while not done.wait(0.05):
                    peak[0] = max(peak[0], me.memory_info().rss)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            cpu_before = _cpu()
            started = time.perf_counter()
            result = clean_source(dsn, source, window, f"w{workers}", workers=workers,
                                  force=True)
            seconds = time.perf_counter() - started
            done.set()
            sampler.join()
            cpu = {k: v - cpu_before[k] for k, v in _cpu().items()}
            print(f"clean, {workers} worker(s): {result.pages} pages in {seconds:.1f} s = "
                  f"{result.pages / seconds:.1f} pages/s; this process's RSS "
                  f"{before / 2**20:.0f} MB before, peak {peak[0] / 2**20:.0f} MB; CPU s: "
                  + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()))
        if args.workers:
            started = time.perf_counter()
            result = clean_source(dsn, source, window, "reuse", workers=1)
            seconds = time.perf_counter() - started
            print(f"clean, unchanged pages reused: {result.pages} pages in {seconds:.2f} s")
        with psycopg.connect(dsn) as conn:
            stored = conn.execute("SELECT url, body FROM raw_pages ORDER BY raw_page_id LIMIT %s",
                                  (args.pages,)).fetchall()
    if args.profile:
        pages = [(url, bytes(body)) for url, body in stored]
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for url, body in pages:
            extract_article(body, url)
        profiler.disable()
        seconds = time.perf_counter() - started
        print(f"\nextraction on one core under cProfile: {len(pages) / seconds:.1f} pages/s")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

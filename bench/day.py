"""A big day end to end: `autonews run` on a day of N generated pages, first run and rerun,
beside trafilatura on the same pages, in one run (issue 17).

Usage (from the repository root):

    .venv/bin/python bench/day.py --pages 1000
    .venv/bin/python bench/day.py --pages 10000 --workers 1 --workers 2

What it does:
- generates N article pages of one day (our own text: the demo site's paragraphs shuffled,
  numbers changed, under made-up titles; the demo's WordPress-like template) and serves
  them on 127.0.0.1 with a sitemap, ETags and 304s, as a real news site would;
- runs `autonews run --date D --sources FILE --json` in a subprocess on a fresh database
  of a throwaway embedded PostgreSQL, then again (the rerun: nothing changed);
- prints, per run: wall time, each stage's time (pipeline_runs) and pages/s, and the peak
  RSS of the CLI, of its largest crawl process, of its largest clean worker, of PostgreSQL;
- then extracts the same pages in this process with our cleaner and with trafilatura,
  interleaved page by page: pages/s of each on one core.

`--workers` runs the whole thing once per value (AUTONEWS_CLEAN_WORKERS) on its own database.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import http.server
import json
import multiprocessing
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autonews.demo import catalog, templates  # noqa: E402
from transforms import extract_article  # noqa: E402
from warehouse.connection import temporary_server  # noqa: E402

DAY = date(2026, 11, 20)
SECTIONS = ("Industry", "Electric", "Reviews", "Policy", "Motorsport")
DEMO = [a for a in catalog.articles() if a.source == "motorwire"]
RELATED = DEMO[:6]  # teasers under every page, as news templates show


def make_article(index: int) -> catalog.DemoArticle:
    """Page `index` of the day: deterministic, our own text."""
    rng = random.Random(index)
    demo = DEMO
    base = demo[index % len(demo)]
    pool = [b[1] for a in rng.sample(demo, min(4, len(demo))) for b in a.blocks
            if b[0] == "paragraph"]
    blocks = tuple(("paragraph", re.sub(r"\d+", lambda m: str(rng.randint(2, 990)), text))
                   for text in rng.sample(pool, min(len(pool), rng.randint(6, 14))))
    published = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC) + timedelta(
        seconds=int(index * 86000 / max(1, ARGS_PAGES)))
    section = SECTIONS[index % len(SECTIONS)]
    return dataclasses.replace(
        base, source="motorwire", slug=f"{base.slug}-{index}",
        title=f"{base.title.split(':')[0]} ({section} {index})", published=published,
        modified=None, section=section, blocks=blocks, nid=100000 + index)


ARGS_PAGES = 1000  # set by main (the day's spread of publication times)


def render(index: int, base: str) -> bytes:
    return templates.motorwire_article(base, make_article(index), RELATED).encode()


class Site(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def serve(port_out: Any, pages: int) -> None:
    """The site, in a process of its own: robots.txt, sitemap.xml and the N pages."""
    global ARGS_PAGES
    ARGS_PAGES = pages
    paths = {make_article(i).path: i for i in range(pages)}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            base = f"http://{self.headers.get('Host')}"
            path = self.path.split("?")[0]
            if path == "/robots.txt":
                self._send(b"User-agent: *\nAllow: /\n", "text/plain")
            elif path == "/sitemap.xml":
                urls = "".join(
                    f"<url><loc>{base}{make_article(i).path}</loc><lastmod>"
                    f"{make_article(i).published.isoformat()}</lastmod></url>"
                    for i in range(pages))
                self._send(('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.'
                            f'sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>').encode(),
                           "application/xml")
            elif path in paths:
                body = render(paths[path], base)
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self._send(body, "text/html; charset=utf-8", etag)
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def _send(self, body: bytes, kind: str, etag: str | None = None) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    site = Site(("127.0.0.1", 0), Handler)
    port_out.send(site.server_address[1])
    site.serve_forever()


SOURCES = """
[[source]]
id = "benchwire"
name = "Bench Wire (generated pages, bench/day.py)"
home = "{base}/"
sitemaps = ["{base}/sitemap.xml"]
allow = ['/motorwire/[a-z-]+/[a-z0-9-]+/$']
language = "en"
timezone = "UTC"
allow_private_network = true
max_pages = {pages}

[source.crawl_settings]
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = false
CONCURRENT_REQUESTS_PER_DOMAIN = 16
CONCURRENT_REQUESTS = 16
DOWNLOAD_TIMEOUT = 30
CRAWL_TIME_BUDGET = 86400
"""


class Peaks:
    """Peak RSS, sampled every 0.1 s, of a process tree by role."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _role(self, proc: psutil.Process) -> str:
        if proc.pid == self.root:
            return "cli"
        try:
            cmd = " ".join(proc.cmdline())
        except psutil.Error:
            return "other"
        if "scrapy" in cmd or "crawl" in cmd:
            return "crawl"
        if proc.ppid() == self.root:
            return "clean worker"
        return "other"

    def _sample(self) -> None:
        try:
            root = psutil.Process(self.root)
        except psutil.Error:
            return
        while not self._stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for proc in procs:
                try:
                    rss = proc.memory_info().rss
                    role = self._role(proc)
                except psutil.Error:
                    continue
                self.peak[role] = max(self.peak.get(role, 0), rss)
            time.sleep(0.1)

    def stop(self) -> dict[str, int]:
        self._stop.set()
        self._thread.join()
        return self.peak


def postgres_rss() -> int:
    """Resident memory of the embedded PostgreSQL's processes, summed (shared buffers
    counted once per process: an upper bound)."""
    total = 0
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] == "postgres":
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
    return total


def run_cli(dsn: str, sources: Path, run: str, workers: int | None) -> dict[str, Any]:
    env = {**os.environ, "AUTONEWS_DSN": dsn, "AUTONEWS_HOME": str(sources.parent)}
    if workers:
        env["AUTONEWS_CLEAN_WORKERS"] = str(workers)
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own CLI
        [str(ROOT / ".venv/bin/autonews"), "run", "--date", DAY.isoformat(), "--sources",
         str(sources), "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    peaks = Peaks(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    peak = peaks.stop()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"autonews run failed ({proc.returncode}): {err[-2000:]}")
    summary = json.loads(out)
    run_id = summary.get("run_id")
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT stage, extract(epoch FROM finished_at - started_at), counts "
            "FROM pipeline_runs WHERE run_id = %s", (run_id,)).fetchall()
    stages = {stage: (float(seconds or 0), counts) for stage, seconds, counts in rows}
    return {"run": run, "wall": wall, "stages": stages, "peak": peak}


def report(result: dict[str, Any]) -> None:
    stages = result["stages"]
    crawl = stages.get("crawl", (0, {}))[1]
    clean = stages.get("clean", (0, {}))[1]
    pages = {"crawl": crawl.get("fetched", 0) + crawl.get("not_modified", 0),
             "clean": clean.get("pages", 0), "gate": clean.get("pages", 0),
             "load": clean.get("articles", 0), "enrich": clean.get("articles", 0)}
    print(f"\n{result['run']}: wall {result['wall']:.1f} s; crawl fetched "
          f"{crawl.get('fetched')} / not modified {crawl.get('not_modified')}; clean "
          f"{clean.get('pages')} pages -> {clean.get('articles')} articles, "
          f"{clean.get('rejected')} rejected")
    for stage in ("crawl", "clean", "gate", "load", "enrich"):
        if stage in stages:
            seconds = stages[stage][0]
            rate = f"{pages[stage] / seconds:8.1f} pages/s" if seconds >= 0.05 else ""
            print(f"  {stage:6} {seconds:8.1f} s  {rate}")
    print("  peak RSS: " + ", ".join(f"{role} {rss / 2**20:.0f} MB"
                                     for role, rss in sorted(result["peak"].items())))


def compare_extractors(pages: int, base: str, sample: int) -> None:
    """Our cleaner and trafilatura on the same pages, one core, interleaved page by page."""
    import trafilatura

    indexes = list(range(0, pages, max(1, pages // sample)))[:sample]
    ours = theirs = 0.0
    for i in indexes:
        html = render(i, base)
        url = base + make_article(i).path
        t = time.perf_counter()
        extract_article(html, url)
        ours += time.perf_counter() - t
        t = time.perf_counter()
        trafilatura.bare_extraction(html.decode(), url=url, with_metadata=True)
        theirs += time.perf_counter() - t
    n = len(indexes)
    print(f"\none core, {n} of the same pages: ours {n / ours:.1f} pages/s, trafilatura "
          f"{n / theirs:.1f} pages/s (ratio {theirs / ours:.2f})")


def main() -> int:
    global ARGS_PAGES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--workers", type=int, action="append",
                        help="AUTONEWS_CLEAN_WORKERS (repeatable; default: the setting's)")
    parser.add_argument("--sample", type=int, default=300,
                        help="pages for the one-core extractor comparison")
    parser.add_argument("--no-rerun", action="store_true")
    args = parser.parse_args()
    ARGS_PAGES = args.pages
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    site = ctx.Process(target=serve, args=(child, args.pages), daemon=True)
    site.start()
    base = f"http://127.0.0.1:{parent.recv()}"
    print(f"{args.pages} pages on {base}, day {DAY}; {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.2f}")
    try:
        with temporary_server("autonews-bench-day-") as admin, \
                tempfile.TemporaryDirectory(prefix="autonews-bench-day-") as tmp:
            sources = Path(tmp) / "sources.toml"
            sources.write_text(SOURCES.replace("{base}", base).replace("{pages}",
                                                                         str(args.pages)))
            for workers in args.workers or [None]:
                name = f"bench_day_{workers or 'default'}_{time.time_ns()}"
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                dsn = re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", admin, count=1)
                label = f"workers={workers or 'default'}"
                report(run_cli(dsn, sources, f"first run ({label})", workers))
                if not args.no_rerun:
                    report(run_cli(dsn, sources, f"rerun ({label})", workers))
                print(f"  PostgreSQL RSS now (all its processes): "
                      f"{postgres_rss() / 2**20:.0f} MB")
        compare_extractors(args.pages, base, args.sample)
    finally:
        site.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

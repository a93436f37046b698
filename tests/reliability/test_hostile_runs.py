"""Whole runs next to a hostile source: a slow site cannot stop a healthy one nor outlast
the run's budget, one site cannot take another's articles, and a crawl opens no
remote-control port (issue 16, items 1, 4 and 15)."""

from __future__ import annotations

import json
import os
import threading
import time

import psutil
import psycopg
import pytest

from autonews.core import Window
from autonews.demo import catalog
from autonews.demo.hostile import (
    DAY,
    HostileSite,
    article_html,
    rss,
    sources_file,
    trickle,
)
from autonews.jobs import crawl_source, run_source
from autonews.sources import DEMO_SOURCES, load_sources
from tests.helpers import autonews

pytestmark = pytest.mark.e2e


def test_a_slow_source_listed_first_cannot_stop_a_healthy_one_or_the_runs_budget(
        dsn, demo, tmp_path):
    healthy = load_sources(DEMO_SOURCES, {"demo_url": demo.url}, only="motorwire")[0]
    with HostileSite() as site:
        slow = [f"/news/trickling-{n}" for n in range(30)]
        site.page("/feed", rss(site.url, slow), content_type="application/rss+xml")
        for path in slow:
            site.routes[path] = lambda h: trickle(h, 120, every=1.0)
        hostile = site.source("slowloris", feeds=(f"{site.url}/feed",),
                              crawl_settings={"CONCURRENT_REQUESTS_PER_DOMAIN": 2,
                                              "DOWNLOAD_DELAY": 0.05})
        sources = sources_file(tmp_path / "sources.toml", hostile)
        with sources.open("a") as out:  # the healthy demo source after it
            demo_text = DEMO_SOURCES.read_text()
            start = demo_text.index("[[source]]\nid = \"motorwire\"")
            out.write(demo_text[start:demo_text.index("[[source]]", start + 10)]
                      .replace("{demo_url}", demo.url))
        env = {**os.environ, "AUTONEWS_DSN": dsn, "AUTONEWS_HOME": str(tmp_path)}
        day = catalog.latest_day()
        started = time.monotonic()
        done = autonews(env, "run", "--sources", str(sources), "--date", str(day),
                        "--budget", "40", "--json", timeout=300)
        took = time.monotonic() - started
    report = {s["source"]: s for s in json.loads(done.stdout)["sources"]}
    assert report["motorwire"]["inserted"] == len(catalog.published_on(day, "motorwire"))
    assert report["motorwire"]["error"] is None
    assert any("crawl_time" in n for n in report["slowloris"]["notes"]), report["slowloris"]
    assert took < 40 + 60, took  # the budget, start-up and the clean after it
    assert healthy.id == "motorwire"


def test_a_page_naming_another_sites_article_as_canonical_takes_nothing(dsn):
    day = Window.for_day(DAY)
    with HostileSite() as victim_site, HostileSite() as attacker_site:
        original = f"{victim_site.url}/news/the-original-story"
        victim_site.page("/feed", rss(victim_site.url, ["/news/the-original-story"]),
                         content_type="application/rss+xml")
        victim_site.page("/news/the-original-story", article_html("The Original Story"))
        attacker_url = attacker_site.url.replace("127.0.0.1", "localhost")
        copy = article_html("A Copied Story").replace(
            "<title>", f"<link rel='canonical' href='{original}'><title>")
        attacker_site.page("/feed", rss(attacker_url, ["/news/copy"]),
                           content_type="application/rss+xml")
        attacker_site.page("/news/copy", copy)
        victim = victim_site.source("victim", feeds=(f"{victim_site.url}/feed",))
        attacker = attacker_site.source("attacker", home=f"{attacker_url}/",
                                        feeds=(f"{attacker_url}/feed",))
        first = run_source(dsn, victim, day, "victim-run")
        second = run_source(dsn, attacker, day, "attacker-run")
        again = run_source(dsn, victim, day, "victim-again")
    assert first.ok and second.ok and again.ok, (first.error, second.error, again.error)
    with psycopg.connect(dsn) as conn:
        rows = dict(conn.execute("SELECT canonical_url, source_id FROM articles").fetchall())
        title = conn.execute("SELECT title FROM articles WHERE canonical_url = %s",
                             (original,)).fetchone()
    assert rows[original] == "victim" and title == ("The Original Story",)
    assert rows[f"{attacker_url}/news/copy"] == "attacker"
    assert again.load.updated == 0


def test_a_crawl_listens_on_no_port(dsn):
    listening: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for proc in psutil.Process().children(recursive=True):
                try:
                    if "scrapers.run" in " ".join(proc.cmdline()):
                        listening.extend(f"{c.laddr}" for c in proc.net_connections("inet")
                                         if c.status == psutil.CONN_LISTEN)
                except psutil.Error:
                    pass
            time.sleep(0.2)

    with HostileSite() as site:
        paths = [f"/news/calm-story-{n}" for n in range(6)]
        site.page("/feed", rss(site.url, paths), content_type="application/rss+xml")

        def slow(handler) -> None:
            time.sleep(0.5)
            from autonews.demo.hostile import send

            send(handler, article_html(handler.path.rsplit("/", 1)[-1].title()))

        for path in paths:
            site.routes[path] = slow
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            result = crawl_source(dsn, site.source(
                feeds=(f"{site.url}/feed",), crawl_settings={
                    "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 0.05}),
                Window.for_day(DAY), "ports")
        finally:
            stop.set()
            watcher.join()
    assert result.fetched == len(paths)
    assert listening == []

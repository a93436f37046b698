"""Hostile sites on loopback, for the reliability tests and the soak: a threaded HTTP server
whose routes a caller writes (endless sitemaps, trickling pages, port-changing redirects, a
page claiming another site's article...), the article pages a healthy site would serve, and
sources pointing at them. `soak_sources` sets up the soak's hostile sources."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from autonews.core.source import Source

Handler = Callable[[BaseHTTPRequestHandler], None]
DAY = date(2026, 11, 13)
NOON = datetime(2026, 11, 13, 12, tzinfo=UTC)


def article_html(title: str, words: int = 220) -> str:
    """A plain article page of our own words."""
    body = "".join(
        f"<p>On day {n} the test bench counted {n * 17} bolts twice before prototype {n + 3} "
        f"left the hall, and engineer number {n * 5 + 1} wrote down what check {n} had found "
        f"about the brakes, the wiring and the {n * 2}-litre tank.</p>"
        for n in range(max(1, words // 30)))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"</head><body><article><h1>{title}</h1>"
            f"<time datetime='{NOON.isoformat()}'>{NOON:%d %B %Y}</time>{body}</article>"
            "</body></html>")


def rss(base: str, paths: list[str], when: datetime = NOON) -> str:
    items = "".join(f"<item><title>Story {n}</title><link>{base}{p}</link>"
                    f"<pubDate>{format_datetime(when)}</pubDate></item>"
                    for n, p in enumerate(paths))
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}" \
           "</channel></rss>"


def send(handler: BaseHTTPRequestHandler, body: bytes | str, status: int = 200,
         content_type: str = "text/html; charset=utf-8", **headers: str) -> None:
    data = body.encode() if isinstance(body, str) else body
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(data)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(data)


def trickle(handler: BaseHTTPRequestHandler, seconds: float, every: float = 0.5) -> None:
    """A slow-loris page: headers, then one byte every `every` seconds for `seconds`."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    stop = time.monotonic() + seconds
    try:
        while time.monotonic() < stop:
            handler.wfile.write(b"<")
            handler.wfile.flush()
            time.sleep(every)
    except OSError:
        pass  # the client gave up: what the test wants


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up on hostile pages are expected


class HostileSite:
    """A loopback site: `site.routes[path] = handler`; `site.hits` counts requests."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: Counter[str] = Counter()
        self.prefix_routes: list[tuple[str, Handler]] = []
        site = self

        class Request(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?", 1)[0]
                site.hits[path] += 1
                handler = site.routes.get(path) or next(
                    (h for p, h in site.prefix_routes if path.startswith(p)), None)
                if path == "/robots.txt" and handler is None:
                    send(self, "User-agent: *\nAllow: /\n", content_type="text/plain")
                elif handler is None:
                    send(self, "not here", 404, "text/plain")
                else:
                    handler(self)

        self.server = _Quiet(("127.0.0.1", 0), Request)
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def page(self, path: str, body: str | bytes, **kwargs: Any) -> None:
        self.routes[path] = lambda h: send(h, body, **kwargs)

    def __enter__(self) -> HostileSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def source(self, source_id: str = "hostile", **values: Any) -> Source:
        """A source for this site (loopback: private network allowed), fast settings."""
        settings = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                    "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "RETRY_BACKOFF_BASE": 0.1,
                    "DOWNLOAD_TIMEOUT": 5, **values.pop("crawl_settings", {})}
        values.setdefault("home", f"{self.url}/")
        return Source(id=source_id, name=f"Hostile {source_id}", allow_private_network=True,
                      crawl_settings=settings, **values)


def sources_file(path: Path, *sources: Source) -> Path:
    """A sources TOML file listing `sources` (feeds only), as a user would write it."""
    lines: list[str] = []
    for source in sources:
        lines += ["[[source]]", f'id = "{source.id}"', f'name = "{source.name}"',
                  f'home = "{source.home}"',
                  "feeds = [" + ", ".join(f'"{f}"' for f in source.feeds) + "]",
                  f"allow_private_network = {str(source.allow_private_network).lower()}",
                  "", "[source.crawl_settings]"]
        for key, value in source.crawl_settings.items():
            lines.append(f"{key} = {str(value).lower() if isinstance(value, bool) else value}")
        lines.append("")
    path.write_text("\n".join(lines))
    return path


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_index(children: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{c}</loc></sitemap>" for c in children)
    return f"<?xml version='1.0'?><sitemapindex xmlns='{SITEMAP_NS}'>{entries}</sitemapindex>"


def soak_sources(site: HostileSite, day: date, victim_url: str, budget: float) -> list[Source]:
    """The soak's hostile sources for `day`, served by `site`, each with a crawl budget of
    `budget` seconds: a sitemap index naming ten new children on every fetch and one of
    50,000 children (`endless`), 40 pages trickling a byte a second (`slowloris`), and a
    page whose `rel=canonical` names `victim_url`, another source's article (`thief`)."""
    counter = itertools.count()
    when = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)

    def endless(handler: BaseHTTPRequestHandler) -> None:
        send(handler, sitemap_index([f"{site.url}/endless/{next(counter)}.xml"
                                     for _ in range(10)]), content_type="application/xml")

    site.prefix_routes.append(("/endless/", endless))
    site.page("/big-index.xml", sitemap_index([f"{site.url}/endless/part-{n}.xml"
                                               for n in range(50_000)]),
              content_type="application/xml")
    slow = [f"/slow/{day}/page-{n}" for n in range(40)]
    site.page(f"/slow/{day}/feed", rss(site.url, slow, when),
              content_type="application/rss+xml")
    for path in slow:
        site.routes[path] = lambda h: trickle(h, 600, every=1.0)
    copy = article_html(f"A Copied Story of {day}").replace(
        "<title>", f"<link rel='canonical' href='{victim_url}'><title>")
    site.page(f"/thief/{day}/feed", rss(site.url, [f"/thief/{day}/copy"], when),
              content_type="application/rss+xml")
    site.page(f"/thief/{day}/copy", copy)
    limits = {"CRAWL_TIME_BUDGET": budget, "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
              "DOWNLOAD_DELAY": 0.05}
    return [
        site.source("endless", sitemaps=(f"{site.url}/endless/root.xml",
                                         f"{site.url}/big-index.xml"),
                    feeds=(f"{site.url}/thief/{day}/feed",), crawl_settings=limits),
        site.source("slowloris", feeds=(f"{site.url}/slow/{day}/feed",),
                    crawl_settings=limits),
        site.source("thief", feeds=(f"{site.url}/thief/{day}/feed",), crawl_settings=limits),
    ]

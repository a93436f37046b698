"""The offline demo site: three automotive news sites under one 127.0.0.1 server.

`DemoSite().start()` serves on a free port in a background thread (the CLI's demo mode and
the tests use this); `autonews demo-site` serves in the foreground. Pages, sitemaps and
feeds are rendered from `catalog.py`; faults can be switched on while it runs
(`site.faults`, or `POST /_demo/faults`).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape as xml_escape

from autonews.demo import catalog, templates
from autonews.demo.archive import CCNEWS_PREFIX, ccnews_reply
from autonews.demo.catalog import DemoArticle
from autonews.demo.faults import FaultSet
from autonews.demo.replies import Reply, iso, urlset, xml

log = logging.getLogger(__name__)

FEED_SIZE = 10
NEWS_SITEMAP_DAYS = 2
SLOW_SECONDS = 1.5
PDF_BYTES = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"
             b"trailer << >>\n%%EOF\n")

ROBOTS = """User-agent: *
Disallow: /motorwire/wp-admin/
Allow: /motorwire/wp-admin/admin-ajax.php
Disallow: /motorwire/members/
Disallow: /autoledger/api/
Disallow: /gearbox/user/
Disallow: /gearbox/search/
Disallow: /_demo/

Sitemap: {base}/motorwire/sitemap_index.xml
Sitemap: {base}/autoledger/sitemap.xml
Sitemap: {base}/autoledger/news-sitemap.xml
Sitemap: {base}/gearbox/sitemap.xml
"""


def _listed(source: str) -> list[DemoArticle]:
    return [a for a in catalog.by_source(source) if a.in_archive]


def _related(article: DemoArticle) -> list[DemoArticle]:
    own = [a for a in catalog.by_source(article.source) if a is not article]
    return own[-3:]


class DemoRoutes:
    """URL -> Reply for the three demo sites; `base` is the scheme://host:port seen by the
    client (so the compose service name works as well as 127.0.0.1)."""

    def __init__(self, faults: FaultSet) -> None:
        self.faults = faults

    # ------------------------------------------------------------ dispatch

    def reply(self, base: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str]) -> Reply:
        fault = self.faults.route(base, path, query, headers)
        if fault is not None:
            return fault
        if path == "/robots.txt":
            return Reply(ROBOTS.format(base=base), content_type="text/plain; charset=utf-8")
        if path == "/":
            return Reply(self._index(base))
        if path.startswith(CCNEWS_PREFIX + "/"):  # an archive of the pages, faults off
            return ccnews_reply(DemoRoutes(FaultSet()), base, path)
        for prefix, handler in (
            ("/motorwire/", self._motorwire),
            ("/autoledger/", self._autoledger),
            ("/gearbox/", self._gearbox),
        ):
            if path.startswith(prefix) or path == prefix.rstrip("/"):
                found = handler(base, path, query, headers)
                if found is not None:
                    return found
                return Reply(templates.not_found_page(base, prefix.strip("/")), 404)
        return Reply(templates.not_found_page(base, "motorwire"), 404)

    def _index(self, base: str) -> str:
        links = "".join(f'<li><a href="{base}/{s}/">{catalog.SITE_NAMES[s]}</a></li>'
                        for s in catalog.SOURCES)
        return (f"<!DOCTYPE html><html><head><title>autonews demo</title></head><body>"
                f"<h1>autonews offline demo</h1><ul>{links}</ul></body></html>")

    def _article(self, base: str, article: DemoArticle, headers: dict[str, str]) -> Reply:
        lastmod = article.lastmod_utc
        broken = self.faults.active("broken_template", article.source)
        # a different page is a different representation: its own ETag
        etag = article.etag[:-1] + '-csr"' if broken else article.etag
        validators = {"ETag": etag,
                      "Last-Modified": format_datetime(lastmod, usegmt=True),
                      "Cache-Control": "max-age=300"}
        if headers.get("if-none-match") == etag:
            return Reply(b"", 304, headers=validators)
        since = headers.get("if-modified-since")
        if since and "if-none-match" not in headers:
            try:
                if parsedate_to_datetime(since) >= lastmod.replace(microsecond=0):
                    return Reply(b"", 304, headers=validators)
            except (TypeError, ValueError):
                pass
        if broken:
            html = templates.gearbox_article_client_rendered(base, article)
        else:
            html = templates.ARTICLE_TEMPLATES[article.source](base, article, _related(article))
        return Reply(html, headers=validators)

    def _broken(self, base: str, source: str, path: str) -> Reply | None:
        for page in catalog.broken_pages():
            if page.source != source or page.path != path:
                continue
            if page.kind == "not_found":
                return Reply(templates.not_found_page(base, source), 404)
            if page.kind == "server_error":
                return Reply(templates.server_error_page(), 500)
            if page.kind == "slow":
                time.sleep(SLOW_SECONDS)
                return Reply(templates.slow_page(base))
            if page.kind == "not_html":
                return Reply(PDF_BYTES, content_type="application/pdf")
            if page.kind == "gallery":
                return Reply(templates.gallery_page(
                    base, "In Pictures: The Night of the Motor Show"))
            if page.kind == "video":
                return Reply(templates.video_page(base, "First Look at the New Pickup"))
            if page.kind == "robots":
                return Reply("<html><body><h1>Members only</h1><p>Log in to read this "
                             "briefing.</p></body></html>")
        return None

    # ------------------------------------------------------------ motorwire (WordPress)

    def _motorwire(self, base: str, path: str, query: dict[str, list[str]],
                   headers: dict[str, str]) -> Reply | None:
        if path in ("/motorwire", "/motorwire/"):
            items = list(reversed(_listed("motorwire")))[:FEED_SIZE]
            return Reply(templates.listing_page(base, "motorwire", "Latest News", items, None))
        if path == "/motorwire/sitemap_index.xml":
            return self._mw_sitemap_index(base)
        match = re.fullmatch(r"/motorwire/(post-sitemap\d*|page-sitemap)\.xml", path)
        if match:
            return self._mw_sitemap(base, match.group(1))
        if path == "/motorwire/feed/":
            return self._rss(base, "motorwire", tracking=True)
        match = re.fullmatch(r"/motorwire/(\d{4})/(\d{2})/(\d{2})/(?:page/(\d+)/)?", path)
        if match:
            y, m, d, page = match.groups()
            try:
                day = date(int(y), int(m), int(d))
            except ValueError:
                return None
            items = [a for a in _listed("motorwire") if a.published.date() == day]
            return self._paged(base, "motorwire", f"Day: {day:%B} {day.day}, {day.year}",
                               list(reversed(items)), int(page or 1), 1,
                               lambda n: f"{base}/motorwire/{y}/{m}/{d}/"
                                         + (f"page/{n}/" if n > 1 else ""))
        match = re.fullmatch(r"/motorwire/category/([\w-]+)/(?:page/(\d+)/)?", path)
        if match:
            slug, page = match.groups()
            items = [a for a in _listed("motorwire") if a.section_slug == slug]
            if not items:
                return None
            return self._paged(base, "motorwire", f"Category: {items[0].section}",
                               list(reversed(items)), int(page or 1), 2,
                               lambda n: f"{base}/motorwire/category/{slug}/"
                                         + (f"page/{n}/" if n > 1 else ""))
        article = catalog.find("motorwire", path)
        if article is not None:
            return self._article(base, article, headers)
        return self._broken(base, "motorwire", path)

    def _mw_posts(self) -> tuple[list[tuple[str, datetime]], list[tuple[str, datetime]]]:
        posts = [(a.path, a.lastmod_utc) for a in catalog.by_source("motorwire") if a.in_sitemap]
        posts += [(p.path, p.listed_at) for p in catalog.broken_pages()
                  if p.source == "motorwire" and "sitemap" in p.routes]
        posts.sort(key=lambda item: item[1])
        half = len(posts) // 2
        return posts[:half], posts[half:]

    def _mw_sitemap_index(self, base: str) -> Reply:
        first, second = self._mw_posts()
        entries = [("post-sitemap", max(t for _, t in first)),
                   ("post-sitemap2", max(t for _, t in second)),
                   ("page-sitemap", datetime(2025, 3, 2, 10, 0, tzinfo=UTC))]
        body = "".join(f"<sitemap><loc>{base}/motorwire/{name}.xml</loc>"
                       f"<lastmod>{iso(when)}</lastmod></sitemap>" for name, when in entries)
        return xml('<?xml-stylesheet type="text/xsl" href="/motorwire/main-sitemap.xsl"?>'
                    '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"{body}</sitemapindex>")

    def _mw_sitemap(self, base: str, name: str) -> Reply | None:
        first, second = self._mw_posts()
        if name == "page-sitemap":
            urls = [("/motorwire/about/", datetime(2025, 3, 2, 10, 0, tzinfo=UTC)),
                    ("/motorwire/contact/", datetime(2025, 3, 2, 10, 0, tzinfo=UTC))]
        elif name == "post-sitemap":
            urls = first
        elif name == "post-sitemap2":
            urls = second
        else:
            return None
        return urlset(base, urls)

    # ------------------------------------------------------------ autoledger (publisher)

    def _autoledger(self, base: str, path: str, query: dict[str, list[str]],
                    headers: dict[str, str]) -> Reply | None:
        if path in ("/autoledger", "/autoledger/"):
            items = list(reversed(_listed("autoledger")))[:FEED_SIZE]
            return Reply(templates.listing_page(base, "autoledger", "AutoLedger", items, None))
        if path == "/autoledger/sitemap.xml":
            months = [("2026-10", datetime(2026, 10, 30, 18, 0, tzinfo=UTC)),
                      ("2026-11", max(a.lastmod_utc for a in catalog.by_source("autoledger")))]
            body = "".join(f"<sitemap><loc>{base}/autoledger/sitemaps/{m}.xml</loc>"
                           f"<lastmod>{iso(t)}</lastmod></sitemap>" for m, t in months)
            return xml('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                        f"{body}</sitemapindex>")
        if path == "/autoledger/sitemaps/2026-10.xml":
            old = datetime(2026, 10, 28, 14, 0, tzinfo=UTC)
            return urlset(base, [(f"/autoledger/markets/october-story-{i}", old)
                                  for i in range(1, 4)])
        if path == "/autoledger/sitemaps/2026-11.xml":
            urls = [(a.path, a.lastmod_utc) for a in catalog.by_source("autoledger")
                    if a.in_sitemap]
            urls += [(p.path, p.listed_at) for p in catalog.broken_pages()
                     if p.source == "autoledger" and "sitemap" in p.routes]
            return urlset(base, sorted(urls, key=lambda u: u[1]))
        if path == "/autoledger/news-sitemap.xml":
            return self._news_sitemap(base)
        if path == "/autoledger/feed.atom":
            return self._atom(base)
        match = re.fullmatch(r"/autoledger/section/([\w-]+)", path)
        if match:
            slug = match.group(1)
            items = [a for a in _listed("autoledger") if a.section_slug == slug]
            if not items:
                return None
            page = _int(query.get("page", ["1"])[0], 1)
            return self._paged(base, "autoledger", items[0].section, list(reversed(items)),
                               page, 3, lambda n: f"{base}/autoledger/section/{slug}?page={n}")
        article = catalog.find("autoledger", path)
        if article is not None:
            return self._article(base, article, headers)
        return self._broken(base, "autoledger", path)

    def _news_sitemap(self, base: str) -> Reply:
        cutoff = catalog.now() - timedelta(days=NEWS_SITEMAP_DAYS)
        entries = []
        for a in catalog.by_source("autoledger"):
            if a.in_news_sitemap and a.published_utc >= cutoff:
                entries.append(
                    f"<url><loc>{base}{a.path}</loc><news:news><news:publication>"
                    "<news:name>AutoLedger</news:name><news:language>en</news:language>"
                    f"</news:publication><news:publication_date>{iso(a.published)}"
                    f"</news:publication_date><news:title>{xml_escape(a.title)}</news:title>"
                    "</news:news></url>")
        return xml('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                    f"{''.join(entries)}</urlset>")

    def _atom(self, base: str) -> Reply:
        items = [a for a in catalog.by_source("autoledger") if a.in_feed_window][-FEED_SIZE:]
        entries = "".join(
            f"<entry><title>{xml_escape(a.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{base}{a.path}"/>'
            f"<id>tag:autoledger.example,2026:{a.nid}</id>"
            f"<published>{iso(a.published)}</published>"
            f"<updated>{iso(a.modified or a.published)}</updated>"
            + "".join(f"<author><name>{xml_escape(n)}</name></author>" for n in a.authors)
            + f"<summary>{xml_escape(a.description)}</summary></entry>"
            for a in reversed(items))
        updated = iso(max(a.lastmod_utc for a in items))
        return xml('<feed xmlns="http://www.w3.org/2005/Atom"><title>AutoLedger</title>'
                    f'<link href="{base}/autoledger/"/><updated>{updated}</updated>'
                    f"<id>{base}/autoledger/</id>{entries}</feed>",
                    content_type="application/atom+xml; charset=utf-8")

    # ------------------------------------------------------------ gearbox (Drupal)

    def _gearbox(self, base: str, path: str, query: dict[str, list[str]],
                 headers: dict[str, str]) -> Reply | None:
        if path in ("/gearbox", "/gearbox/"):
            items = list(reversed(_listed("gearbox")))[:FEED_SIZE]
            return Reply(templates.listing_page(base, "gearbox", "Gearbox", items, None))
        if path == "/gearbox/sitemap.xml":
            urls = [(a.path, a.lastmod_utc) for a in catalog.by_source("gearbox")
                    if a.in_sitemap]
            urls += [(p.path, p.listed_at) for p in catalog.broken_pages()
                     if p.source == "gearbox" and "sitemap" in p.routes]
            return urlset(base, sorted(urls, key=lambda u: u[1]))
        if path == "/gearbox/rss.xml":
            return self._rss(base, "gearbox", tracking=False)
        match = re.fullmatch(r"/gearbox/archive/(\d{4})-(\d{2})-(\d{2})", path)
        if match:
            try:
                day = date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
            items = [a for a in _listed("gearbox") if a.published.date() == day]
            page = _int(query.get("page", ["0"])[0], 0)
            stem = f"{base}/gearbox/archive/{day.isoformat()}"
            return self._paged(base, "gearbox", f"Archive: {day:%d %B %Y}",
                               list(reversed(items)), page + 1, 1,
                               lambda n: stem + (f"?page={n - 1}" if n > 1 else ""))
        match = re.fullmatch(r"/gearbox/node/(\d+)", path)
        if match:
            nid = int(match.group(1))
            for alias, article in catalog.dupe_urls():
                if alias == path and article.nid == nid:
                    return self._article(base, article, headers)
            return None
        found = catalog.find("gearbox", path)
        if found is not None:
            return self._article(base, found, headers)
        return self._broken(base, "gearbox", path)

    # ------------------------------------------------------------ shared

    def _rss(self, base: str, source: str, tracking: bool) -> Reply:
        items = [a for a in catalog.by_source(source) if a.in_feed_window][-FEED_SIZE:]
        newest = items[-1] if items else None
        rendered = []
        for a in reversed(items):
            link = f"{base}{catalog.tracking_variant(a) if tracking else a.path}"
            if source == "gearbox" and a is newest:
                link = f"{base}/gearbox/node/{a.nid}"  # Drupal's node path, not the alias
            creator = "".join(f"<dc:creator><![CDATA[{n}]]></dc:creator>" for n in a.authors)
            rendered.append(
                f"<item><title>{xml_escape(a.title)}</title><link>{xml_escape(link)}</link>"
                f"{creator}<pubDate>{format_datetime(a.published)}</pubDate>"
                f'<guid isPermaLink="false">{base}/?p={a.nid}</guid>'
                f"<description>{xml_escape(a.description)}</description></item>")
        for page in catalog.broken_pages():
            if page.source == source and "feed" in page.routes:
                rendered.insert(0, f"<item><title>Story unavailable</title><link>{base}"
                                   f"{page.path}</link><pubDate>"
                                   f"{format_datetime(page.listed_at)}</pubDate></item>")
        site = catalog.SITE_NAMES[source]
        built = format_datetime(catalog.now() - timedelta(minutes=5))
        return xml('<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
                    f"<title>{site}</title><link>{base}/{source}/</link>"
                    f"<description>{site} news</description><lastBuildDate>{built}"
                    f"</lastBuildDate>{''.join(rendered)}</channel></rss>",
                    content_type="application/rss+xml; charset=utf-8")

    def _paged(self, base: str, source: str, heading: str, items: list[DemoArticle],
               page: int, per_page: int, url_of: Callable[[int], str]) -> Reply | None:
        pages = max(1, -(-len(items) // per_page))
        if page < 1 or page > pages:
            return None
        chunk = items[(page - 1) * per_page: page * per_page]
        next_url = url_of(page + 1) if page < pages else None
        prev_url = url_of(page - 1) if page > 1 else None
        return Reply(templates.listing_page(base, source, heading, chunk, next_url, prev_url))


def _int(value: str, default: int) -> int:
    try:
        return int(value)
    except ValueError:
        return default


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("demo-site %s", format % args)

    def _base(self) -> str:
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        return f"http://{host}"

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            reply = self.server.routes.reply(self._base(), parts.path, parse_qs(parts.query),
                                             headers)
        except Exception as exc:  # noqa: BLE001 - a demo bug must answer 500, not hang
            log.exception("demo site failed on %s", self.path)
            reply = Reply(f"<h1>demo site error</h1><pre>{escape(str(exc))}</pre>", 500)
        self.server.user_agents.add(self.headers.get("User-Agent", ""))
        if getattr(reply, "raw_writer", None):
            reply.raw_writer(self)  # type: ignore[attr-defined]
            return
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.status != 304:
            self.wfile.write(reply.body)

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        parts = urlsplit(self.path)
        if parts.path != "/_demo/faults":
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            wanted = json.loads(self.rfile.read(length) or b"[]")
            self.server.routes.faults.set(wanted)
        except (ValueError, TypeError) as exc:
            self.send_error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        body = json.dumps(sorted(self.server.routes.faults.names())).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A crawler hanging up on a fault page (too large, timed out) is expected.
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def __init__(self, address: tuple[str, int], routes: DemoRoutes) -> None:
        super().__init__(address, _Handler)
        self.routes = routes
        self.user_agents: set[str] = set()


class DemoSite:
    """The demo site on `host:port` (port 0 = a free one). Use as a context manager or
    call `start()`/`stop()`; `url` is its base URL."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.faults = FaultSet()
        self._server = _Server((host, port), DemoRoutes(self.faults))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def user_agents(self) -> set[str]:
        return self._server.user_agents

    def start(self) -> DemoSite:
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-site",
                                        daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

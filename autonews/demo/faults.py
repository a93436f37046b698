"""Faults the demo site serves: the fault lab's pages (always there, listed in its own
sitemap) and faults switched on while it runs for the regular sources
(`FaultSet.set(["flaky:motorwire"])` or `POST /_demo/faults`)."""

from __future__ import annotations

import builtins
import gzip
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any

from autonews.demo import catalog
from autonews.demo.catalog import SOURCES
from autonews.demo.replies import Reply, urlset

# Switchable faults: kind -> whether it names a source (`kind:source`).
KINDS: dict[str, bool] = {
    "broken_template": True,  # article pages lose their text (moved to client rendering)
    "flaky": True,  # every article answers 503 twice before it works (a burst of 5xx)
    "throttle": True,  # every article answers 429 with Retry-After: 1 once
    "slow": True,  # every response of the source waits 0.3 s
    "down": True,  # every connection to the source is reset: the site is down
}
FLAKY_FAILURES = 2
SLOW_SECONDS = 0.3
LAB_DAY_OFFSET = timedelta(hours=12)


@dataclass(frozen=True)
class LabPage:
    """A fault-lab URL: what it does and the outcome the crawl must record."""

    path: str
    kind: str
    expected_outcome: str
    article: bool = False  # serves an article once the fault is over

    @property
    def listed_at(self) -> datetime:
        return catalog.now() - LAB_DAY_OFFSET


LAB_PAGES: tuple[LabPage, ...] = (
    LabPage("/faultlab/news/burst-of-503s", "burst_5xx", "fetched", article=True),
    LabPage("/faultlab/news/throttled-with-retry-after", "retry_after", "fetched", article=True),
    LabPage("/faultlab/news/control-story", "ok", "fetched", article=True),
    LabPage("/faultlab/news/always-500", "always_500", "http_5xx"),
    LabPage("/faultlab/news/slow-headers", "slow_headers", "timeout"),
    LabPage("/faultlab/news/stalls-mid-body", "stall", "timeout"),
    LabPage("/faultlab/news/connection-reset", "reset", "connection_error"),
    LabPage("/faultlab/news/truncated-body", "truncated", "truncated"),
    LabPage("/faultlab/news/redirect-loop", "redirect_loop", "redirect_loop"),
    LabPage("/faultlab/news/off-domain-redirect", "offsite_redirect", "offsite_redirect"),
    LabPage("/faultlab/news/private-address-redirect", "private_redirect", "private_address"),
    LabPage("/faultlab/news/gzip-bomb", "gzip_bomb", "too_large"),
    LabPage("/faultlab/news/oversized-page", "oversized", "too_large"),
    LabPage("/faultlab/news/oversized-chunked", "oversized_chunked", "too_large"),
    LabPage("/faultlab/news/latin1-without-charset-header", "latin1_meta", "fetched",
            article=True),
    LabPage("/faultlab/news/charset-header-lies", "charset_lie", "fetched", article=True),
    LabPage("/faultlab/news/same-story-copy-1", "same_content", "fetched", article=True),
    LabPage("/faultlab/news/same-story-copy-2", "same_content", "fetched", article=True),
    LabPage("/faultlab/news/same-story-copy-3", "same_content", "fetched", article=True),
)
LAB_CALENDAR = "/faultlab/calendar/"  # an archive whose "next page" never ends
STALL_SECONDS = 4.0  # longer than the fault lab's download timeout (2 s)
OVERSIZED_BYTES = 10 * 1024 * 1024  # above DOWNLOAD_MAXSIZE (8 MB)
BOMB_BYTES = 64 * 1024 * 1024


class Raw:
    """A reply written straight to the socket (resets, stalls, truncation)."""

    def __init__(self, writer: Callable[[Any], None], status: int = 200) -> None:
        self.raw_writer = writer
        self.status = status
        self.body = b""
        self.headers: dict[str, str] = {}


class FaultSet:
    """Thread-safe set of active faults, and the fault lab's routes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: set[str] = set()
        self._hits: Counter[str] = Counter()

    @staticmethod
    def validate(name: str) -> str:
        kind, _, source = name.partition(":")
        if kind not in KINDS:
            raise ValueError(f"unknown fault '{kind}' (known: {', '.join(sorted(KINDS))})")
        if KINDS[kind] and source not in SOURCES:
            raise ValueError(f"fault '{kind}' needs a demo source: {kind}:<{'|'.join(SOURCES)}>")
        return name

    def set(self, names: Any) -> None:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise TypeError("faults must be a JSON list of names")
        checked = {self.validate(n) for n in names}
        with self._lock:
            self._active = checked
            self._hits.clear()

    def add(self, name: str) -> None:
        with self._lock:
            self._active.add(self.validate(name))

    def clear(self) -> None:
        with self._lock:
            self._active.clear()
            self._hits.clear()

    def names(self) -> builtins.set[str]:
        with self._lock:
            return set(self._active)

    def active(self, kind: str, source: str | None = None) -> bool:
        with self._lock:
            return kind in self._active or (source is not None
                                            and f"{kind}:{source}" in self._active)

    def _hit(self, key: str) -> int:
        with self._lock:
            self._hits[key] += 1
            return self._hits[key]

    # ------------------------------------------------------------ routing

    def route(self, base: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str]) -> Any:
        """The reply a fault imposes on `path`, or None to serve it normally."""

        if path.startswith("/faultlab/"):
            return self._lab(base, path, query)
        source = path.strip("/").split("/", 1)[0]
        if source not in SOURCES:
            return None
        if self.active("down", source):
            return Raw(_reset)
        if self.active("slow", source):
            time.sleep(SLOW_SECONDS)
        is_article = catalog.find(source, path) is not None
        if is_article and self.active("flaky", source) and self._hit(f"flaky:{path}") \
                <= FLAKY_FAILURES:
            return Reply("<h1>503 Service Unavailable</h1>", 503)
        if is_article and self.active("throttle", source) and self._hit(f"throttle:{path}") == 1:
            return Reply("<h1>429 Too Many Requests</h1>", 429, headers={"Retry-After": "1"})
        return None

    def _lab(self, base: str, path: str, query: dict[str, list[str]]) -> Any:

        if path == "/faultlab/sitemap.xml":
            return _lab_sitemap(base)
        if path.startswith(LAB_CALENDAR):
            page = int(query.get("page", ["1"])[0] or 1)
            return Reply(_calendar_page(base, path, page))
        page_def = next((p for p in LAB_PAGES if p.path == path), None)
        if page_def is None:
            return Reply("<h1>Not found</h1>", 404)
        kind = page_def.kind
        if kind == "burst_5xx" and self._hit(path) <= FLAKY_FAILURES:
            return Reply("<h1>503 Service Unavailable</h1>", 503)
        if kind == "retry_after" and self._hit(path) == 1:
            return Reply("<h1>429</h1>", 429, headers={"Retry-After": "1"})
        if kind == "always_500":
            return Reply("<h1>500</h1>", 500)
        if kind == "slow_headers":
            time.sleep(STALL_SECONDS)
            return Reply(_lab_article(base, path, "Slow story"))
        if kind == "stall":
            return Raw(_stall)
        if kind == "reset":
            return Raw(_reset)
        if kind == "truncated":
            return Raw(_truncated)
        if kind == "redirect_loop":
            return Reply("", 302, headers={"Location": f"{base}{path}?hop={self._hit(path)}"})
        if kind == "offsite_redirect":
            return Reply("", 301, headers={"Location": "http://www.example.com/elsewhere"})
        if kind == "private_redirect":
            return Reply("", 302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        if kind == "gzip_bomb":
            return Reply(_bomb(), headers={"Content-Encoding": "gzip"})
        if kind == "oversized":
            return Reply(b"<html><body>" + b"<p>x</p>" * (OVERSIZED_BYTES // 8) + b"</body></html>")
        if kind == "oversized_chunked":
            return Raw(_chunked_huge)
        if kind == "latin1_meta":
            html = _lab_article(base, path, "Citroën’s Café Racer Returns", charset="windows-1252")
            return Reply(html.encode("cp1252"), content_type="text/html")
        if kind == "charset_lie":
            html = _lab_article(base, path, "Škoda and Citroën Plan a Joint Café Tour",
                                charset="windows-1252")
            return Reply(html.encode("cp1252"), content_type="text/html; charset=utf-8")
        if kind == "same_content":
            return Reply(_lab_article(base, path, "The Story Published Three Times",
                                      canonical=False))
        return Reply(_lab_article(base, path, _title_of(path)))


# ---------------------------------------------------------------- lab pages


def _title_of(path: str) -> str:
    return path.rsplit("/", 1)[-1].replace("-", " ").capitalize()


_LAB_TEXT = (
    "This page belongs to the fault lab of the autonews demo site. It exists so that the "
    "crawler meets a misbehaving server and the tests can check what was recorded.",
    "Once the fault is over the page answers like any article would, with a headline, a "
    "byline, a date and a few paragraphs of text that the cleaner can extract.",
    "Nothing in this story is news: the words are here to be counted, stored and compared, "
    "and to prove that one broken page does not spoil the rest of a crawl.",
)


def _lab_article(base: str, path: str, title: str, charset: str = "utf-8",
                 canonical: bool = True) -> str:
    when = (catalog.now() - LAB_DAY_OFFSET).isoformat()
    link = f'<link rel="canonical" href="{base}{path}">' if canonical else ""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in _LAB_TEXT)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="{charset}">'
            f"<title>{escape(title)} | Fault Lab</title>{link}"
            f'<meta property="article:published_time" content="{when}">'
            f'<meta property="og:site_name" content="Fault Lab"></head><body>'
            f'<article><h1>{escape(title)}</h1><p class="byline">By Lab Reporter</p>'
            f'<div class="entry-content">{paragraphs}</div></article></body></html>')


def _lab_sitemap(base: str) -> Any:

    urls = [(p.path, p.listed_at) for p in LAB_PAGES]
    return urlset(base, urls)


def _calendar_page(base: str, path: str, page: int) -> str:
    nxt = f"{base}{path}?page={page + 1}"
    return (f'<html><head><link rel="next" href="{nxt}"></head><body><h1>Archive page {page}'
            f'</h1><p>No posts.</p><a rel="next" href="{nxt}">Older posts</a></body></html>')


def _bomb() -> bytes:
    return gzip.compress(b"\0" * BOMB_BYTES, compresslevel=9)


# ---------------------------------------------------------------- raw socket behaviours


def _reset(handler: Any) -> None:
    """Close the connection at once with a TCP reset (SO_LINGER 0)."""
    sock = handler.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True
    sock.close()


def _stall(handler: Any) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", "5000")
    handler.end_headers()
    handler.wfile.write(b"<html><body><p>The first words arrive, then nothing")
    handler.wfile.flush()
    time.sleep(STALL_SECONDS)
    handler.close_connection = True


def _truncated(handler: Any) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", "20000")
    handler.end_headers()
    handler.wfile.write(b"<html><body><article><h1>Cut short</h1><p>" + b"word " * 400)
    handler.wfile.flush()
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


def _chunked_huge(handler: Any) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"<p>" + b"y" * 65_000 + b"</p>"
    try:
        for _ in range(OVERSIZED_BYTES // len(chunk) + 10):
            handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        handler.wfile.write(b"0\r\n\r\n")
    except OSError:
        pass  # the crawler hung up once the page passed its size limit: as intended
    handler.close_connection = True


def lab_expected_outcomes() -> dict[str, str]:
    return {p.path: p.expected_outcome for p in LAB_PAGES}

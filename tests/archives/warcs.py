"""What the archive tests share: WARC files written from the demo's pages (rendered in
process, no server), a local HTTP server to serve them (slow or cut short on demand), the
demo days loaded as a crawl stores them, and what a reader sees of the articles."""

from __future__ import annotations

import gzip
import threading
import time
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg

from autonews.core import Source, Window
from autonews.demo.archive import Capture, ccnews_layout, demo_captures, write_warc
from autonews.demo.faults import FaultSet
from autonews.demo.site import DemoRoutes
from tests.demo_warehouse import DEMO_BASE, load_demo_day

DAYS = (date(2026, 11, 12), date(2026, 11, 13))
BASE = DEMO_BASE  # the URLs the archived and the "live" pages claim
ARTICLE_COLUMNS = ("url_hash", "source_id", "canonical_url", "title", "authors",
                   "published_at", "body", "content_hash")


class _Handler(SimpleHTTPRequestHandler):
    """Static files; records every path asked for; waits `delay` seconds before each 8 KB
    it sends (a slow archive); hangs up after `cut[path]` bytes (a download broken off)."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        cut = self.server.cut.get(self.path)  # type: ignore[attr-defined]
        if cut is not None:
            self.wfile.write(data[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        delay = self.server.delay  # type: ignore[attr-defined]
        try:
            for start in range(0, len(data), 8192):
                if delay:
                    time.sleep(delay)
                self.wfile.write(data[start:start + 8192])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its read timeout): what a slow server sees


class FileServer:
    """A directory served on 127.0.0.1 (a free port)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=root))
        self.server.requests = []  # type: ignore[attr-defined]
        self.server.delay = 0.0  # type: ignore[attr-defined]
        self.server.cut = {}  # type: ignore[attr-defined]
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def requests(self) -> list[str]:
        return self.server.requests  # type: ignore[attr-defined,no-any-return]

    def throttle(self, seconds_per_8k: float) -> None:
        self.server.delay = seconds_per_8k  # type: ignore[attr-defined]

    def cut_after(self, path: str, nbytes: int | None) -> None:
        """Serve `path` announcing its full size but hang up after `nbytes` (None: whole)."""
        if nbytes is None:
            self.server.cut.pop(path, None)  # type: ignore[attr-defined]
        else:
            self.server.cut[path] = nbytes  # type: ignore[attr-defined]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def captures(base: str = BASE, days: tuple[date, ...] | None = DAYS) -> list[Capture]:
    """The demo's pages published on `days` (every day when None), as an archive captured
    them."""
    return demo_captures(DemoRoutes(FaultSet()), base, days)


def write_demo_warc(path: Path, base: str = BASE, days: tuple[date, ...] | None = DAYS, *,
                    compress: bool = True) -> Path:
    """The demo's pages published on `days`, captured as an archive crawler would."""
    with path.open("wb") as out:
        write_warc(out, captures(base, days), gzip=compress, filename=path.name)
    return path


def write_ccnews(root: Path, base: str = BASE) -> list[str]:
    """A CC-NEWS-shaped archive of every demo page under `root`; returns the file paths."""
    layout = ccnews_layout(captures(base, None))
    months: dict[Path, list[str]] = {}
    for path, held in layout.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            write_warc(out, held, filename=target.name)
        months.setdefault(target.parent, []).append(path)
    for folder, paths in months.items():
        (folder / "warc.paths.gz").write_bytes(gzip.compress("\n".join(paths).encode() + b"\n"))
    return sorted(layout)


def load_live(dsn: str, sources: dict[str, Source], days: tuple[date, ...] = DAYS) -> None:
    """The demo's `days` in the warehouse as a crawl leaves them: every page stored by the
    crawl stage, then the real clean, gate and load (no crawl subprocess)."""
    for day in days:
        for source in sources.values():
            load_demo_day(dsn, source, day, f"live-{day}", BASE)


def articles(dsn: str, days: tuple[date, ...] = DAYS) -> dict[str, tuple[Any, ...]]:
    """url_hash -> what a reader sees of each article published on `days`."""
    window = Window.days(days[0], days[-1])
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles "  # noqa: S608 - constant
            "WHERE published_at >= %s AND published_at < %s", window.bounds).fetchall()
    return {row[0]: row for row in rows}


def count(dsn: str, query: str, *args: Any) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(query, args).fetchone()
    assert row is not None
    return int(row[0])

"""Archive tests: WARC files written from the demo site, served (with a CC-NEWS-shaped
listing) by a local HTTP server on 127.0.0.1, and a second fresh warehouse to compare with."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest

from autonews.demo.archive import ccnews_layout, demo_captures, write_warc
from autonews.jobs import Window, run_source
from tests.conftest import _fresh_db

DAYS = (date(2026, 11, 12), date(2026, 11, 13))
ARTICLE_COLUMNS = ("url_hash", "source_id", "canonical_url", "title", "authors",
                   "published_at", "body", "content_hash")


class _Handler(SimpleHTTPRequestHandler):
    """Static files; records every path asked for; waits `delay` seconds before each 8 KB
    it sends (a slow archive)."""

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
        if cut is not None:  # the connection drops part-way
            self.wfile.write(data[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        delay = self.server.delay  # type: ignore[attr-defined]
        for start in range(0, len(data), 8192):
            if delay:
                time.sleep(delay)
            self.wfile.write(data[start:start + 8192])
            self.wfile.flush()


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

    def cut_after(self, path: str, nbytes: int) -> None:
        """Serve `path` announcing its full size but hang up after `nbytes`."""
        self.server.cut[path] = nbytes  # type: ignore[attr-defined]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[FileServer]:
    root = tmp_path / "served"
    root.mkdir()
    server = FileServer(root)
    yield server
    server.stop()


def write_demo_warc(path: Path, base: str, days: tuple[date, ...] = DAYS, *,
                    compress: bool = True) -> Path:
    """The demo's pages published on `days`, captured as an archive crawler would."""
    with path.open("wb") as out:
        write_warc(out, demo_captures(base, days), gzip=compress, filename=path.name)
    return path


def write_ccnews(root: Path, base: str) -> list[str]:
    """A CC-NEWS-shaped archive of every demo page under `root`; returns the file paths."""
    layout = ccnews_layout(demo_captures(base))
    months: dict[Path, list[str]] = {}
    for path, captures in layout.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            write_warc(out, captures, filename=target.name)
        months.setdefault(target.parent, []).append(path)
    for folder, paths in months.items():
        (folder / "warc.paths.gz").write_bytes(gzip.compress("\n".join(paths).encode() + b"\n"))
    return sorted(layout)


@pytest.fixture
def other_dsn(pg_admin_dsn: str, migrated_template: str) -> Iterator[str]:
    """A second fresh warehouse (to compare an import with a live crawl)."""
    yield from _fresh_db(pg_admin_dsn, migrated_template)


def crawl_live(dsn: str, sources: dict[str, Any], days: tuple[date, ...] = DAYS) -> None:
    for day in days:
        for source in sources.values():
            result = run_source(dsn, source, Window.for_day(day), f"live-{day}")
            assert result.ok, result.error


def articles(dsn: str, days: tuple[date, ...] = DAYS) -> dict[str, tuple[Any, ...]]:
    """url_hash -> what a reader sees of each article published on `days`."""
    start, end = Window.for_day(days[0]).start, Window.for_day(days[-1]).end
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles "  # noqa: S608 - constant
            "WHERE published_at >= %s AND published_at < %s", (start, end)).fetchall()
    return {row[0]: row for row in rows}


def count(dsn: str, query: str, *args: Any) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(query, args).fetchone()
    assert row is not None
    return int(row[0])

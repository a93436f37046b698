"""The demo site as a web archive: its pages captured into WARC files, and a CC-NEWS-shaped
archive of them (`/ccnews/crawl-data/CC-NEWS/YYYY/MM/warc.paths.gz`), so archive imports
and CC-NEWS backfills run offline against pages whose truth the catalog knows.

Captures are deterministic: each article is captured a few hours after its publication
(like a news crawler that reads feeds), so a page published late on day D lands in a file
of day D+1; CC-NEWS-like files start every 12 hours and are named by that start time.
"""

from __future__ import annotations

import gzip
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from autonews.demo import catalog
from autonews.demo.replies import Reply

FILE_HOURS = 12
CCNEWS_PREFIX = "/ccnews"
# A page of a site that is no configured source: archives hold every site's news.
OTHER_SITE_URL = "http://news.example.org/2026/11/12/harbour-ferry-timetable-changes"


class Pages(Protocol):
    """What renders the demo's pages (`autonews.demo.site.DemoRoutes`, with no fault on):
    passed in, as the site serves this archive of its own pages."""

    def reply(self, base: str, path: str, query: dict[str, list[str]],
              headers: dict[str, str]) -> Reply: ...


@dataclass(frozen=True)
class Capture:
    """One HTTP exchange as an archive crawler recorded it."""

    url: str
    captured_at: datetime
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def capture_lag(article: catalog.DemoArticle) -> timedelta:
    """How long after publication the demo's archive captured an article: 1-30 hours."""
    return timedelta(hours=1 + (article.nid * 7) % 30)


def demo_captures(pages: Pages, base: str, days: Iterable[date] | None = None
                  ) -> list[Capture]:
    """Captures of the demo articles published on `days` (every day when None), of the
    demo's broken pages listed on those days, and of one page of another site, as `pages`
    renders them; in capture order."""
    wanted = set(days) if days is not None else None
    captures = []
    for article in catalog.articles():
        if wanted is not None and article.published_utc.date() not in wanted:
            continue
        captures.append(_capture(pages, base, article.path,
                                 article.published_utc + capture_lag(article)))
    for page in catalog.broken_pages():
        if page.kind in ("slow", "robots"):  # a crawler that obeys robots.txt; no waiting
            continue
        if wanted is None or page.listed_at.date() in wanted:
            captures.append(_capture(pages, base, page.path,
                                     page.listed_at + timedelta(hours=2)))
    if captures:
        other = min(c.captured_at for c in captures) + timedelta(minutes=5)
        body = (b"<!DOCTYPE html><html><head><title>Ferry timetable changes</title></head>"
                b"<body><article><h1>Ferry timetable changes</h1><p>The harbour ferry runs "
                b"every twenty minutes from Monday.</p></article></body></html>")
        captures.append(Capture(OTHER_SITE_URL, other, 200,
                                (("Content-Type", "text/html; charset=utf-8"),), body))
    captures.sort(key=lambda c: (c.captured_at, c.url))
    return captures


def _capture(pages: Pages, base: str, path: str, when: datetime) -> Capture:
    reply = pages.reply(base, path, {}, {})
    headers = tuple((k, v) for k, v in reply.headers.items())
    return Capture(base + path, when.astimezone(UTC), reply.status, headers, reply.body)


def write_warc(out: BinaryIO, captures: Iterable[Capture], *, gzip: bool = True,
               filename: str = "demo.warc.gz") -> int:
    """Write `captures` as WARC/1.1 response + request records (after a warcinfo record);
    returns the number of responses written."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.timeutils import datetime_to_iso_date
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=gzip, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record(filename, {
        "software": "autonews demo archive", "format": "WARC File Format 1.1",
        "description": "captures of the autonews offline demo site"}))
    count = 0
    for capture in captures:
        when = datetime_to_iso_date(capture.captured_at.replace(tzinfo=None), use_micros=True)
        record_id = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{capture.url} {when}')}>"
        reason = HTTPStatus(capture.status).phrase
        http_headers = StatusAndHeaders(f"{capture.status} {reason}", [
            *capture.headers, ("Content-Length", str(len(capture.body)))],
            protocol="HTTP/1.1")
        response = writer.create_warc_record(
            capture.url, "response", payload=io.BytesIO(capture.body),
            length=len(capture.body), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": when, "WARC-Record-ID": record_id})
        parts = urlsplit(capture.url)
        request = writer.create_warc_record(
            capture.url, "request", http_headers=StatusAndHeaders(
                f"GET {parts.path or '/'} HTTP/1.1",
                [("Host", parts.netloc), ("User-Agent", "demo-archiver/1.0")],
                is_http_request=True),
            warc_headers_dict={"WARC-Date": when})
        writer.write_request_response_pair(request, response)
        count += 1
    return count


def ccnews_layout(captures: list[Capture]) -> dict[str, list[Capture]]:
    """CC-NEWS-like file path -> its captures: a file every 12 hours, named
    `crawl-data/CC-NEWS/YYYY/MM/CC-NEWS-<start YYYYMMDDHHMMSS>-<serial>.warc.gz`."""
    files: dict[str, list[Capture]] = {}
    serials: dict[str, int] = {}
    for capture in sorted(captures, key=lambda c: c.captured_at):
        when = capture.captured_at
        start = when.replace(hour=when.hour - when.hour % FILE_HOURS, minute=0, second=0,
                             microsecond=0)
        month = f"{start:%Y/%m}"
        name = None
        for path in files:
            if path.startswith(f"crawl-data/CC-NEWS/{month}/CC-NEWS-{start:%Y%m%d%H%M%S}-"):
                name = path
        if name is None:
            serials[month] = serials.get(month, 0) + 1
            name = (f"crawl-data/CC-NEWS/{month}/CC-NEWS-{start:%Y%m%d%H%M%S}-"
                    f"{serials[month]:05d}.warc.gz")
            files[name] = []
        files[name].append(capture)
    return files


# base URL -> the files of the demo's CC-NEWS-like archive served under it, built once
_ARCHIVES: dict[str, dict[str, bytes]] = {}


def _ccnews_files(pages: Pages, base: str) -> dict[str, bytes]:
    """Every file of the demo's CC-NEWS-like archive (paths and listings)."""
    files: dict[str, bytes] = {}
    months: dict[str, list[str]] = {}
    for path, captures in ccnews_layout(demo_captures(pages, base)).items():
        out = io.BytesIO()
        write_warc(out, captures, filename=path.rsplit("/", 1)[-1])
        files[path] = out.getvalue()
        months.setdefault(path.rsplit("/", 1)[0], []).append(path)
    for folder, paths in months.items():
        files[f"{folder}/warc.paths.gz"] = gzip.compress("".join(
            p + "\n" for p in sorted(paths)).encode(), mtime=0)
    return files


def ccnews_reply(pages: Pages, base: str, path: str) -> Reply:
    """The reply to a path under `/ccnews/` on the demo site (built on the first request;
    two first requests at once build the same bytes twice, harmlessly)."""
    relative = path.removeprefix(CCNEWS_PREFIX).lstrip("/")
    files = _ARCHIVES.get(base)
    if files is None:
        files = _ARCHIVES[base] = _ccnews_files(pages, base)
    body = files.get(relative)
    if body is None:
        return Reply(b"no such file in the demo archive\n", 404,
                     content_type="text/plain; charset=utf-8")
    kind = "application/warc" if relative.endswith(".warc.gz") else "application/gzip"
    return Reply(body, content_type=kind)

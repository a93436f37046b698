"""`autonews export-warc`: the stored raw pages of a range as a WARC/1.1 file (response,
request and metadata records per page), for archiving a crawl or handing it to other tools.

Record ids are derived from the page's URL, fetch time and content, so exporting the same
pages twice gives the same records, and importing an export back changes nothing.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import UTC
from http import HTTPStatus
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_http_date, datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from autonews.core.settings import Settings
from autonews.core.window import Window
from warehouse import archives
from warehouse.connection import connect


def export_warc(dsn: str, window: Window, out: BinaryIO, settings: Settings, *,
                source_id: str | None = None, filename: str = "autonews.warc.gz",
                gzip: bool = True, on_page: Callable[[int], None] | None = None) -> int:
    """Write every stored page listed in `window` (of one source, or all) to `out`;
    returns the number of pages written."""
    from scrapers.run import user_agent

    agent = user_agent(settings)
    writer = WARCWriter(out, gzip=gzip, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record(filename, {
        "software": "autonews export-warc",
        "format": "WARC File Format 1.1",
        "description": f"raw pages listed in {window} (UTC)"
                       + (f", source {source_id}" if source_id else ""),
        "http-header-user-agent": agent,
    }))
    count = 0
    with connect(dsn) as conn:
        for page in archives.stored_pages(conn, window, source_id):
            _write_page(writer, page, agent)
            count += 1
            if on_page is not None:
                on_page(count)
    return count


def _write_page(writer: WARCWriter, page: archives.StoredPage, user_agent: str) -> None:
    url = page.final_url or page.url
    fetched = page.fetched_at.astimezone(UTC).replace(tzinfo=None)
    when = datetime_to_iso_date(fetched, use_micros=True)
    identity = f"{url} {when} {page.content_hash}"
    response_id = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, identity)}>"
    status = page.http_status or 200
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    headers = [("Content-Type", page.content_type or "text/html"),
               ("Content-Length", str(len(page.body)))]
    if page.etag:
        headers.append(("ETag", page.etag))
    if page.last_modified:
        headers.append(("Last-Modified", page.last_modified))
    response = writer.create_warc_record(
        url, "response", payload=io.BytesIO(page.body), length=len(page.body),
        http_headers=StatusAndHeaders(f"{status} {reason}".strip(), headers,
                                      protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Date": when, "WARC-Record-ID": response_id})
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    request = writer.create_warc_record(
        url, "request", http_headers=StatusAndHeaders(
            f"GET {target} HTTP/1.1",
            [("Host", parts.netloc), ("User-Agent", user_agent),
             ("Date", datetime_to_http_date(fetched))], is_http_request=True),
        warc_headers_dict={"WARC-Date": when, "WARC-Record-ID":
                           f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, identity + ' req')}>"})
    writer.write_request_response_pair(request, response)
    # What the warehouse knows beyond the exchange (WARC 1.1 metadata, application/warc-fields).
    fields = {
        "autonews-source-id": page.source_id,
        "autonews-run-id": page.run_id,
        "autonews-raw-page-id": str(page.raw_page_id),
        "autonews-requested-url": page.url,
        "autonews-listed-at": page.listed_at.astimezone(UTC).isoformat()
        if page.listed_at else "",
        "autonews-discovered-via": page.discovered_via or "",
        "autonews-content-hash": page.content_hash or "",
    }
    payload = "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v).encode()
    metadata = writer.create_warc_record(
        url, "metadata", payload=io.BytesIO(payload), length=len(payload),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Date": when, "WARC-Concurrent-To": response_id,
                           "WARC-Record-ID":
                           f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, identity + ' meta')}>"})
    writer.write_record(metadata)

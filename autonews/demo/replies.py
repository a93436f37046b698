"""What a demo route answers: a `Reply`, and the XML documents (sitemaps) several build."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape as xml_escape


class Reply:
    """What a route answers: status, headers and body (bytes)."""

    def __init__(self, body: str | bytes = b"", status: int = 200,
                 content_type: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:
        self.body = body.encode() if isinstance(body, str) else body
        self.status = status
        self.headers = {"Content-Type": content_type, **(headers or {})}


def iso(value: datetime) -> str:
    return value.isoformat()


def xml(body: str, content_type: str = "application/xml; charset=utf-8") -> Reply:
    return Reply('<?xml version="1.0" encoding="UTF-8"?>\n' + body, content_type=content_type)


def urlset(base: str, urls: list[tuple[str, datetime]]) -> Reply:
    body = "".join(f"<url><loc>{base}{xml_escape(p)}</loc><lastmod>{iso(t)}</lastmod></url>"
                   for p, t in urls)
    return xml(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>')

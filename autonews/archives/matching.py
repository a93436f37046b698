"""Which source an archived page belongs to, and which publication day it is of.

A web archive knows when it captured a page, not when the page was published. An archived
page is dated before cleaning the way the cleaner dates it: the page's own metadata
(JSON-LD, `article:published_time`, `<time>`, dateline...), else a date in its URL; the
capture time is an upper bound (a page cannot be published after it was captured). A page
with no date of its own is kept only for sources with `fetch_undated`, dated by its capture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from autonews.core.source import Source
from autonews.sources import extraction_rules
from scrapers.discovery import host_allowed
from transforms import ExtractionRules, PageRejected
from transforms.charset import decode_page
from transforms.content import BR
from transforms.dates import url_date
from transforms.metadata import read_metadata
from transforms.soup import collector_paused, parse_page


class SourceMatcher:
    """URL -> the configured source it belongs to: its host is one of the source's domains
    and it passes the source's `allow` / `deny` patterns (as the crawler decides). Sources
    sharing a host (the demo) are told apart by those patterns, then by the longest home
    URL that prefixes the URL."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources
        self._rules = [(s, [re.compile(p) for p in s.allow], [re.compile(p) for p in s.deny])
                       for s in sources]
        self._hosts = {d.lower() for s in sources for d in s.domains}
        self._extraction = {s.id: extraction_rules(s) for s in sources}

    def rules(self, source: Source) -> ExtractionRules:
        """The cleaner's rules of `source` (built once per import)."""
        return self._extraction[source.id]

    def host_known(self, url: str) -> bool:
        return host_allowed(url, self._hosts)

    def match(self, url: str) -> Source | None:
        found: list[Source] = []
        for source, allow, deny in self._rules:
            if not host_allowed(url, source.domains):
                continue
            if any(p.search(url) for p in deny):
                continue
            if allow and not any(p.search(url) for p in allow):
                continue
            found.append(source)
        if len(found) <= 1:
            return found[0] if found else None
        return max(found, key=lambda s: len(s.home) if url.startswith(s.home) else -1)


@dataclass(frozen=True)
class PageDate:
    published_at: datetime | None
    basis: str  # page | url | capture | none
    after_capture: bool = False  # the page's date was later than its capture: clamped


def date_page(body: bytes, url: str, source: Source, rules: ExtractionRules,
              content_type: str | None, captured_at: datetime) -> PageDate:
    """The publication instant an archived page is filed under (see the module doc);
    `rules` are the source's (`SourceMatcher.rules`)."""
    published = None
    basis = "none"
    try:
        text = decode_page(body, content_type).replace(BR, " ")
        with collector_paused():
            metadata = read_metadata(parse_page(text), url, rules)
        published = metadata.published_at
        basis = "page" if published is not None else "none"
    except (PageRejected, RecursionError, ValueError):
        published = None
    if published is None and (from_url := url_date(url)) is not None:
        published, basis = from_url, "url"
    if published is None:
        if source.fetch_undated:
            return PageDate(captured_at, "capture")
        return PageDate(None, "none")
    if published > captured_at:
        return PageDate(captured_at, basis, after_capture=True)
    return PageDate(published, basis)


def is_http_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").scheme in ("http", "https")

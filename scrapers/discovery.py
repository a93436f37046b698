"""Pure parsing of discovery documents: sitemaps (incl. Google News), RSS/Atom feeds and
listing pages, each URL with the date the document gives it; and the choice of which URLs
a date window needs, made *before* any article is fetched.

Scrapy's own sitemap support drops `news:publication_date`; this module reads it.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from autonews.core.window import Window
from transforms import canonicalize_url
from transforms.dates import parse_datetime, url_date, zone
from warehouse.raw_pages import PreviousFetch

# How much a route's date says about the publication instant (higher wins).
EXACT_ROUTES = {"news_sitemap": 5, "feed": 4, "archive": 3, "listing": 3, "url": 1}
MAX_XML_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                              huge_tree=False, remove_comments=True, load_dtd=False)
_NEXT_TEXT = re.compile(r"^(next|older|more|weiter|suivant|siguiente|›|»|next page|"
                        r"older posts|older entries|load more)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    """A URL a discovery document lists, with what it says about its date."""

    url: str
    via: str  # sitemap | news_sitemap | feed | archive | listing
    published_at: datetime | None = None  # an exact publication instant, when given
    lastmod: datetime | None = None  # a modification instant (upper bound of publication)
    title: str | None = None


@dataclass
class SitemapDoc:
    is_index: bool
    entries: list[Found] = field(default_factory=list)  # child sitemaps when is_index


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(node: etree._Element, name: str) -> str | None:
    for child in node:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def maybe_gunzip(body: bytes, limit: int = MAX_XML_BYTES) -> bytes:
    """Sitemaps may be served gzipped without Content-Encoding; bounded against bombs."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"gzipped document larger than {limit} bytes once decompressed")
    return data


def _xml_root(body: bytes) -> etree._Element | None:
    body = maybe_gunzip(body).lstrip()
    if not body:
        return None
    try:
        return etree.fromstring(body, parser=_XML_PARSER)
    except etree.XMLSyntaxError:
        return None


def parse_sitemap(body: bytes, base_url: str, tz: str | None = None) -> SitemapDoc | None:
    """A sitemap index (child sitemaps with lastmod) or urlset (URLs with lastmod, and
    `news:publication_date` for Google News sitemaps). None if not a sitemap."""
    root = _xml_root(body)
    if root is None:
        return None
    kind = _local(root.tag)
    if kind == "sitemapindex":
        doc = SitemapDoc(True)
        for node in root:
            if _local(node.tag) != "sitemap":
                continue
            loc = _child_text(node, "loc")
            if loc:
                doc.entries.append(Found(urljoin(base_url, loc), "sitemap",
                                         lastmod=parse_datetime(_child_text(node, "lastmod"), tz)))
        return doc
    if kind != "urlset":
        return None
    doc = SitemapDoc(False)
    for node in root:
        if _local(node.tag) != "url":
            continue
        loc = _child_text(node, "loc")
        if not loc:
            continue
        published = title = None
        for child in node:
            if _local(child.tag) == "news":
                published = parse_datetime(_child_text(child, "publication_date"), tz)
                title = _child_text(child, "title")
        doc.entries.append(Found(
            urljoin(base_url, loc), "news_sitemap" if published else "sitemap",
            published_at=published, lastmod=parse_datetime(_child_text(node, "lastmod"), tz),
            title=title,
        ))
    return doc


def parse_feed(body: bytes, base_url: str, tz: str | None = None) -> list[Found] | None:
    """Items of an RSS 2.0, RSS 1.0 (RDF) or Atom feed with their publication dates.
    None if the document is not a feed."""
    root = _xml_root(body)
    if root is None:
        return None
    kind = _local(root.tag)
    found: list[Found] = []
    if kind in ("rss", "rdf"):
        for item in root.iter():
            if _local(item.tag) != "item":
                continue
            link = _child_text(item, "link")
            guid = None
            for child in item:
                if _local(child.tag) == "guid" and child.get("isPermaLink", "true") != "false":
                    guid = (child.text or "").strip() or None
            link = link or guid
            if not link:
                continue
            when = _child_text(item, "pubdate") or _child_text(item, "date")
            found.append(Found(urljoin(base_url, link), "feed",
                               published_at=parse_datetime(when, tz),
                               title=_child_text(item, "title")))
        return found
    if kind == "feed":
        for entry in root:
            if _local(entry.tag) != "entry":
                continue
            href = None
            for child in entry:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    href = child.get("href")
                    break
            if not href:
                continue
            published = parse_datetime(_child_text(entry, "published"), tz)
            updated = parse_datetime(_child_text(entry, "updated"), tz)
            found.append(Found(urljoin(base_url, href), "feed",
                               published_at=published or updated,
                               lastmod=updated, title=_child_text(entry, "title")))
        return found
    return None


@dataclass
class Listing:
    links: list[Found]
    next_url: str | None
    oldest: datetime | None  # oldest dated teaser on the page (to stop paginating)


def parse_listing(body: bytes | str, base_url: str, via: str, tz: str | None = None) -> Listing:
    """Article links of a listing page (category, date archive, home) with the date shown
    next to each teaser (`<time datetime>` in the same teaser), and the next page."""
    try:
        tree = html.fromstring(body if body else b"<html/>", base_url=base_url)
    except (etree.ParserError, ValueError):
        return Listing([], None, None)
    dated: dict[str, datetime] = {}
    titles: dict[str, str] = {}
    for time_el in tree.iter("time"):
        when = parse_datetime(time_el.get("datetime") or time_el.text_content(), tz)
        if when is None:
            continue
        container = time_el.getparent()
        for _ in range(4):
            if container is None:
                break
            anchors = [a for a in container.iter("a")
                       if a.get("href") and len(a.text_content().strip()) >= 15]
            if anchors:
                for a in anchors:
                    url = urljoin(base_url, a.get("href", ""))
                    dated.setdefault(url, when)
                    titles.setdefault(url, " ".join(a.text_content().split()))
                break
            container = container.getparent()
    links: list[Found] = []
    seen: set[str] = set()
    for a in tree.iter("a"):
        href = a.get("href")
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
            continue
        url = urljoin(base_url, href)
        if url in seen:
            continue
        seen.add(url)
        links.append(Found(url, via, published_at=dated.get(url), title=titles.get(url)))
    return Listing(links, _next_page(tree, base_url), min(dated.values()) if dated else None)


def _next_page(tree: html.HtmlElement, base_url: str) -> str | None:
    for el in tree.iter("link", "a"):
        rel = (el.get("rel") or "").lower().split()
        if "next" in rel and el.get("href"):
            return urljoin(base_url, el.get("href", ""))
    for a in tree.iter("a"):
        classes = (a.get("class") or "").lower().split()
        if a.get("href") and ("next" in classes or _NEXT_TEXT.match(a.text_content().strip())):
            return urljoin(base_url, a.get("href", ""))
    return None


# ---------------------------------------------------------------- the date window


def archive_urls(pattern: str, window: Window, tz: str | None) -> list[str]:
    """Date-archive URLs of every local day (in the site's zone) the window overlaps."""
    local = zone(tz)
    start, end = window.bounds
    first = start.astimezone(local).date() if local else start.date()
    last = (end - timedelta(microseconds=1))
    last_day = last.astimezone(local).date() if local else last.date()
    urls = []
    day: date = first
    while day <= last_day:
        urls.append(pattern.format(yyyy=f"{day.year:04d}", mm=f"{day.month:02d}",
                                   dd=f"{day.day:02d}", m=str(day.month), d=str(day.day),
                                   yy=f"{day.year % 100:02d}"))
        day += timedelta(days=1)
    return urls


@dataclass
class Candidate:
    """Everything discovery learnt about one canonical URL."""

    url: str
    canonical: str
    routes: set[str] = field(default_factory=set)
    exact: dict[str, datetime] = field(default_factory=dict)
    lastmod: datetime | None = None

    def add(self, found: Found) -> None:
        self.routes.add(found.via)
        if found.published_at is not None:
            self.exact.setdefault(found.via, found.published_at)
        if found.lastmod is not None and (self.lastmod is None or found.lastmod > self.lastmod):
            self.lastmod = found.lastmod
        if found.via in ("sitemap", "news_sitemap") and "?" in self.url and "?" not in found.url:
            self.url = found.url  # prefer the clean URL the sitemap gives

    def best_date(self) -> tuple[datetime | None, str]:
        """(date, basis): the most trustworthy date discovery found, and what it is."""
        if self.exact:
            via = max(self.exact, key=lambda v: EXACT_ROUTES.get(v, 0))
            return self.exact[via], via
        from_url = url_date(self.url)
        if from_url is not None:
            return from_url, "url"
        if self.lastmod is not None:
            return self.lastmod, "lastmod"
        return None, "undated"


@dataclass
class Choice:
    chosen: list[tuple[Candidate, datetime | None, str]]
    out_of_window: int
    undated: int


def in_window(when: datetime, window: Window, basis: str) -> bool:
    """Whether a date of `basis` puts a URL in `window`."""
    start, end = window.bounds
    if basis == "url":  # a URL names a local day: accept the days the window overlaps
        return start - timedelta(days=1) < when < end
    return start <= when < end


def choose(candidates: Iterable[Candidate], window: Window, fetch_undated: bool) -> Choice:
    """The URLs to fetch for `window`: exact dates (news sitemap, feed, listing teaser)
    decide; a URL's date or a sitemap `lastmod` are used only when nothing better exists."""
    chosen: list[tuple[Candidate, datetime | None, str]] = []
    outside = undated = 0
    for cand in candidates:
        when, basis = cand.best_date()
        if when is None:
            undated += 1
            if fetch_undated:
                chosen.append((cand, None, basis))
        elif in_window(when, window, basis):
            chosen.append((cand, when, basis))
        else:
            outside += 1
    chosen.sort(key=lambda item: (item[1] is None, -(item[1].timestamp() if item[1] else 0)))
    return Choice(chosen, outside, undated)


def merge_found(pool: dict[str, Candidate], items: Iterable[Found]) -> None:
    """Add `items` to `pool`, keyed by canonical URL (what each says of a URL is merged)."""
    for item in items:
        canonical = canonicalize_url(item.url)
        cand = pool.get(canonical)
        if cand is None:
            cand = pool[canonical] = Candidate(item.url, canonical)
        cand.add(item)


def host_allowed(url: str, domains: Iterable[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))


@dataclass(frozen=True)
class Planned:
    """One chosen URL and how to treat it."""

    candidate: Candidate
    when: datetime | None  # the date discovery found (None: undated)
    basis: str  # what that date is (news_sitemap, feed, url, lastmod...)
    headers: dict[str, str] = field(default_factory=dict)  # conditional request headers


@dataclass
class FetchPlan:
    """What phase 2 does with the chosen URLs."""

    fetch: list[Planned] = field(default_factory=list)  # requested (maybe conditionally)
    unchanged: list[Planned] = field(default_factory=list)  # not requested: lastmod says so
    over_cap: list[Planned] = field(default_factory=list)  # beyond max_pages, left for later


def plan_fetches(choice: Choice, known: Mapping[str, PreviousFetch], max_pages: int,
                 key: Callable[[str], str]) -> FetchPlan:
    """Split the chosen URLs: under the page cap pages never stored come first (so
    successive capped runs finish the window); a stored page whose sitemap `lastmod` is not
    newer than our copy is not requested; the others are requested conditionally when a
    copy is stored. `known` maps `key(url)` to the URL's latest stored copy."""
    ordered = sorted(choice.chosen, key=lambda item: key(item[0].url) in known)
    plan = FetchPlan()
    for index, (cand, when, basis) in enumerate(ordered):
        if index >= max_pages:
            plan.over_cap.append(Planned(cand, when, basis))
            continue
        previous = known.get(key(cand.url))
        if previous and cand.lastmod is not None and cand.lastmod <= previous.fetched_at:
            plan.unchanged.append(Planned(cand, when, basis))
            continue
        headers = {}
        if previous and previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous and previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        plan.fetch.append(Planned(cand, when, basis, headers))
    return plan

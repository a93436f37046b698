"""What the offline demo site publishes: its articles, where each is listed, its broken pages.

The catalog is the ground truth the tests check the warehouse against: which articles were
published on which UTC day, and which URLs are broken in which way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources

SOURCES = ("motorwire", "autoledger", "gearbox")
SITE_NAMES = {"motorwire": "Motor Wire", "autoledger": "AutoLedger", "gearbox": "Gearbox"}
TIMEZONES = {"motorwire": "Europe/London", "autoledger": "America/Detroit",
             "gearbox": "Europe/Berlin"}


@dataclass(frozen=True)
class DemoArticle:
    source: str
    slug: str
    title: str
    authors: tuple[str, ...]
    published: datetime  # aware, in the site's local offset
    modified: datetime | None
    section: str
    tags: tuple[str, ...]
    description: str
    blocks: tuple[tuple[str, str], ...]  # (kind, text): paragraph | heading | list
    nid: int
    in_sitemap: bool = True
    in_feed_window: bool = True  # may appear in the feed (the feed still keeps the latest 10)
    in_archive: bool = True
    in_news_sitemap: bool = True  # when within the news sitemap's 2-day window

    @property
    def published_utc(self) -> datetime:
        return self.published.astimezone(UTC)

    @property
    def modified_utc(self) -> datetime | None:
        return self.modified.astimezone(UTC) if self.modified else None

    @property
    def lastmod_utc(self) -> datetime:
        return self.modified_utc or self.published_utc

    @property
    def section_slug(self) -> str:
        return self.section.lower().replace(" ", "-")

    @property
    def path(self) -> str:
        if self.source == "motorwire":
            return f"/motorwire/{self.section_slug}/{self.slug}/"
        if self.source == "autoledger":
            return f"/autoledger/{self.section_slug}/{self.slug}"
        return f"/gearbox/news/{self.slug}"

    @property
    def body_text(self) -> str:
        """The body as the cleaner must return it."""
        return "\n\n".join(text for _, text in self.blocks)

    @property
    def etag(self) -> str:
        digest = hashlib.sha256(f"{self.slug}{self.lastmod_utc.isoformat()}".encode())
        return '"' + digest.hexdigest()[:16] + '"'

    @property
    def word_count(self) -> int:
        return sum(len(text.split()) for _, text in self.blocks)


@dataclass(frozen=True)
class BrokenPage:
    """A URL the demo lists but that cannot be cleaned or fetched, and what the crawl
    must record for it."""

    source: str
    path: str
    listed_at: datetime  # UTC date the sitemap/feed gives it
    kind: str  # not_found | server_error | slow | not_html | gallery | video | robots | dupe
    expected_outcome: str
    routes: tuple[str, ...] = field(default=("sitemap",))


def _parse_body(text: str) -> tuple[tuple[str, str], ...]:
    blocks: list[tuple[str, str]] = []
    items: list[str] = []
    for raw in text.strip().splitlines():
        line = raw.strip()
        if line.startswith("- "):
            items.append(line[2:].strip())
            continue
        if items:
            blocks.append(("list", "\n".join(items)))
            items = []
        if not line:
            continue
        if line.startswith("## "):
            blocks.append(("heading", line[3:].strip()))
        else:
            blocks.append(("paragraph", line))
    if items:
        blocks.append(("list", "\n".join(items)))
    return tuple(blocks)


_SCALE = {"copies": 1}


def set_scale(copies: int) -> None:
    """Serve `copies` times the catalog (for benchmarks): copy k repeats every article
    k * 12 days earlier under its own slug. 1 is the normal demo."""
    if copies < 1:
        raise ValueError("scale must be at least 1")
    _SCALE["copies"] = copies
    articles.cache_clear()


@lru_cache(maxsize=1)
def articles() -> tuple[DemoArticle, ...]:
    """Every demo article, oldest first, with its discovery routes decided."""
    loaded: list[DemoArticle] = []
    root = resources.files("autonews.demo") / "articles"
    for source in SOURCES:
        for entry in sorted((root / source).iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".md"):
                continue
            _, front, body = entry.read_text(encoding="utf-8").split("+++", 2)
            meta = tomllib.loads(front)
            loaded.append(DemoArticle(
                source=source,
                slug=meta["slug"],
                title=meta["title"],
                authors=tuple(meta.get("authors", ())),
                published=meta["published"],
                modified=meta.get("modified"),
                section=meta["section"],
                tags=tuple(meta.get("tags", ())),
                description=meta["description"],
                blocks=_parse_body(body),
                nid=0,
            ))
    base = list(loaded)
    for copy in range(1, _SCALE["copies"]):
        shift = timedelta(days=12 * copy)
        loaded.extend(dataclasses.replace(
            a, slug=f"{a.slug}-{copy}", published=a.published - shift,
            modified=a.modified - shift if a.modified else None) for a in base)
    loaded.sort(key=lambda a: (a.published_utc, a.slug))
    result = []
    for nid, article in enumerate(loaded, start=1001):
        result.append(_with_routes(article, nid, loaded))
    return tuple(result)


def _with_routes(article: DemoArticle, nid: int, everything: list[DemoArticle]) -> DemoArticle:
    own = [a for a in everything if a.source == article.source]
    newest, second = own[-1], own[-2]
    routes = {"nid": nid}
    # motorwire's newest post is scheduled late at night: only its feed has it yet.
    if article.source == "motorwire" and article is newest:
        routes |= {"in_sitemap": False, "in_archive": False, "in_news_sitemap": False}
    # autoledger's second-newest story is only in the Google News sitemap (breaking news
    # the monthly sitemap, feed and section listing have not caught up with).
    if article.source == "autoledger" and article is second:
        routes |= {"in_sitemap": False, "in_feed_window": False, "in_archive": False}
    return DemoArticle(**{**article.__dict__, **routes})


def by_source(source: str) -> list[DemoArticle]:
    return [a for a in articles() if a.source == source]


def find(source: str, path: str) -> DemoArticle | None:
    for article in by_source(source):
        if article.path == path or article.path.rstrip("/") == path.rstrip("/"):
            return article
    return None


def days() -> list[date]:
    """UTC days on which the demo published at least one article."""
    return sorted({a.published_utc.date() for a in articles()})


def latest_day() -> date:
    return days()[-1]


def published_on(day: date, source: str | None = None) -> list[DemoArticle]:
    """Articles whose publication instant falls in [day, day+1) UTC."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(days=1)
    return [a for a in articles() if start <= a.published_utc < end
            and (source is None or a.source == source)]


def now() -> datetime:
    """The demo site's frozen 'now': the end of its latest day, so feeds and the news
    sitemap look the same on every machine and every date."""
    last = latest_day()
    return datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)


def broken_pages() -> tuple[BrokenPage, ...]:
    """Broken URLs the demo lists, each on a fixed day, most of them on the latest day so
    the default demo run shows them."""
    last = now() - timedelta(hours=12)  # midday of the latest day, UTC
    earlier = last - timedelta(days=3)
    return (
        BrokenPage("motorwire", "/motorwire/automobile/withdrawn-story-about-a-concept-car/",
                   last, "not_found", "http_4xx"),
        BrokenPage("gearbox", "/gearbox/news/server-error-story", last, "server_error",
                   "http_5xx", ("feed",)),
        BrokenPage("autoledger", "/autoledger/industry/slow-loading-analysis", last, "slow",
                   "fetched", ("sitemap",)),
        BrokenPage("gearbox", "/gearbox/files/press-kit-2026.pdf", last, "not_html",
                   "not_html"),
        BrokenPage("motorwire", "/motorwire/gallery/in-pictures-the-night-of-the-motor-show/",
                   last, "gallery", "fetched"),
        BrokenPage("autoledger", "/autoledger/video/first-look-at-the-new-pickup", last,
                   "video", "fetched"),
        BrokenPage("motorwire", "/motorwire/members/insider-briefing-on-battery-costs/", last,
                   "robots", "robots_disallowed"),
        BrokenPage("motorwire", "/motorwire/automobile/withdrawn-van-review/", earlier,
                   "not_found", "http_4xx"),
    )


def dupe_urls(source: str = "gearbox") -> list[tuple[str, DemoArticle]]:
    """(duplicate path, article) pairs: gearbox's node/<nid> aliases of its articles."""
    return [(f"/gearbox/node/{a.nid}", a) for a in by_source(source)]


def tracking_variant(article: DemoArticle) -> str:
    """The path + query the feed links for `article` (tracking parameters added)."""
    return f"{article.path}?utm_source=rss&utm_medium=feed&utm_campaign=daily"

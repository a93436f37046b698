"""A crawl's budgets: how deep and wide discovery may go, how many documents it may fetch
and URLs keep, how long it may take before fetching starts; each limit reached is counted
(`limits_hit`), never silent. One hostile sitemap cannot keep a crawl from its articles."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from autonews.core import crawl_settings as defaults
from autonews.core.window import Window
from scrapers.discovery import Found

# A year and month in a sitemap's URL (`sitemap-2026-11.xml`, `/2026/11/posts.xml`).
_URL_MONTH = re.compile(r"(?<!\d)(19\d{2}|20\d{2})[-_/.]?(0[1-9]|1[0-2])(?!\d)")


def _names_window(url: str, window: Window) -> bool:
    months = {(d.year, d.month) for d in (window.first_day, window.last_day)}
    return any((int(y), int(m)) in months for y, m in _URL_MONTH.findall(url))


class Limit:
    """Names of the limits, as counted in `CrawlResult.limits_hit`."""

    SITEMAP_DEPTH = "sitemap_depth"  # child sitemaps below SITEMAP_MAX_DEPTH not followed
    SITEMAP_CHILDREN = "sitemap_children"  # children beyond SITEMAP_MAX_CHILDREN per index
    DISCOVERY_FETCHES = "discovery_fetches"  # documents beyond DISCOVERY_MAX_FETCHES
    DISCOVERED_URLS = "discovered_urls"  # URLs beyond DISCOVERY_MAX_URLS
    DISCOVERY_TIME = "discovery_time"  # discovery documents dropped when its time ran out
    CRAWL_TIME = "crawl_time"  # chosen articles left unfetched when the crawl's time ran out
    PAGE_TIME = "page_time"  # pages whose retries stopped at PAGE_TIME_BUDGET


class Budget:
    """The limits of one crawl (Scrapy settings, see `autonews.core.crawl_settings`) and
    what reaching them left out."""

    def __init__(self, settings: Any, started: float | None = None) -> None:
        self.started = time.monotonic() if started is None else started
        self.crawl_time = settings.getfloat("CRAWL_TIME_BUDGET", defaults.CRAWL_TIME_BUDGET)
        share = settings.getfloat("DISCOVERY_TIME_SHARE", defaults.DISCOVERY_TIME_SHARE)
        self.discovery_deadline = self.started + self.crawl_time * share
        self.sitemap_depth = settings.getint("SITEMAP_MAX_DEPTH", defaults.SITEMAP_MAX_DEPTH)
        self.sitemap_children = settings.getint("SITEMAP_MAX_CHILDREN",
                                                defaults.SITEMAP_MAX_CHILDREN)
        self.sitemap_maxsize = settings.getint("SITEMAP_MAXSIZE", defaults.SITEMAP_MAXSIZE)
        self.max_fetches = settings.getint("DISCOVERY_MAX_FETCHES",
                                           defaults.DISCOVERY_MAX_FETCHES)
        self.max_urls = settings.getint("DISCOVERY_MAX_URLS", defaults.DISCOVERY_MAX_URLS)
        self.fetches = 0
        self.discovery_closed = False
        self.hits: Counter[str] = Counter()

    def hit(self, limit: str, left_out: int = 1) -> None:
        if left_out > 0:
            self.hits[limit] += left_out

    def take_fetch(self) -> bool:
        """Whether one more discovery document may be requested (counts it)."""
        if self.discovery_closed or time.monotonic() >= self.discovery_deadline:
            self.discovery_closed = True
            self.hit(Limit.DISCOVERY_TIME)
            return False
        if self.fetches >= self.max_fetches:
            self.hit(Limit.DISCOVERY_FETCHES)
            return False
        self.fetches += 1
        return True

    def discovery_over(self) -> bool:
        """Whether discovery's share of the time is spent (checked on every tick)."""
        if not self.discovery_closed and time.monotonic() >= self.discovery_deadline:
            self.discovery_closed = True
        return self.discovery_closed

    def room_for_urls(self, pool_size: int, offered: int) -> int:
        """How many of `offered` new URLs the pool may still take (the rest is counted)."""
        room = max(0, self.max_urls - pool_size)
        self.hit(Limit.DISCOVERED_URLS, offered - room)
        return min(room, offered)

    def children(self, entries: Sequence[Found], depth: int, window: Window) -> list[Found]:
        """The child sitemaps of an index at `depth` worth following: none below the depth
        limit; else at most `sitemap_children`, those naming the window's days first, then
        the most recently modified."""
        if depth >= self.sitemap_depth:
            self.hit(Limit.SITEMAP_DEPTH, len(entries))
            return []
        if len(entries) <= self.sitemap_children:
            return list(entries)

        def rank(item: tuple[int, Found]) -> tuple[int, float, int]:
            index, found = item
            in_window = _names_window(found.url, window)
            modified = found.lastmod.timestamp() if found.lastmod else float("-inf")
            return (0 if in_window else 1, -modified, -index)

        chosen = [f for _, f in sorted(enumerate(entries), key=rank)[:self.sitemap_children]]
        self.hit(Limit.SITEMAP_CHILDREN, len(entries) - len(chosen))
        return chosen

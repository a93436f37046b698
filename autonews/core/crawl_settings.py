"""The Scrapy settings a source may tune (`[source.crawl_settings]`), with their types and
ranges, and the crawl's budgets with their defaults. Any other key is refused: a source must
never switch off the private-address guard, robots.txt, the size caps or the budgets, nor
turn on a remote-control endpoint (the telnet console)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MB = 1024 * 1024

# Budgets (defaults; a source may tune them within the ranges below).
CRAWL_TIME_BUDGET = 1800.0  # seconds a source's whole crawl may take
DISCOVERY_TIME_SHARE = 0.5  # of the crawl budget, after which discovery stops and fetching starts
PAGE_TIME_BUDGET = 60.0  # seconds one page may take, retries included
SITEMAP_MAX_DEPTH = 3  # sitemap indexes nested deeper than this are not followed
SITEMAP_MAX_CHILDREN = 1000  # child sitemaps followed per index (the newest first)
SITEMAP_MAXSIZE = 50 * MB  # the sitemap protocol's own limit (pages: DOWNLOAD_MAXSIZE)
DISCOVERY_MAX_FETCHES = 2000  # sitemaps, feeds, archive and listing pages per crawl
DISCOVERY_MAX_URLS = 200_000  # distinct URLs discovery keeps per crawl
PAGE_MAXSIZE = 8 * MB  # DOWNLOAD_MAXSIZE: one page's bytes


@dataclass(frozen=True)
class Tunable:
    """A setting a source may set, its type and its inclusive range."""

    kind: type
    low: float | None = None
    high: float | None = None

    def check(self, value: Any) -> Any:
        """`value` converted to the setting's type; ValueError saying what is expected."""
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ValueError("expected true or false")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"expected a number, got {type(value).__name__}")
        if self.kind is int and not isinstance(value, int):
            raise ValueError(f"expected a whole number, got {value}")
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value}")
        if (self.low is not None and value < self.low) or \
                (self.high is not None and value > self.high):
            raise ValueError(f"expected a value from {self.low:g} to {self.high:g}, got {value}")
        return self.kind(value)


TUNABLE: dict[str, Tunable] = {
    # politeness and concurrency
    "DOWNLOAD_DELAY": Tunable(float, 0, 60),
    "RANDOMIZE_DOWNLOAD_DELAY": Tunable(bool),
    "CONCURRENT_REQUESTS": Tunable(int, 1, 64),
    "CONCURRENT_REQUESTS_PER_DOMAIN": Tunable(int, 1, 16),
    "AUTOTHROTTLE_ENABLED": Tunable(bool),
    "AUTOTHROTTLE_START_DELAY": Tunable(float, 0, 60),
    "AUTOTHROTTLE_MAX_DELAY": Tunable(float, 0, 300),
    "AUTOTHROTTLE_TARGET_CONCURRENCY": Tunable(float, 0.1, 16),
    # per request: time, size, retries
    "DOWNLOAD_TIMEOUT": Tunable(float, 1, 120),
    "DOWNLOAD_MAXSIZE": Tunable(int, 64 * 1024, 16 * MB),
    "RETRY_ENABLED": Tunable(bool),
    "RETRY_TIMES": Tunable(int, 0, 10),
    "RETRY_BACKOFF_BASE": Tunable(float, 0, 60),
    "RETRY_BACKOFF_MAX": Tunable(float, 0, 600),
    "RETRY_AFTER_MAX": Tunable(float, 0, 600),
    # budgets
    "CRAWL_TIME_BUDGET": Tunable(float, 5, 86_400),
    "DISCOVERY_TIME_SHARE": Tunable(float, 0.05, 0.95),
    "PAGE_TIME_BUDGET": Tunable(float, 1, 600),
    "SITEMAP_MAX_DEPTH": Tunable(int, 1, 5),
    "SITEMAP_MAX_CHILDREN": Tunable(int, 1, 50_000),
    "SITEMAP_MAXSIZE": Tunable(int, 64 * 1024, 50 * MB),
    "DISCOVERY_MAX_FETCHES": Tunable(int, 1, 100_000),
    "DISCOVERY_MAX_URLS": Tunable(int, 1, 2_000_000),
}


def check_crawl_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a source gives, checked and typed; `ValueError("KEY: problem")` for an
    unknown key or a value of the wrong type or outside its range."""
    if not isinstance(settings, Mapping):
        raise ValueError("expected a table of crawl settings")
    checked: dict[str, Any] = {}
    for key, value in settings.items():
        tunable = TUNABLE.get(key)
        if tunable is None:
            raise ValueError(f"{key}: not a setting a source may change (allowed: "
                             f"{', '.join(sorted(TUNABLE))})")
        try:
            checked[key] = tunable.check(value)
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
    return checked


def crawl_time_budget(settings: Mapping[str, Any]) -> float:
    """The crawl time budget of a source with these (checked) crawl settings."""
    return float(settings.get("CRAWL_TIME_BUDGET", CRAWL_TIME_BUDGET))

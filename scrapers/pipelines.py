"""Item pipeline: every `raw_pages` row the spider yields goes to the warehouse."""

from __future__ import annotations

import os
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from scrapers.store import RawPageStore


class RawPageWriter:
    """Writes items (dicts of `raw_pages` columns) in small committed batches, so a
    crawl killed mid-way keeps what it fetched."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store: RawPageStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawPageWriter:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        dsn = self.crawler.settings.get("AUTONEWS_DSN") or os.environ["AUTONEWS_DSN"]
        self.store = RawPageStore(dsn, self.crawler.settings.getint("AUTONEWS_WRITE_BATCH", 10))

    def process_item(self, item: dict[str, Any], spider: Spider | None = None) -> dict[str, Any]:
        assert self.store is not None
        self.store.add(item)
        self.crawler.stats.inc_value("autonews/raw_pages_written")
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.store is not None:
            self.store.close()

"""Item pipeline: every `raw_pages` row the spider yields goes to the warehouse."""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler


class RawPageWriter:
    """Writes items (dicts of `raw_pages` columns) through the spider's store, which
    commits each one (AUTONEWS_WRITE_BATCH) so a crawl killed mid-way keeps what it got.
    The spider owns the store because it also records URLs it decides not to request."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawPageWriter:
        return cls(crawler)

    def process_item(self, item: dict[str, Any], spider: Spider | None = None) -> dict[str, Any]:
        spider = self.crawler.spider
        if getattr(spider, "store", None) is None:
            raise RuntimeError("RawPageWriter needs the NewsSpider's store")
        spider.store_row(item)  # type: ignore[union-attr]
        self.crawler.stats.inc_value("autonews/raw_pages_written")
        return item

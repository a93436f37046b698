"""Entry point of one crawl in its own process: `python -m scrapers.run ...`.

A Twisted reactor cannot restart, so every crawl (one source, one window) runs in a fresh
process started by `autonews.jobs.crawl_source`. The warehouse DSN comes from the
`AUTONEWS_DSN` environment variable, never from the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from autonews.sources import Source
from scrapers import settings as default_settings
from scrapers.spiders.news import NewsSpider


def build_settings(source: Source, log_file: str | None) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.update(dict(source.crawl_settings), priority="spider")
    settings.set("AUTONEWS_DSN", os.environ["AUTONEWS_DSN"], priority="cmdline")
    if log_file:
        settings.set("LOG_FILE", log_file, priority="cmdline")
        settings.set("LOG_FILE_APPEND", True, priority="cmdline")
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrapers.run")
    parser.add_argument("--source-file", required=True)
    parser.add_argument("--start", required=True, help="window start, ISO 8601 UTC")
    parser.add_argument("--end", required=True, help="window end (exclusive), ISO 8601 UTC")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--stats-file", required=True)
    parser.add_argument("--log-file")
    parser.add_argument("--progress", action="store_true", help="JSON progress lines on stdout")
    args = parser.parse_args(argv)
    if not os.environ.get("AUTONEWS_DSN"):
        print("scrapers.run: AUTONEWS_DSN is not set", file=sys.stderr)
        return 2
    source = Source.from_json(json.loads(Path(args.source_file).read_text()))
    process = CrawlerProcess(build_settings(source, args.log_file), install_root_handler=True)
    process.crawl(NewsSpider, source_file=args.source_file, start=args.start, end=args.end,
                  run_id=args.run_id, stats_file=args.stats_file,
                  progress="1" if args.progress else "0")
    process.start()
    stats = Path(args.stats_file)
    if not stats.exists():
        print("scrapers.run: the crawl ended without writing its stats", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

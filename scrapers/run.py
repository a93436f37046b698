"""Entry point of one crawl in its own process: `python -m scrapers.run --request FILE
--report FILE` (the files follow `autonews.core.crawl_schema`).

A Twisted reactor cannot restart, so every crawl (one source, one window) runs in a fresh
process started by `autonews.jobs.crawl_source`. The warehouse DSN comes from the
`AUTONEWS_DSN` environment variable, never from the command line.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from autonews import __version__
from autonews.core.crawl_schema import CrawlRequest, CrawlSchemaError
from autonews.core.secrets import MaskingFormatter
from autonews.core.settings import DSN_ENV, Settings
from scrapers import settings as default_settings
from scrapers.spiders.news import NewsSpider


def user_agent(settings: Settings) -> str:
    """How the crawler identifies itself, with a way to reach its operator."""
    return f"autonews/{__version__} (+{settings.contact_url})"


def build_settings(request: CrawlRequest, settings: Settings) -> ScrapySettings:
    """Scrapy settings of one crawl: ours, then the source's `crawl_settings`, then what
    only this process knows (the DSN, the log file, who we are)."""
    scrapy_settings = ScrapySettings()
    scrapy_settings.setmodule(default_settings, priority="project")
    scrapy_settings.update(dict(request.source.crawl_settings), priority="spider")
    scrapy_settings.set("AUTONEWS_DSN", settings.dsn, priority="cmdline")
    scrapy_settings.set("USER_AGENT", user_agent(settings), priority="cmdline")
    scrapy_settings.set("LOG_LEVEL", settings.crawl_log_level, priority="cmdline")
    if request.log_file:
        scrapy_settings.set("LOG_FILE", request.log_file, priority="cmdline")
        scrapy_settings.set("LOG_FILE_APPEND", True, priority="cmdline")
    # Our own root handler (`masked_log_handler`): a token in a source URL never reaches
    # the crawl log in clear.
    scrapy_settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    return scrapy_settings


def masked_log_handler(scrapy_settings: ScrapySettings) -> logging.Handler:
    """The handler Scrapy would install for the crawl's log (file, format, level), with
    passwords and tokens masked in every line."""
    handler: logging.Handler
    if scrapy_settings.get("LOG_FILE"):
        handler = logging.FileHandler(
            scrapy_settings["LOG_FILE"], encoding=scrapy_settings.get("LOG_ENCODING"),
            mode="a" if scrapy_settings.getbool("LOG_FILE_APPEND") else "w")
    else:
        handler = logging.StreamHandler()
    handler.setFormatter(MaskingFormatter(logging.Formatter(
        scrapy_settings.get("LOG_FORMAT"), scrapy_settings.get("LOG_DATEFORMAT"))))
    handler.setLevel(scrapy_settings.get("LOG_LEVEL"))
    return handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrapers.run")
    parser.add_argument("--request", required=True, help="crawl request file (JSON)")
    parser.add_argument("--report", required=True, help="where to write the crawl report")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if not settings.dsn:
        print(f"scrapers.run: {DSN_ENV} is not set", file=sys.stderr)
        return 2
    try:
        request = CrawlRequest.read(Path(args.request))
    except (OSError, ValueError, KeyError, CrawlSchemaError) as exc:
        print(f"scrapers.run: cannot read the crawl request: {exc}", file=sys.stderr)
        return 2
    scrapy_settings = build_settings(request, settings)
    process = CrawlerProcess(scrapy_settings)
    logging.root.setLevel(logging.NOTSET)
    logging.root.addHandler(masked_log_handler(scrapy_settings))
    process.crawl(NewsSpider, request_file=args.request, report_file=args.report)
    process.start()
    if not Path(args.report).exists():
        print("scrapers.run: the crawl ended without writing its report", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

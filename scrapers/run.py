"""Entry point of one crawl in its own process: `python -m scrapers.run --request FILE
--report FILE` (the files follow `autonews.core.crawl_schema`).

A Twisted reactor cannot restart, so every crawl (one source, one window) runs in a fresh
process started by `autonews.jobs.crawl_source`. The warehouse DSN comes from the
`AUTONEWS_DSN` environment variable, never from the command line.

This process is the one that writes the crawl, so it holds the site's lock (on a connection
of its own, kept alive, taken again after a drop) and it dies with the process that
started it (`PR_SET_PDEATHSIG` on Linux, a parent check everywhere): a killed `autonews run`
leaves no crawler behind.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import logging
import os
import signal
import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from autonews import __version__
from autonews.core.crawl_schema import (
    CrawlReport,
    CrawlRequest,
    CrawlSchemaError,
    FinishReason,
    ProgressEvent,
    progress_line,
)
from autonews.core.crawl_settings import check_crawl_settings
from autonews.core.errors import SiteBusy, WarehouseUnavailable
from autonews.core.secrets import MaskingFormatter
from autonews.core.settings import DSN_ENV, Settings
from scrapers import settings as default_settings
from scrapers.spiders.news import NewsSpider
from warehouse.locks import SiteLock

PARENT_PID_ENV = "AUTONEWS_PARENT_PID"
_PR_SET_PDEATHSIG = 1
log = logging.getLogger(__name__)


def user_agent(settings: Settings) -> str:
    """How the crawler identifies itself, with a way to reach its operator."""
    return f"autonews/{__version__} (+{settings.contact_url})"


def build_settings(request: CrawlRequest, settings: Settings) -> ScrapySettings:
    """Scrapy settings of one crawl: ours, then the source's `crawl_settings` (only the
    keys a source may tune, checked again here), then what only this process knows (the
    DSN, the log file, who we are, the time budget). Remote control stays off."""
    scrapy_settings = ScrapySettings()
    scrapy_settings.setmodule(default_settings, priority="project")
    tuned = check_crawl_settings(request.source.crawl_settings)
    scrapy_settings.update(tuned, priority="spider")
    scrapy_settings.set("AUTONEWS_DSN", settings.dsn, priority="cmdline")
    scrapy_settings.set("USER_AGENT", user_agent(settings), priority="cmdline")
    scrapy_settings.set("LOG_LEVEL", settings.crawl_log_level, priority="cmdline")
    scrapy_settings.set("TELNETCONSOLE_ENABLED", False, priority="cmdline")
    scrapy_settings.set("REMOTE_CONTROL_ENABLED", False, priority="cmdline")
    if request.time_budget is not None:
        scrapy_settings.set("CRAWL_TIME_BUDGET", request.time_budget, priority="cmdline")
    # the spider ends the crawl at its budget; Scrapy's own timeout is the backstop
    scrapy_settings.set("CLOSESPIDER_TIMEOUT",
                        scrapy_settings.getfloat("CRAWL_TIME_BUDGET") + 10, priority="cmdline")
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


def die_with_parent() -> int | None:
    """Ask the kernel to SIGTERM this process when its parent dies (Linux), and return the
    parent's pid to check against (every platform: the spider polls it). Exits at once if
    the parent is already gone."""
    expected = os.environ.get(PARENT_PID_ENV)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if expected and expected.isdigit():
        if os.getppid() != int(expected):  # it died before prctl took effect
            sys.exit(143)
        return int(expected)
    return None


def _say(event: ProgressEvent, **data: object) -> None:
    sys.stdout.write(progress_line(event, **data) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parent = die_with_parent()
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
        scrapy_settings = build_settings(request, settings)
    except (OSError, ValueError, KeyError, CrawlSchemaError) as exc:
        print(f"scrapers.run: cannot read the crawl request: {exc}", file=sys.stderr)
        return 2
    lock = SiteLock(settings.dsn, request.source.id, request.run_id)

    def waiting(holder: str, left: float) -> None:
        if request.progress:
            _say(ProgressEvent.WAITING, holder=holder, seconds=round(left))

    try:
        lock.acquire(request.lock_wait, on_wait=waiting)
    except SiteBusy as busy:
        CrawlReport(finish_reason=FinishReason.SITE_BUSY, error=str(busy)).write(
            Path(args.report))
        return 0
    except WarehouseUnavailable as exc:
        print(f"scrapers.run: {exc}", file=sys.stderr)
        return 3
    try:
        process = CrawlerProcess(scrapy_settings)
        logging.root.setLevel(logging.NOTSET)
        logging.root.addHandler(masked_log_handler(scrapy_settings))
        process.crawl(NewsSpider, request_file=args.request, report_file=args.report,
                      site_lock=lock, parent_pid=parent)
        process.start()
    finally:
        lock.release()
    if not Path(args.report).exists():
        print("scrapers.run: the crawl ended without writing its report", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

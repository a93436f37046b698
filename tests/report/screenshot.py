"""Make the README's screenshot of the report (`scripts/report-screenshot`): the offline demo
crawled for every day it published, with gearbox down on the last, in a throwaway warehouse,
then the page opened in headless Chromium."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import psycopg

from autonews.core import Settings, Window
from autonews.demo import catalog
from autonews.demo.site import DemoSite
from autonews.evaluation import browser as chromium
from autonews.jobs import enrich_window, run_source
from autonews.report_page import write_report
from autonews.sources import DEMO_SOURCES, load_sources
from warehouse.connection import temporary_server
from warehouse.schema import migrate

DOWN = "gearbox"


def make_screenshot(target: Path, *, width: int = 1200, height: int = 2400) -> Path:
    """Write the screenshot (the top `height` pixels of the page) to `target`."""
    missing = chromium.unavailable()
    if missing:
        raise SystemExit(missing)
    from playwright.sync_api import sync_playwright

    days = catalog.days()
    with temporary_server("autonews-shot-") as dsn, DemoSite(port=0) as site, \
            tempfile.TemporaryDirectory(prefix="autonews-home-") as tmp:
        os.environ["AUTONEWS_HOME"] = tmp  # crawl logs (their path shows in the picture)
        settings = Settings.from_env()
        with psycopg.connect(dsn) as conn:
            migrate(conn)
        sources = load_sources(DEMO_SOURCES, {"demo_url": site.url})
        for day in days:
            if day == days[-1]:
                site.faults.set([f"down:{DOWN}"])
            for source in sources:
                result = run_source(dsn, source, Window.for_day(day), f"scheduled__{day}",
                                    trigger="airflow", settings=settings)
                print(f"{day} {source.id}: {'ok' if result.ok else result.error}",
                      file=sys.stderr)
        enrich_window(dsn, Window.days(days[0], days[-1]), "scheduled__enrich",
                      trigger="airflow")
        page_path = write_report(dsn, days[-1], out=Path(tmp) / "report.html",
                                 settings=settings)
        with sync_playwright() as playwright:
            browser = chromium.launch(playwright)
            try:
                opened = chromium.open_report(browser, page_path, width=width, height=900)
                if opened.errors:
                    raise SystemExit(f"the page had errors: {opened.errors}")
                full = opened.page.evaluate("document.documentElement.scrollHeight")
                opened.page.screenshot(path=str(target), full_page=True, clip={
                    "x": 0, "y": 0, "width": width, "height": min(height, full)})
            finally:
                browser.close()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", type=Path, nargs="?", default=Path("docs/report.png"))
    parser.add_argument("--height", type=int, default=2400, help="pixels of the page to keep")
    args = parser.parse_args()
    print(make_screenshot(args.target, height=args.height))


if __name__ == "__main__":
    main()

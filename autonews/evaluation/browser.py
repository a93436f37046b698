"""Open a report page in Debian's headless Chromium (never a browser a tool downloads) and
collect what a careful reader would check: errors, requests, charts shown, time to open."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("AUTONEWS_CHROMIUM") or "/usr/bin/chromium")
SKIP_ENV = "AUTONEWS_SKIP_BROWSER"
# Headless, offline, nothing phoning home (updates, sync, field trials).
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]

# What a chart counts as shown: an SVG with data marks (lines, symbols, bars, rules), laid out
# with a size on the page.
CHARTS_JS = """() => Array.from(document.querySelectorAll('.chart')).map(el => {
    const svg = el.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0, right: 0};
    return {id: svg ? svg.getAttribute('data-chart') : null,
            marks: el.querySelectorAll('svg g.role-mark > path, svg g.role-mark > line').length,
            titles: el.querySelectorAll('svg g.role-mark > path > title').length,
            width: box.width, height: box.height, right: box.right}; })"""

# Colours the charts paint their data marks with (not axes or legends), fill and stroke.
COLOURS_JS = """() => {
    const marks = 'g[class^="mark-"]:not([class*="role-axis"]):not([class*="role-legend"])';
    const seen = new Set();
    document.querySelectorAll(`.chart svg ${marks} > path, .chart svg ${marks} > line`)
        .forEach(el => ['fill', 'stroke'].forEach(name => {
            const value = (el.getAttribute(name) || '').toLowerCase();
            if (value && value !== 'none' && value !== 'transparent') seen.add(value);
        }));
    return Array.from(seen); }"""


def unavailable() -> str | None:
    """Why the browser cannot run here, or None."""
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        return (f"no Chromium at {CHROMIUM}: run scripts/install-browser (apt-get install "
                "chromium) or set AUTONEWS_CHROMIUM")
    return None


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


@dataclass
class Opened:
    """A report page as a browser opened it."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    open_ms: float = 0.0  # from navigation to the end of the load event

    def charts(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.page.evaluate(CHARTS_JS)
        return result

    def colours(self) -> set[str]:
        return set(self.page.evaluate(COLOURS_JS))


def open_report(browser: Any, path: Path, *, width: int = 1280, height: int = 900,
                timeout_ms: int = 15000) -> Opened:
    """Open `path` in a new page of `browser`, up to its load event."""
    page = browser.new_page(viewport={"width": width, "height": height})
    opened = Opened(page)
    page.on("console", lambda m: opened.errors.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "assert") else None)
    page.on("pageerror", lambda e: opened.errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: opened.errors.append(f"request failed: {r.url}"))
    page.on("request", lambda r: opened.requests.append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
    opened.open_ms = float(page.evaluate(
        "performance.getEntriesByType('navigation')[0].loadEventEnd"))
    return opened

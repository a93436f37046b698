"""Open a report page in Debian's headless Chromium (never a browser a tool downloads) and
collect what a careful reader would check: errors, requests, charts drawn, time to open."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("AUTONEWS_CHROMIUM") or "/usr/bin/chromium")
REQUIRE_ENV = "AUTONEWS_REQUIRE_BROWSER"
# Headless, offline, nothing phoning home (updates, sync, field trials).
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]

# What a chart counts as drawn: an SVG holding marks (paths of lines, symbols, bars, rules).
CHARTS_JS = """() => Array.from(document.querySelectorAll('.chart')).map(el => ({
    id: el.id, drawn: el.getAttribute('data-drawn'),
    marks: el.querySelectorAll('svg g.mark-line path, svg g.mark-symbol path, '
                               + 'svg g.mark-rect path, svg g.mark-rule line').length,
    width: el.getBoundingClientRect().width,
    height: el.getBoundingClientRect().height}))"""

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
    load_ms: float = 0.0
    charts_ms: float = 0.0

    @property
    def open_ms(self) -> float:
        """Time from navigation to the load event and every chart drawn."""
        return max(self.load_ms, self.charts_ms)

    def charts(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.page.evaluate(CHARTS_JS)
        return result

    def colours(self) -> set[str]:
        return set(self.page.evaluate(COLOURS_JS))


def open_report(browser: Any, path: Path, *, width: int = 1280, height: int = 900,
                timeout_ms: int = 15000) -> Opened:
    """Open `path` in a new page of `browser` and wait until every chart is drawn."""
    page = browser.new_page(viewport={"width": width, "height": height})
    opened = Opened(page)
    page.on("console", lambda m: opened.errors.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "assert") else None)
    page.on("pageerror", lambda e: opened.errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: opened.errors.append(f"request failed: {r.url}"))
    page.on("request", lambda r: opened.requests.append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
    page.wait_for_selector("html[data-charts]", state="attached", timeout=timeout_ms)
    timing = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        return [nav.loadEventEnd - nav.startTime,
                Number(document.documentElement.getAttribute('data-charts-ms'))
                - nav.startTime]; }""")
    opened.load_ms, opened.charts_ms = float(timing[0]), float(timing[1])
    return opened

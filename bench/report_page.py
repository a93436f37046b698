"""The daily report page of a 13-source day (autonews/evaluation/synthetic.py) in two designs,
in one run: the charts drawn into the page as SVG when it is made (what `autonews report` writes),
and the same charts drawn in the browser by the Vega runtime inlined in the page (vega-embed
from vl-convert's bundle, the specs compiled to Vega beforehand). Weight, time to make, and
time to open in Debian's headless Chromium (navigation to the load event and every chart
drawn), fresh tabs, alternating.

    .venv/bin/python bench/report_page.py [--repeat 7] [--save bench/results/report.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import vl_convert as vlc  # noqa: E402

from autonews.evaluation import browser as chromium  # noqa: E402
from autonews.evaluation.synthetic import load_synthetic  # noqa: E402
from autonews.report_page import charts, render  # noqa: E402
from autonews.report_page.model import build_report  # noqa: E402
from autonews.report_page.render import inline_script, render_report  # noqa: E402
from warehouse.connection import connect, temporary_server  # noqa: E402
from warehouse.schema import migrate  # noqa: E402

DAY = date(2026, 11, 13)
# The browser side of the inline-runtime design: draw every spec, then say when.
EMBED = """
(function () {
  var nodes = document.querySelectorAll('script[type="application/json"][data-chart]');
  Promise.all(Array.prototype.map.call(nodes, function (node) {
    return vegaEmbed(document.getElementById(node.getAttribute('data-chart')),
                     JSON.parse(node.textContent),
                     {mode: 'vega', renderer: 'svg', actions: false});
  })).then(function () {
    document.documentElement.setAttribute('data-drawn-ms', String(performance.now()));
  });
})();
"""


def _runtime_page(report: Any) -> str:
    """The page with each chart left to the Vega runtime inlined at its end."""
    specs: dict[str, dict[str, Any]] = {}

    def placeholder(chart: Any, chart_id: str) -> str:
        specs[chart_id] = vlc.vegalite_to_vega(chart.to_dict(), vl_version=charts.VL_VERSION)
        return f'<div id="vega-{chart_id}"></div>'

    # vega's expressions need eval, which the page's policy rightly refuses
    with mock.patch.object(charts, "to_svg", placeholder), mock.patch.object(
            render, "CSP", render.CSP.replace("script-src 'unsafe-inline'",
                                              "script-src 'unsafe-inline' 'unsafe-eval'")):
        page = render_report(report)
    data = "".join(
        f'<script type="application/json" data-chart="vega-{cid}">'
        + json.dumps(spec).replace("<", "\\u003c") + "</script>"
        for cid, spec in specs.items())
    runtime = inline_script(vlc.javascript_bundle("window.vegaEmbed = vegaEmbed;",
                                                  vl_version=charts.VL_VERSION))
    return page.replace("</body>", f"{data}<script>{runtime}</script><script>{EMBED}</script>"
                                   "</body>")


def _open_ms(browser: Any, path: Path, runtime: bool) -> float:
    opened = chromium.open_report(browser, path)
    try:
        if opened.errors:
            raise SystemExit(f"{path.name}: {opened.errors}")
        if not runtime:
            return opened.open_ms
        opened.page.wait_for_selector("html[data-drawn-ms]", state="attached")
        drawn = float(opened.page.get_attribute("html", "data-drawn-ms") or 0)
        return max(opened.open_ms, drawn)
    finally:
        opened.page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--save", type=Path)
    args = parser.parse_args()
    missing = chromium.unavailable()
    if missing:
        raise SystemExit(missing)
    from playwright.sync_api import sync_playwright

    with temporary_server("autonews-bench-report-") as dsn, \
            tempfile.TemporaryDirectory() as tmp:
        with connect(dsn) as conn:
            migrate(conn)
        load_synthetic(dsn, DAY)
        with connect(dsn) as conn:
            report = build_report(conn, DAY)
        made: dict[str, list[float]] = {"svg": [], "runtime": []}
        pages: dict[str, Path] = {}
        for _ in range(3):
            for design, make in (("svg", render_report), ("runtime", _runtime_page)):
                started = time.perf_counter()
                html = make(report)
                made[design].append(time.perf_counter() - started)
                pages[design] = Path(tmp) / f"{design}.html"
                pages[design].write_text(html, encoding="utf-8")
        sizes = {design: path.stat().st_size for design, path in pages.items()}
        opened: dict[str, list[float]] = {"svg": [], "runtime": []}
        with sync_playwright() as playwright:
            browser = chromium.launch(playwright)
            try:
                _open_ms(browser, pages["svg"], runtime=False)  # the browser's own warm-up
                for _ in range(args.repeat):
                    for design in ("svg", "runtime"):
                        opened[design].append(_open_ms(browser, pages[design],
                                                       runtime=design == "runtime"))
            finally:
                browser.close()
    rows: dict[str, dict[str, Any]] = {design: {"bytes": sizes[design],
                     "make_s": statistics.median(made[design]),
                     "open_ms": statistics.median(opened[design]),
                     "open_ms_all": opened[design]} for design in pages}
    base = rows["runtime"]["open_ms"]
    print(f"load average {os.getloadavg()[0]:.1f}; medians of {args.repeat} opens, 3 makes")
    print("| design | page MB | make (s) | open (ms) | open time / runtime design's |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for design, row in rows.items():
        print(f"| {design} | {row['bytes'] / 1e6:.2f} | {row['make_s']:.2f} | "
              f"{row['open_ms']:.0f} | {row['open_ms'] / base:.2f} |")
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps({"load_average": os.getloadavg()[0], **rows}, indent=2))


if __name__ == "__main__":
    main()

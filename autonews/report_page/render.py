"""The report as one self-contained HTML file: a jinja2 template, its CSS, and the Vega
runtime (vl-convert's bundle of vega-embed) with every chart's spec, all inline."""

from __future__ import annotations

import functools
import json
import logging
import re
from datetime import date, datetime
from importlib import resources
from typing import Any

import jinja2
import vl_convert as vlc

from autonews.report_page import charts, wording
from autonews.report_page.model import DayReport
from warehouse.reporting import ArticleLink

log = logging.getLogger(__name__)

# The page may load nothing from anywhere: a chart library that tried would fail loudly.
CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
       "style-src 'unsafe-inline'; img-src data:")
_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)


@functools.cache
def vega_runtime() -> str:
    """vega-embed with vega and vega-lite as one script that sets `window.vegaEmbed`; made
    once per process (about a second), never fetched from the network."""
    bundle: str = vlc.javascript_bundle("window.vegaEmbed = vegaEmbed;",
                                        vl_version=charts.VL_VERSION)
    return inline_script(bundle)


def inline_script(code: str) -> str:
    """`code` made safe to sit inside <script>...</script>."""
    if "<!--" in code:
        raise ValueError("a script to inline contains '<!--', which HTML parsers treat "
                         "specially inside <script>")
    return _SCRIPT_END.sub(r"<\\/\1", code)


def json_script(value: Any) -> str:
    """`value` as JSON that can sit in <script type="application/json"> unescaped."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str) -> str:
    return resources.files("autonews.report_page").joinpath("templates", name).read_text(
        encoding="utf-8")


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("autonews.report_page", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda n: f"{n:,}" if isinstance(n, int) else n
    env.filters["outcome"] = wording.outcome_words
    env.filters["reject"] = wording.reject_words
    env.filters["tidy"] = wording.tidy_detail
    env.filters["longday"] = lambda d: f"{d:%A %d %B %Y}" if isinstance(d, date) else d
    env.filters["hhmm"] = lambda t: f"{t:%H:%M}" if isinstance(t, datetime) else "–"
    return env


def _verdict(report: DayReport) -> tuple[str, bool]:
    """The page's first sentence, and whether all is well."""
    total = len(report.sources)
    if not total:
        return "No source ran on this day, and none had articles in the days before.", False
    problems = report.problems
    if not problems:
        extra = f" The gate flags {report.anomalies} of them." if report.anomalies else ""
        return f"All {total} sources ran and loaded.{extra}", not report.anomalies
    names = ", ".join(f"{s.source_id} ({s.state_words})" for s in problems)
    return f"{len(problems)} of {total} sources need attention: {names}.", False


def render_report(report: DayReport) -> str:
    """The whole page for `report`."""
    chart_specs: dict[str, dict[str, Any]] = {}

    def chart(chart_id: str, spec: dict[str, Any]) -> str:
        chart_specs[chart_id] = spec
        return chart_id

    history_ids = {h.source_id: chart(f"history-{i}", charts.history_chart(h))
                   for i, h in enumerate(report.histories) if h.points}
    context = {
        "report": report,
        "verdict": _verdict(report),
        "overview": chart("overview", charts.overview_chart(report)) if report.sources
        else None,
        "histories": [(h, history_ids.get(h.source_id)) for h in _ordered(report)],
        "sections_chart": chart("sections", charts.bar_chart(report.sections, "section"))
        if report.sections else None,
        "languages_chart": chart("languages", charts.bar_chart(report.languages, "language"))
        if report.languages else None,
        "entities_chart": chart("entities", charts.bar_chart(
            [(e.name, e.articles) for e in report.enrichment.entities], "entity"))
        if report.enrichment.entities else None,
        "articles_by_source": _by_source(report),
        "with_failures": [s for s in report.sources if s.failures or s.rejects],
        "css": _asset("page.css"),
    }
    html_page = _environment().get_template("page.html.j2").render(
        **context, csp=CSP,
        specs=[(chart_id, json_script(spec)) for chart_id, spec in chart_specs.items()],
        runtime=vega_runtime(), script=inline_script(_asset("page.js")))
    log.info("report page of %s: %d charts, %d bytes", report.day, len(chart_specs),
             len(html_page.encode()))
    return html_page


def _ordered(report: DayReport) -> list[Any]:
    """Histories in the order of the status table (problems first)."""
    rank = {s.source_id: i for i, s in enumerate(report.sources)}
    return sorted(report.histories, key=lambda h: (rank.get(h.source_id, len(rank)),
                                                   h.source_id))


def _by_source(report: DayReport) -> list[tuple[str, list[ArticleLink]]]:
    grouped: dict[str, list[ArticleLink]] = {}
    for article in report.articles:
        grouped.setdefault(article.source_id, []).append(article)
    return sorted(grouped.items())

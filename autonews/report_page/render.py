"""The report as one self-contained HTML file: a jinja2 template with its CSS and every chart
(an SVG drawn by Vega) inline; nothing to fetch and no script needed to read it."""

from __future__ import annotations

import functools
import logging
import re
from datetime import date, datetime
from importlib import resources
from typing import Any

import jinja2

from autonews.report_page import charts, wording
from autonews.report_page.model import DayReport
from warehouse.reporting import ArticleLink

log = logging.getLogger(__name__)

# The page may load nothing from anywhere: anything that tried would fail loudly.
CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"
_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)


def inline_script(code: str) -> str:
    """`code` made safe to sit inside <script>...</script>."""
    if "<!--" in code:
        raise ValueError("a script to inline contains '<!--', which HTML parsers treat "
                         "specially inside <script>")
    return _SCRIPT_END.sub(r"<\\/\1", code)


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
        return (f"No source ran on this day or had articles in the {report.days - 1} days "
                "before.", False)
    enrich = " The enrich stage needs attention." if report.enrich_problem else ""
    problems = report.problems
    if not problems:
        extra = f" The gate flags {report.anomalies} of them." if report.anomalies else ""
        return (f"All {total} sources ran and loaded.{extra}{enrich}",
                not report.anomalies and not enrich)
    names = ", ".join(f"{s.source_id} ({s.state_words})" for s in problems)
    return f"{len(problems)} of {total} sources need attention: {names}.{enrich}", False


def render_report(report: DayReport) -> str:
    """The whole page for `report`."""
    histories = {h.source_id: charts.history_chart(h, f"history-{i}")
                 for i, h in enumerate(report.histories) if h.points}
    enrichment = report.enrichment
    context = {
        "report": report,
        "verdict": _verdict(report),
        "overview": charts.overview_chart(report, "overview") if report.sources else None,
        "histories": [(h, histories.get(h.source_id)) for h in _ordered(report)],
        "sections_chart": charts.bar_chart(report.sections, "section", "sections")
        if report.sections else None,
        "languages_chart": charts.bar_chart(report.languages, "language", "languages")
        if report.languages else None,
        "entities_chart": charts.bar_chart(
            [(e.name, e.articles) for e in enrichment.entities], "entity", "entities")
        if enrichment.entities else None,
        "articles_by_source": _by_source(report),
        "with_failures": [s for s in report.sources if s.failures or s.rejects],
        "css": _asset("page.css"),
        "script": inline_script(_asset("page.js")),
        "csp": CSP,
    }
    html_page = _environment().get_template("page.html.j2").render(**context)
    log.info("report page of %s: %d bytes", report.day, len(html_page.encode()))
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

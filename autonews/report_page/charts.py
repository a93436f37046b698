"""The report's charts: Vega-Lite through altair, drawn to SVG by Vega itself (vl-convert)
when the page is made, so they show without any script; colours from the Okabe-Ito palette
(safe for colour blindness), with shapes doubling every colour that carries meaning."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import altair as alt
import vl_convert as vlc
from lxml import etree

from autonews.report_page.model import DayReport, SourceHistory

VL_VERSION = "6.4"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREY = "#5f5f5f"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
WIDTH = 280  # fits a 360 px phone screen with the page's margins
NORMAL, ANOMALY = "usual", "anomaly"
PROBLEM = "needs attention"
SVG_NS = "http://www.w3.org/2000/svg"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def count_axis(top: float, title: str, ticks: int = 4) -> tuple[alt.Scale, alt.Axis]:
    """A scale from 0 and an axis of whole numbers for counts up to `top`: Vega's own ticks
    put halves on small counts (0, 0.5, 1, printed as 0, 1, 1)."""
    magnitude, step = 1, 1
    while top / step > ticks:
        for multiple in (1, 2, 5, 10):
            step = multiple * magnitude
            if top / step <= ticks:
                break
        magnitude *= 10
    high = max(step, math.ceil(math.ceil(top) / step) * step)
    return (alt.Scale(domain=[0, high], nice=False, zero=True),
            alt.Axis(values=list(range(0, high + 1, step)), format="d", title=title))


def to_svg(chart: alt.TopLevelMixin, chart_id: str) -> str:
    """The chart drawn by Vega as an SVG element to inline in the page: its ids prefixed
    with `chart_id` (several SVGs share one document) and each data mark given a <title>
    from its description, which browsers show on hover."""
    drawn: str = vlc.vegalite_to_svg(chart.to_dict(), vl_version=VL_VERSION)
    root = etree.fromstring(drawn.encode(), parser=_PARSER)
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for el in root.iter():
        for name, value in el.attrib.items():
            for old in ids:
                if f"#{old}" in value:
                    el.set(name, value.replace(f"#{old}", f"#{chart_id}-{old}"))
        if el.get("id"):
            el.set("id", f"{chart_id}-{el.get('id')}")
        label = el.get("aria-label")
        parent = el.getparent()
        if label and parent is not None and "role-mark" in (parent.get("class") or ""):
            title = etree.Element(f"{{{SVG_NS}}}title")
            title.text = label
            el.insert(0, title)
    root.set("data-chart", chart_id)
    return etree.tostring(root, encoding="unicode")


def _style(chart: Any) -> Any:
    return chart.configure(font=FONT, background="transparent").configure_view(
        stroke=None).configure_axis(labelColor="#222", titleColor="#222", gridColor="#e4e4e4")


def _plural(n: float, word: str) -> str:
    return f"{n:g} {word}" + ("" if n == 1 else "s")


def history_chart(history: SourceHistory, chart_id: str) -> str:
    """Articles per day over the last days, the report day marked, anomalies flagged (a
    vermillion triangle where the quality gate fails or would fail), the usual level dashed."""
    values: list[dict[str, Any]] = [{
        "day": p.day.isoformat(), "articles": p.articles,
        "flag": ANOMALY if p.anomaly else NORMAL,
        "mark": "report day" if p.is_report_day else "",
        "text": f"{p.day:%a %d %b}: {_plural(p.articles, 'article')}, "
                f"run: {p.run_status or 'none'}" + (f"; {p.anomaly}" if p.anomaly else ""),
    } for p in history.points]
    data = alt.Data(values=values)
    first, last = history.points[0].day, history.points[-1].day
    # Days as ISO dates (unique over any range), shown as the day of the month; the report
    # day's label is bold and its point big.
    today = next((p.day.isoformat() for p in history.points if p.is_report_day), "")
    x = alt.X("day:O", sort="ascending", title=f"{first:%d %b} – {last:%d %b %Y} (UTC)",
              axis=alt.Axis(labelAngle=0, grid=False, labelExpr="slice(datum.value, 8)",
                            labelOverlap=len(history.points) > 21,
                            labelFontWeight=alt.ExprRef(
                                f"datum.value == '{today}' ? 'bold' : 'normal'")))
    scale, axis = count_axis(max([p.articles for p in history.points] + [history.median]),
                             "articles")
    y = alt.Y("articles:Q", scale=scale, axis=axis)
    base = alt.Chart(data)
    line = base.mark_line(color=BLUE, strokeWidth=2, aria=False).encode(x=x, y=y)
    points = base.mark_point(filled=True, opacity=1).encode(
        x=x, y=y,
        color=alt.Color("flag:N", scale=alt.Scale(domain=[NORMAL, ANOMALY],
                                                  range=[BLUE, VERMILLION]), legend=None),
        shape=alt.Shape("flag:N", scale=alt.Scale(domain=[NORMAL, ANOMALY],
                                                  range=["circle", "triangle-up"]), legend=None),
        size=alt.Size("mark:N", scale=alt.Scale(domain=["", "report day"], range=[45, 170]),
                      legend=None),
        description="text:N")
    usual = alt.Chart(alt.Data(values=[{
        "median": history.median,
        "text": f"usual day: {_plural(history.median, 'article')} (median of the "
                "days before)"}])).mark_rule(color=GREY, strokeDash=[4, 3]).encode(
        y=alt.Y("median:Q", scale=scale, axis=axis), description="text:N")
    chart = alt.layer(line, points, usual).properties(
        width=WIDTH, height=120,
        description=f"{history.source_id}: articles per day from {first:%d %b} to "
                    f"{last:%d %b}; dashed line: the usual {_plural(history.median, 'article')}"
                    " a day")
    return to_svg(_style(chart), chart_id)


def overview_chart(report: DayReport, chart_id: str) -> str:
    """Each source's articles today (a bar, vermillion with a cross when it needs attention)
    against its usual day (a black tick: the median of the days before)."""
    values: list[dict[str, Any]] = [
        {"source": s.source_id, "articles": s.loaded, "usual": s.usual or 0,
         "state": PROBLEM if s.state != "ok" else "ok",
         "text": f"{s.source_id}: {_plural(s.loaded, 'article')} loaded today, "
                 f"{s.state_words}",
         "usual_text": f"{s.source_id}: usual day {_plural(s.usual or 0, 'article')}"}
        for s in report.sources]
    order = [s.source_id for s in report.sources]
    data = alt.Data(values=values)
    y = alt.Y("source:N", sort=order, title=None)
    scale, axis = count_axis(max([s.loaded for s in report.sources]
                                 + [s.usual or 0 for s in report.sources]),
                             "articles loaded today")
    x = alt.X("articles:Q", scale=scale, axis=axis)
    bars = alt.Chart(data).mark_bar(height={"band": 0.7}).encode(
        y=y, x=x,
        color=alt.Color("state:N", scale=alt.Scale(domain=["ok", PROBLEM],
                                                   range=[BLUE, VERMILLION]),
                        legend=alt.Legend(orient="bottom", title=None)),
        description="text:N")
    marks = alt.Chart(data).transform_filter("datum.state != 'ok'").mark_text(
        text="✖", align="left", dx=4, color=VERMILLION, fontSize=13, aria=False).encode(
        y=y, x=x)
    usual = alt.Chart(data).mark_tick(color="#111", thickness=2).encode(
        y=y, x=alt.X("usual:Q", scale=scale, axis=axis), description="usual_text:N")
    chart = alt.layer(bars, usual, marks).properties(
        width=WIDTH, height={"step": 20},
        description="articles loaded today per source, with a tick at the usual day")
    return to_svg(_style(chart), chart_id)


def bar_chart(rows: Sequence[tuple[str, int]], what: str, chart_id: str, *,
              top: int = 12) -> str:
    """Horizontal bars, most first, the count written at each bar's end; past `top` rows
    the rest are summed as 'other'."""
    shown = list(rows[:top])
    rest = sum(n for _, n in rows[top:])
    if rest:
        shown.append(("other", rest))
    names = [name or "(none)" for name, _ in shown]
    values = [{"name": name, "articles": n, "text": f"{name}: {_plural(n, 'article')}"}
              for name, (_, n) in zip(names, shown, strict=True)]
    data = alt.Data(values=values)
    y = alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=160))
    scale, axis = count_axis(max(n for _, n in shown), "articles")
    x = alt.X("articles:Q", scale=scale, axis=axis)
    bars = alt.Chart(data).mark_bar(color=BLUE, height={"band": 0.7}).encode(
        y=y, x=x, description="text:N")
    labels = alt.Chart(data).mark_text(align="left", dx=3, color="#222", aria=False).encode(
        y=y, x=x, text="articles:Q")
    chart = alt.layer(bars, labels).properties(width=WIDTH - 60, height={"step": 20},
                                               description=f"articles per {what}")
    return to_svg(_style(chart), chart_id)

"""The report's charts: Vega-Lite through altair, compiled to Vega by vl-convert so the page
only needs the Vega runtime; colours from the Okabe-Ito palette (safe for colour blindness),
with shapes doubling every colour that carries meaning."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import altair as alt
import vl_convert as vlc

from autonews.report_page.model import DayReport, SourceHistory

VL_VERSION = "6.4"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREY = "#5f5f5f"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
WIDTH = 280  # fits a 360 px phone screen with the page's margins
NORMAL, ANOMALY = "usual", "anomaly"
PROBLEM = "needs attention"


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


def to_vega(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The chart as a Vega spec (compiled here, not in the reader's browser)."""
    spec: dict[str, Any] = vlc.vegalite_to_vega(chart.to_dict(), vl_version=VL_VERSION)
    return spec


def _style(chart: Any) -> Any:
    return chart.configure(font=FONT, background="transparent").configure_view(
        stroke=None).configure_axis(labelColor="#222", titleColor="#222", gridColor="#e4e4e4")


def history_chart(history: SourceHistory) -> dict[str, Any]:
    """Articles per day over the last days, the report day marked, anomalies flagged (a
    vermillion triangle where the quality gate fails or would fail), the usual level dashed."""
    values: list[dict[str, Any]] = [{
        "day": p.day.isoformat(),
        "articles": p.articles, "flag": ANOMALY if p.anomaly else NORMAL,
        "mark": "report day" if p.is_report_day else "",
        "run": p.run_status or "no run", "why": p.anomaly or "",
    } for p in history.points]
    data = alt.Data(values=values)
    first, last = history.points[0].day, history.points[-1].day
    # Days as ISO dates (unique over any range), shown as the day of the month.
    # The report day's label is bold and its point big: no extra layer to draw.
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
    line = base.mark_line(color=BLUE, strokeWidth=2).encode(x=x, y=y)
    points = base.mark_point(filled=True, opacity=1).encode(
        x=x, y=y,
        color=alt.Color("flag:N", scale=alt.Scale(domain=[NORMAL, ANOMALY],
                                                  range=[BLUE, VERMILLION]), legend=None),
        shape=alt.Shape("flag:N", scale=alt.Scale(domain=[NORMAL, ANOMALY],
                                                  range=["circle", "triangle-up"]), legend=None),
        size=alt.Size("mark:N", scale=alt.Scale(domain=["", "report day"], range=[45, 170]),
                      legend=None),
        tooltip=[alt.Tooltip("day:O", title="day"), alt.Tooltip("articles:Q"),
                 alt.Tooltip("run:N", title="run"), alt.Tooltip("why:N", title="gate")])
    usual = alt.Chart(alt.Data(values=[{"median": history.median}])).mark_rule(
        color=GREY, strokeDash=[4, 3]).encode(y=alt.Y("median:Q", scale=scale, axis=axis))
    chart = alt.layer(line, points, usual).properties(
        width=WIDTH, height=120,
        description=f"{history.source_id}: articles per day; dashed line: the usual "
                    f"{history.median:g} a day")
    return to_vega(_style(chart))


def overview_chart(report: DayReport) -> dict[str, Any]:
    """Each source's articles today (a bar, vermillion with a cross when it needs attention)
    against its usual day (a black tick: the median of the days before)."""
    values: list[dict[str, Any]] = [
        {"source": s.source_id, "articles": s.loaded, "usual": s.usual or 0,
         "state": PROBLEM if s.state != "ok" else "ok", "status": s.state_words}
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
        tooltip=["source:N", "status:N", alt.Tooltip("articles:Q", title="loaded"),
                 alt.Tooltip("usual:Q", title="usual day")])
    marks = alt.Chart(data).transform_filter("datum.state != 'ok'").mark_text(
        text="✖", align="left", dx=4, color=VERMILLION, fontSize=13).encode(y=y, x=x)
    usual = alt.Chart(data).mark_tick(color="#111", thickness=2).encode(
        y=y, x=alt.X("usual:Q", scale=scale, axis=axis),
        tooltip=[alt.Tooltip("usual:Q", title="usual day")])
    chart = alt.layer(bars, usual, marks).properties(
        width=WIDTH, height={"step": 20},
        description="articles loaded today per source, with a tick at the usual day")
    return to_vega(_style(chart))


def bar_chart(rows: Sequence[tuple[str, int]], what: str, *, top: int = 12) -> dict[str, Any]:
    """Horizontal bars, most first, the count written at each bar's end; past `top` rows
    the rest are summed as 'other'."""
    shown = list(rows[:top])
    rest = sum(n for _, n in rows[top:])
    if rest:
        shown.append(("other", rest))
    names = [name or "(none)" for name, _ in shown]
    values = [{"name": name, "articles": n} for name, (_, n) in zip(names, shown, strict=True)]
    data = alt.Data(values=values)
    y = alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=160))
    scale, axis = count_axis(max(n for _, n in shown), "articles")
    x = alt.X("articles:Q", scale=scale, axis=axis)
    bars = alt.Chart(data).mark_bar(color=BLUE, height={"band": 0.7}).encode(
        y=y, x=x, tooltip=[alt.Tooltip("name:N", title=what), "articles:Q"])
    labels = alt.Chart(data).mark_text(align="left", dx=3, color="#222").encode(
        y=y, x=x, text="articles:Q")
    chart = alt.layer(bars, labels).properties(width=WIDTH - 60, height={"step": 20},
                                               description=f"articles per {what}")
    return to_vega(_style(chart))

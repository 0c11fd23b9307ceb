"""Server-side SVG charts of the report tables (pygal, no JavaScript, no CDN).

Each chart is served as its own image/svg+xml response, so its inline styles never meet the
HTML pages' Content-Security-Policy; pygal's configuration script is removed from the SVG.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pygal
from pygal.style import Style

from moderation.services.reports import Table

CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; script-src 'none'"
PALETTE = ("#5b3f8c", "#b3261e", "#1d5b3a", "#8a5300", "#1f6fb2", "#7a7a7a", "#c2185b",
           "#00796b", "#6d4c41", "#3949ab")
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


def _style(colours: tuple[str, ...] = PALETTE) -> Style:
    return Style(
        background="#ffffff", plot_background="#ffffff", foreground="#1f2328",
        foreground_strong="#1f2328", foreground_subtle="#5b6470", colors=colours,
        font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
        label_font_size=12, major_label_font_size=12, legend_font_size=13,
        title_font_size=16, value_font_size=12, tooltip_font_size=12,
    )


def _options(title: str, **extra) -> dict:
    return dict(title=title, js=[], disable_xml_declaration=True, width=820, height=360,
                explicit_size=False, legend_at_bottom=True, show_y_guides=True,
                print_values=False, truncate_legend=-1, truncate_label=-1, **extra)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _render(chart: pygal.graph.graph.Graph) -> str:
    svg = chart.render(is_unicode=True)
    return _SCRIPT.sub("", svg)


def response_trend_chart(table: Table) -> str:
    """Weekly median and 90th percentile time to first reply, in hours."""
    chart = pygal.Line(**_options("Time to first reply per week (hours)",
                                  x_label_rotation=30, y_title="Hours",
                                  allow_interruptions=True),
                       style=_style())
    chart.x_labels = [f"{row['week']:%d %b}" for row in table.rows]
    chart.add("Median (clock time)", [_hours(row["median_clock"]) for row in table.rows])
    chart.add("90th percentile (clock time)", [_hours(row["p90_clock"]) for row in table.rows])
    chart.add("Median (working hours)", [_hours(row["median_working"]) for row in table.rows])
    return _render(chart)


def backlog_chart(table: Table) -> str:
    """Pending and overdue comments per urgency."""
    rows = [row for row in table.rows if row["urgency"] != "all"]
    chart = pygal.Bar(**_options("Backlog now by urgency", y_title="Comments"),
                      style=_style(("#5b3f8c", "#b3261e")))
    chart.x_labels = [row["urgency"] for row in rows]
    chart.add("Pending", [row["pending"] for row in rows])
    chart.add("Overdue", [row["overdue"] for row in rows])
    return _render(chart)


def topic_volume_chart(table: Table) -> str:
    """Comments received per topic, week by week, stacked."""
    topics = table.notes.get("topics", [])
    chart = pygal.StackedBar(**_options("Comments per topic per week", x_label_rotation=30,
                                        y_title="Comments"),
                             style=_style())
    chart.x_labels = [f"{row['week']:%d %b}" for row in table.rows]
    for topic in topics:
        chart.add(topic, [row[topic] for row in table.rows])
    return _render(chart)


CHARTS: dict[str, tuple[str, Callable[[Table], str]]] = {
    "response-trend": ("response-trend", response_trend_chart),
    "backlog": ("backlog", backlog_chart),
    "topic-volume": ("topic-volume", topic_volume_chart),
}


def render_chart(name: str, table: Table) -> str:
    """Render the named chart from its table, as SVG text without scripts."""
    return CHARTS[name][1](table)

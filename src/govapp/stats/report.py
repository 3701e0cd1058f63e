"""The monthly report as PDF (WeasyPrint + Noto CJK, like the supervision notices): the statistics tables
and, beside the main ones, bar charts drawn here as SVG (ECharts needs a browser; the report must render
on a server without one).
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse
from django.utils.safestring import SafeString, mark_safe

from govapp.supervision.enforcement.pdf import pdf_response

from .period import Period
from .tables import Figures, Table

BAR_HEIGHT = 16
LABEL_WIDTH = 170
CHART_WIDTH = 480


def svg_bars(categories: list[Any], values: list[Any]) -> SafeString:
    """A horizontal bar chart of one series; labels and numbers escaped."""
    numbers = [value if isinstance(value, (int, float)) else 0 for value in values]
    peak = max(numbers, default=0) or 1
    height = BAR_HEIGHT * len(numbers) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" role="img">'
    ]
    span = CHART_WIDTH - LABEL_WIDTH - 50
    for index, (label, value) in enumerate(zip(categories, numbers, strict=False)):
        y = index * BAR_HEIGHT + 2
        width = round(span * value / peak)
        parts.append(
            f'<text x="{LABEL_WIDTH - 4}" y="{y + 12}" font-size="10" text-anchor="end">{escape(str(label)[:24])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{width}" height="{BAR_HEIGHT - 5}" fill="#2f6fb2"/>'
            f'<text x="{LABEL_WIDTH + width + 4}" y="{y + 12}" font-size="10">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped above


def _chart_of(table: Table) -> SafeString | None:
    chart = table.chart
    if not chart or not table.rows or chart["type"] == "line":
        return None
    series = chart["series"]
    if chart["type"] == "stacked":
        totals = [sum(s["data"][i] or 0 for s in series) for i in range(len(chart["categories"]))]
        return svg_bars(chart["categories"], totals)
    return svg_bars(chart["categories"], series[0]["data"])


def report_response(request: HttpRequest, fig: Figures, tables: list[Table], period: Period) -> HttpResponse:
    sections = [{"table": table, "svg": _chart_of(table)} for table in tables if table.rows]
    month = f"{period.start.year:04d}-{period.start.month:02d}"
    return pdf_response(
        request,
        "statistics/report.html",
        {"fig": fig, "sections": sections, "period": period, "month": month},
        f"statistics-{month}.pdf",
    )

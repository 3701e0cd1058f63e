"""Statistics pages for the national office and the provincial offices, the lists behind the numbers,
their exports and the monthly report.

Deny by default: only national and provincial roles (``scope.scope_for``); a provincial office asking for
another province gets its own.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from govapp.accounts.divisions import PROVINCE_CHOICES
from govapp.registry.views.access import explain_denials

from . import exports
from .datasets import dataset, filters_of
from .period import month_period, period_from
from .scope import CENTRAL, scope_for
from .tables import Table, build_tables, figures

PAGE_SIZE = 50


def _chart_data(tables: list[Table]) -> list[dict[str, Any]]:
    return [{"key": t.key, "title": t.title, **t.chart} for t in tables if t.chart and t.rows]


@login_required
@explain_denials
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user, request.GET.get("province", ""))
    today = timezone.localdate()
    period = period_from(request.GET, today)
    fig = figures(scope=scope, start=period.start, end=period.end, today=today)
    tables = build_tables(fig)
    query = urlencode(
        {
            k: v
            for k, v in {
                "province": scope.province,
                "from": request.GET.get("from", ""),
                "to": request.GET.get("to", ""),
            }.items()
            if v
        }
    )
    return render(
        request,
        "statistics/page.html",
        {
            "scope": scope,
            "period": period,
            "fig": fig,
            "tables": tables,
            "charts": _chart_data(tables),
            "provinces": [(CENTRAL, _("Central departments")), *PROVINCE_CHOICES] if scope.national else [],
            "query": query,
        },
    )


@login_required
@explain_denials
@require_GET
def statistics_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    scope = scope_for(request.user, request.GET.get("province", ""))
    today = timezone.localdate()
    period = period_from(request.GET, today)
    tables = build_tables(figures(scope=scope, start=period.start, end=period.end, today=today))
    wanted = request.GET.get("table", "")
    if wanted:
        tables = [t for t in tables if t.key == wanted]
        if not tables:
            raise Http404(_("No such table."))
    stamp = today.isoformat()
    if fmt == "csv":

        def rows() -> Any:
            for index, table in enumerate(tables):
                if len(tables) > 1:
                    if index:
                        yield []
                    yield [table.title]
                    yield table.headers
                yield from table.plain_rows()

        headers = tables[0].headers if len(tables) == 1 else [_("Statistics"), scope.label]
        return exports.csv_response(headers, rows(), f"statistics-{stamp}.csv")
    sheets = [(t.title, t.headers, t.plain_rows()) for t in tables]
    return exports.xlsx_response(sheets, f"statistics-{stamp}.xlsx")


@login_required
@explain_denials
@require_GET
def rows_page(request: HttpRequest, key: str) -> HttpResponse:
    data = dataset(key)
    scope = scope_for(request.user, "")
    filters = filters_of(request.GET, scope)
    rows = data.rows(scope, filters, timezone.localdate())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    table = [
        ([column.value(row) for column in data.columns], data.link(row) if data.link else "")
        for row in page.object_list
    ]
    return render(
        request,
        "statistics/rows.html",
        {
            "dataset": data,
            "headers": [str(column.label) for column in data.columns],
            "table": table,
            "page": page,
            "filters": filters,
            "query": urlencode(filters),
        },
    )


@login_required
@explain_denials
@require_GET
def rows_export(request: HttpRequest, key: str, fmt: str) -> HttpResponseBase:
    data = dataset(key)
    scope = scope_for(request.user, "")
    filters = filters_of(request.GET, scope)
    rows = data.rows(scope, filters, timezone.localdate())
    headers = exports.chinese_headers(column.label for column in data.columns)

    def values() -> Any:
        # Pages by primary key instead of one server-side cursor: each page is a short indexed query,
        # whatever plan the database would choose for a cursor over the whole list.
        last = 0
        while True:
            page = list(rows.filter(pk__gt=last).order_by("pk")[: exports.CHUNK])
            if not page:
                return
            for row in page:
                yield [column.value(row) for column in data.columns]
            last = page[-1].pk

    filename = f"{key}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(headers, values(), filename)
    return exports.xlsx_response([(str(data.title), headers, values())], filename)


@login_required
@explain_denials
@require_GET
def monthly_report(request: HttpRequest) -> HttpResponse:
    from .report import report_response

    scope = scope_for(request.user, request.GET.get("province", ""))
    today = timezone.localdate()
    period = month_period(request.GET.get("month", "")) or month_period(f"{today.year}-{today.month}")
    assert period is not None
    fig = figures(scope=scope, start=period.start, end=period.end, today=today)
    return report_response(request, fig, build_tables(fig), period)

"""The statistics as tables of numbers (each cell links to the list behind it) and the chart beside each.

Figures are computed from events once per high-water mark of the event tables (``figures``), then laid
out here in the request's language. The same tables feed the page, the exports and the monthly report.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Max
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govapp.accounts.models import UnitLevel
from govapp.complaints.choices import ComplaintCategory, ComplaintStatus
from govapp.complaints.models import ComplaintEvent
from govapp.registry.choices import AppKind, FilingState, Platform, ProcedureKind
from govapp.registry.models import App, FilingEvent
from govapp.supervision.campaigns.models import CampaignEvent
from govapp.supervision.enforcement.models import (
    AuthorityKind,
    OrderSource,
    OrderState,
    SupervisionEvent,
)
from govapp.supervision.legacy.models import LegacyApp

from . import durations, oversight, register
from .scope import Scope, province_label

# Stale by at most this long when something changes without an event (a scan finishing, a legacy row).
CACHE_SECONDS = 60

FLOW_LABELS: dict[str, Any] = {
    "new": gettext_lazy("Newly filed"),
    "changed": gettext_lazy("Changes filed"),
    "submit": gettext_lazy("Submitted"),
    "deregister": gettext_lazy("Deregistered (closed)"),
    "revoke": gettext_lazy("Revoked"),
    "abandon": gettext_lazy("Deemed abandoned"),
    "withdraw": gettext_lazy("Withdrawn"),
}


@dataclass(frozen=True)
class Cell:
    value: Any
    href: str = ""


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: dict[str, Any] | None = None  # {type, categories, series: [{name, data}]}

    def plain_rows(self) -> list[list[Any]]:
        return [[cell.value for cell in row] for row in self.rows]

    def html(self, empty: str) -> SafeString:
        """The table as HTML in one pass (a template loop over thousands of cells costs ~100 ms)."""
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in self.headers)
        body = []
        for row in self.rows:
            cells = []
            for cell in row:
                text = "—" if cell.value is None else escape(cell.value)
                cells.append(
                    f'<td><a href="{escape(cell.href)}">{text}</a></td>' if cell.href else f"<td>{text}</td>"
                )
            body.append("<tr>" + "".join(cells) + "</tr>")
        if not body:
            body.append(f'<tr><td colspan="{len(self.headers)}" class="muted">{escape(empty)}</td></tr>')
        return mark_safe(  # noqa: S308 - every header, value and link is escaped above
            f'<div class="table-wrap"><table class="stats-table" data-table="{escape(self.key)}">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )


@dataclass
class Figures:
    scope: Scope
    start: dt.date
    end: dt.date
    today: dt.date
    registry: register.RegisterFigures
    flows: dict[str, Counter[str]]
    legacy: register.LegacyFigures
    oversight: oversight.OversightFigures
    times: durations.ProcessingTimes


def _stamp() -> tuple[Any, ...]:
    # Events are append-only: their highest ids say whether anything happened since the last computation.
    return (
        FilingEvent.objects.aggregate(m=Max("id"))["m"],
        SupervisionEvent.objects.aggregate(m=Max("id"))["m"],
        ComplaintEvent.objects.aggregate(m=Max("id"))["m"],
        CampaignEvent.objects.aggregate(m=Max("id"))["m"],
        LegacyApp.objects.aggregate(m=Max("updated_at"))["m"],
    )


def figures(*, scope: Scope, start: dt.date, end: dt.date, today: dt.date) -> Figures:
    """All figures of a scope and period: 5 queries when nothing happened since, else 5 + about 20."""
    raw = repr((scope.province, start, end, today, _stamp()))
    key = "statistics:" + hashlib.sha256(raw.encode()).hexdigest()
    cached = cache.get(key)
    if isinstance(cached, Figures):
        return cached
    result = Figures(
        scope=scope,
        start=start,
        end=end,
        today=today,
        registry=register.register_figures(scope),
        flows=register.flows(scope, start, end),
        legacy=register.legacy_figures(scope, today),
        oversight=oversight.oversight_figures(scope),
        times=durations.processing_times(scope=scope, start=start, end=end, today=today),
    )
    cache.set(key, result, CACHE_SECONDS)
    return result


@functools.cache
def _rows_path(dataset: str) -> str:
    return reverse("statistics:rows", args=[dataset])


def rows_url(dataset: str, **filters: str) -> str:
    query = urlencode({k: v for k, v in filters.items() if v})
    return _rows_path(dataset) + (f"?{query}" if query else "")


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _counter_table(
    key: str, title: str, header: str, counts: Counter[str], labels: Any, dataset: str, param: str, scope: Scope,
    order: Iterable[str] | None = None, chart: str = "bar",
) -> Table:  # fmt: skip
    table = Table(key, title, [header, _("Number")])
    keys = [k for k in (order or []) if counts.get(k)] + sorted(k for k in counts if k not in (order or []))
    for value in keys:
        href = rows_url(dataset, **{param: value, "province": scope.province})
        table.rows.append([Cell(_label(labels, value) if labels else value), Cell(counts[value], href)])
    table.chart = {
        "type": chart,
        "categories": [row[0].value for row in table.rows],
        "series": [{"name": _("Number"), "data": [row[1].value for row in table.rows]}],
    }
    return table


def _province_table(fig: Figures) -> Table:
    states = list(App.State.values)
    headers = [_("Province"), *[_label(App.State, s) for s in states], _("Total")]
    table = Table("by_province", _("Apps by province and standing"), headers)
    for province, counts in fig.registry.by_province_state.items():
        row = [Cell(province_label(province), rows_url("apps", province=province))]
        row += [Cell(counts.get(s, 0), rows_url("apps", province=province, state=s)) for s in states]
        row.append(Cell(sum(counts.values()), rows_url("apps", province=province)))
        table.rows.append(row)
    table.chart = {
        "type": "stacked",
        "categories": [row[0].value for row in table.rows],
        "series": [
            {"name": headers[1 + i], "data": [row[1 + i].value for row in table.rows]}
            for i in range(len(states))
        ],
    }
    return table


def _flow_table(fig: Figures, quarterly: bool) -> Table:
    periods = register.by_quarter(fig.flows) if quarterly else fig.flows
    keys = list(register.FLOW_KEYS)
    title = _("Events per quarter") if quarterly else _("Events per month")
    table = Table(
        "quarters" if quarterly else "months", title, [_("Period"), *[str(FLOW_LABELS[k]) for k in keys]]
    )
    for period, counts in sorted(periods.items()):
        row = [Cell(period)]
        for flow in keys:
            row.append(
                Cell(
                    counts.get(flow, 0),
                    rows_url("events", flow=flow, period=period, province=fig.scope.province),
                )
            )
        table.rows.append(row)
    table.chart = {
        "type": "line",
        "categories": [row[0].value for row in table.rows],
        "series": [
            {"name": table.headers[1 + i], "data": [r[1 + i].value for r in table.rows]}
            for i in range(len(keys))
        ],
    }
    return table


def _times_table(fig: Figures) -> Table:
    headers = [
        _("Stage"), _("Limit (working days)"), _("Completed"), _("Median"), _("90th percentile"),
        _("Within the limit"), _("Overdue now"),
    ]  # fmt: skip
    table = Table("times", _("Processing time in working days"), headers)
    for stage in durations.STAGES:
        figure = fig.times.overall[stage.key]
        limit = "" if stage.key == "RECTIFY" else str(stage.limit_days)
        table.rows.append([
            Cell(str(stage.label)), Cell(limit), Cell(figure.count), Cell(figure.median), Cell(figure.p90),
            Cell(figure.within_percent),
            Cell(figure.overdue_now, _overdue_url(stage.key, fig.scope)),
        ])  # fmt: skip
    table.chart = {
        "type": "bar",
        "categories": [row[0].value for row in table.rows],
        "series": [
            {"name": _("Median"), "data": [row[3].value for row in table.rows]},
            {"name": _("90th percentile"), "data": [row[4].value for row in table.rows]},
        ],
    }
    return table


def _overdue_url(stage: str, scope: Scope) -> str:
    if stage == "RECTIFY":
        return rows_url("orders", overdue="1", province=scope.province)
    if stage == "COMPLAINT":
        return rows_url("complaints", overdue="1", province=scope.province)
    return rows_url("filings", overdue=f"overdue-{stage}", province=scope.province)


def _times_by_group(fig: Figures, *, teams: bool) -> Table:
    groups = fig.times.by_team if teams else fig.times.by_province
    first = _("Reviewing team") if teams else _("Province")
    headers = [
        _("Stage"),
        first,
        _("Completed"),
        _("Median"),
        _("90th percentile"),
        _("Within the limit"),
        _("Overdue now"),
    ]
    key = "times_by_team" if teams else "times_by_province"
    title = _("Processing time per reviewing team") if teams else _("Processing time per province")
    table = Table(key, title, headers)
    for stage in durations.STAGES:
        for group, figure in groups.get(stage.key, {}).items():
            label = group if teams else province_label(group)
            table.rows.append([
                Cell(str(stage.label)), Cell(label), Cell(figure.count), Cell(figure.median), Cell(figure.p90),
                Cell(figure.within_percent), Cell(figure.overdue_now),
            ])  # fmt: skip
    return table


def _legacy_table(fig: Figures) -> Table:
    headers = [_("Province"), _("Legacy apps"), _("Filed"), _("Filing in progress"), _("Overdue")]
    table = Table("legacy", _("Legacy apps: filed and overdue"), headers)
    for province, cell in fig.legacy.by_province.items():
        table.rows.append([
            Cell(province_label(province)),
            Cell(cell["total"], rows_url("legacy", province=province)),
            Cell(cell["filed"], rows_url("legacy", province=province, status="filed")),
            Cell(cell["in_progress"], rows_url("legacy", province=province, status="in_progress")),
            Cell(cell["overdue"], rows_url("legacy", province=province, status="overdue")),
        ])  # fmt: skip
    table.chart = {
        "type": "stacked",
        "categories": [row[0].value for row in table.rows],
        "series": [{"name": headers[i], "data": [row[i].value for row in table.rows]} for i in (2, 4)],
    }
    return table


def _orders_table(fig: Figures) -> Table:
    states = list(OrderState.values)
    headers = [_("Source"), *[_label(OrderState, s) for s in states], _("Total")]
    table = Table("orders", _("Rectification orders by source and outcome"), headers)
    for source, counts in sorted(fig.oversight.orders_by_source_state.items()):
        row = [Cell(_label(OrderSource, source))]
        row += [
            Cell(counts.get(s, 0), rows_url("orders", source=source, state=s, province=fig.scope.province))
            for s in states
        ]
        row.append(Cell(sum(counts.values()), rows_url("orders", source=source, province=fig.scope.province)))
        table.rows.append(row)
    return table


def _complaints_table(fig: Figures) -> Table:
    statuses = list(ComplaintStatus.values)
    headers = [_("Category"), *[_label(ComplaintStatus, s) for s in statuses], _("Total")]
    table = Table("complaints", _("Complaints by category and outcome"), headers)
    for category, counts in sorted(fig.oversight.complaints_by_category_status.items()):
        row = [Cell(_label(ComplaintCategory, category))]
        row += [
            Cell(
                counts.get(s, 0),
                rows_url("complaints", category=category, status=s, province=fig.scope.province),
            )
            for s in statuses
        ]
        row.append(
            Cell(sum(counts.values()), rows_url("complaints", category=category, province=fig.scope.province))
        )
        table.rows.append(row)
    table.chart = {
        "type": "pie",
        "categories": [row[0].value for row in table.rows],
        "series": [{"name": _("Complaints"), "data": [row[-1].value for row in table.rows]}],
    }
    return table


def _campaigns_table(fig: Figures) -> Table:
    headers = [_("Spot-check campaign"), *[str(oversight.SPOT_LABELS[k]) for k in oversight.SPOT_OUTCOMES]]
    table = Table("campaigns", _("Spot-check campaign results"), headers)
    for entry in fig.oversight.campaigns:
        row = [Cell(entry["title"], reverse("supervision:campaign_detail", args=[entry["id"]]))]
        row += [
            Cell(
                entry["outcomes"].get(k, 0),
                rows_url("spot_items", campaign=str(entry["id"]), outcome=k, province=fig.scope.province),
            )
            for k in oversight.SPOT_OUTCOMES
        ]
        table.rows.append(row)
    return table


def _violations_table(fig: Figures) -> Table:
    return _counter_table(
        "violations", _("Violations found, by category"), _("Category"), fig.oversight.violations_by_category,
        ComplaintCategory, "orders", "category", fig.scope,
    )  # fmt: skip


def _rules_table(fig: Figures) -> Table:
    table = Table("rules", _("Violations found, by rule of the technical test"), [_("Rule"), _("Number")])
    for rule, n in fig.oversight.violations_by_rule.most_common(30):
        table.rows.append([Cell(rule), Cell(n, rows_url("orders", rule=rule, province=fig.scope.province))])
    return table


def _suspension_table(fig: Figures) -> Table:
    table = Table("suspensions", _("Suspension notices in force"), [_("Suspension"), _("Number")])
    for kind in AuthorityKind.values:
        table.rows.append(
            [Cell(_label(AuthorityKind, kind)), Cell(fig.oversight.suspensions_in_force.get(kind, 0))]
        )
    return table


def build_tables(fig: Figures) -> list[Table]:
    """Every table of the statistics page, in page order."""
    reg, scope = fig.registry, fig.scope
    return [
        _province_table(fig) if not scope.province else _counter_table(
            "by_state", _("Apps by standing"), _("Standing"), reg.by_state, App.State, "apps", "state", scope,
            order=App.State.values,
        ),
        _counter_table("by_kind", _("Apps by kind"), _("Kind"), reg.by_kind, AppKind, "apps", "kind", scope, chart="pie"),
        _counter_table("by_platform", _("Apps in the register by platform"), _("Platform"), reg.by_platform, Platform, "apps", "platform", scope),
        _counter_table("by_level", _("Apps by level of the sponsoring unit"), _("Unit level"), reg.by_level, UnitLevel, "apps", "level", scope, order=UnitLevel.values),
        _counter_table("filings_by_state", _("Filing procedures by state"), _("State"), reg.filings_by_state, FilingState, "filings", "state", scope, order=FilingState.values),
        _counter_table("filings_by_procedure", _("Filing procedures by kind of procedure"), _("Procedure"), reg.filings_by_procedure, ProcedureKind, "filings", "procedure", scope, chart="pie"),
        _flow_table(fig, quarterly=False),
        _flow_table(fig, quarterly=True),
        _times_table(fig),
        _times_by_group(fig, teams=False),
        _times_by_group(fig, teams=True),
        _legacy_table(fig),
        _orders_table(fig),
        _violations_table(fig),
        _rules_table(fig),
        _campaigns_table(fig),
        _complaints_table(fig),
        _suspension_table(fig),
    ]  # fmt: skip

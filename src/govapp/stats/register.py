"""Register figures: apps and filings by state, kind, platform, unit level and province, and their events
over time (new, changed, deregistered, revoked, abandoned, withdrawn), legacy apps filed and overdue.

Standings are the state machines' current states; everything over time is counted from ``FilingEvent``.
Each figure is one grouped query whatever the number of apps.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from govapp.registry.choices import EventAction, ProcedureKind
from govapp.registry.models import App, Filing, FilingEvent
from govapp.registry.queries import submitted_apps
from govapp.supervision.legacy.models import LEGACY_DEADLINE, LegacyApp
from govapp.supervision.legacy.services import STATUS_FILED, with_status

from .scope import CENTRAL, Scope

# What the leadership calls each event over time; "approve" splits by the procedure it ends.
FLOW_NEW = "new"
FLOW_CHANGED = "changed"
FLOW_KEYS = (FLOW_NEW, FLOW_CHANGED, "submit", "deregister", "revoke", "abandon", "withdraw")
_FLOW_ACTIONS = (
    EventAction.SUBMIT, EventAction.APPROVE, EventAction.DEREGISTER, EventAction.REVOKE,
    EventAction.ABANDON, EventAction.WITHDRAW,
)  # fmt: skip


def _province_code(scope: Scope) -> str:
    return "" if scope.province == CENTRAL else scope.province


def scoped_apps(scope: Scope) -> QuerySet[App]:
    apps: QuerySet[App] = submitted_apps()
    return apps.filter(unit__province=_province_code(scope)) if scope.province else apps


@dataclass
class RegisterFigures:
    """Counts of apps by each dimension (one grouped query gives them all) and of open procedures."""

    total: int
    by_state: Counter[str]
    by_kind: Counter[str]
    by_level: Counter[str]
    by_province: Counter[str]
    by_province_state: dict[str, Counter[str]]
    by_platform: Counter[str]
    filings_by_state: Counter[str]
    filings_by_procedure: Counter[str]


def register_figures(scope: Scope) -> RegisterFigures:
    """Four queries: the app cube, platforms, the procedure cube."""
    cube = scoped_apps(scope).values("state", "kind", "unit__level", "unit__province").annotate(n=Count("id"))
    by_state: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_level: Counter[str] = Counter()
    by_province: Counter[str] = Counter()
    by_province_state: dict[str, Counter[str]] = {}
    for row in cube:
        n, province = row["n"], row["unit__province"] or CENTRAL
        by_state[row["state"]] += n
        by_kind[row["kind"]] += n
        by_level[row["unit__level"]] += n
        by_province[province] += n
        by_province_state.setdefault(province, Counter())[row["state"]] += n
    filings = Filing.objects.filter(submitted_at__isnull=False)
    if scope.province:
        filings = filings.filter(app__unit__province=_province_code(scope))
    filings_by_state: Counter[str] = Counter()
    filings_by_procedure: Counter[str] = Counter()
    for filing_row in filings.values("state", "procedure").annotate(n=Count("id")):
        filings_by_state[filing_row["state"]] += filing_row["n"]
        filings_by_procedure[filing_row["procedure"]] += filing_row["n"]
    return RegisterFigures(
        total=sum(by_state.values()),
        by_state=by_state,
        by_kind=by_kind,
        by_level=by_level,
        by_province=by_province,
        by_province_state=dict(sorted(by_province_state.items())),
        by_platform=platform_counts(scope),
        filings_by_state=filings_by_state,
        filings_by_procedure=filings_by_procedure,
    )


def platform_counts(scope: Scope) -> Counter[str]:
    """Apps in the register by each platform of their approved filing (an app on two platforms counts twice)."""
    app, filing, unit = App._meta.db_table, Filing._meta.db_table, "accounts_unit"
    elements = (
        "CROSS JOIN LATERAL jsonb_array_elements_text(f.platforms::jsonb) AS p(value)"
        if connection.vendor == "postgresql"
        else ", json_each(f.platforms) AS p"
    )
    where, params = ("WHERE u.province = %s", [_province_code(scope)]) if scope.province else ("", [])
    sql = f"""
        SELECT p.value, COUNT(*) FROM {app} a
        JOIN {filing} f ON f.id = a.approved_filing_id
        JOIN {unit} u ON u.id = a.unit_id {elements}
        {where} GROUP BY p.value
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return Counter({str(value): n for value, n in cursor.fetchall()})


def month_key(value: dt.date | dt.datetime) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def months_between(start: dt.date, end: dt.date) -> list[str]:
    """Every month from ``start``'s to the one before ``end`` (exclusive end date)."""
    keys, year, month = [], start.year, start.month
    last = end - dt.timedelta(days=1)
    while (year, month) <= (last.year, last.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def quarter_of(month: str) -> str:
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def flows(scope: Scope, start: dt.date, end: dt.date) -> dict[str, Counter[str]]:
    """{month: {flow: how many}} from the events of [start, end); one query."""
    events = FilingEvent.objects.filter(
        action__in=_FLOW_ACTIONS,
        at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        at__lt=timezone.make_aware(dt.datetime.combine(end, dt.time.min)),
    )
    if scope.province:
        events = events.filter(app__unit__province=_province_code(scope))
    rows = (
        events.annotate(month=TruncMonth("at"))
        .values("month", "action", "filing__procedure")
        .annotate(n=Count("id"))
    )
    result: dict[str, Counter[str]] = {key: Counter() for key in months_between(start, end)}
    for row in rows:
        key = month_key(timezone.localtime(row["month"]) if timezone.is_aware(row["month"]) else row["month"])
        result.setdefault(key, Counter())[flow_of(row["action"], row["filing__procedure"])] += row["n"]
    return result


def flow_of(action: str, procedure: str | None) -> str:
    if action == EventAction.APPROVE:
        return FLOW_CHANGED if procedure == ProcedureKind.CHANGE else FLOW_NEW
    return str(action)


def by_quarter(monthly: dict[str, Counter[str]]) -> dict[str, Counter[str]]:
    quarters: dict[str, Counter[str]] = {}
    for month, counts in monthly.items():
        quarters.setdefault(quarter_of(month), Counter()).update(counts)
    return quarters


@dataclass
class LegacyFigures:
    total: int
    filed: int
    in_progress: int
    overdue: int  # not filed after the deadline
    by_province: dict[str, dict[str, int]]


def legacy_figures(scope: Scope, today: dt.date) -> LegacyFigures:
    """Legacy apps filed vs overdue (6-month deadline, regulation §4); one query."""
    rows: Any = LegacyApp.objects.all()
    if scope.province:
        rows = rows.filter(unit__province=_province_code(scope))
    grouped = with_status(rows, outside_unit=True).values("status", "unit__province").annotate(n=Count("id"))
    late = today > LEGACY_DEADLINE
    by_province: dict[str, dict[str, int]] = {}
    totals: Counter[str] = Counter()
    for row in grouped:
        status, n = row["status"], row["n"]
        cell = by_province.setdefault(
            row["unit__province"] or CENTRAL, {"total": 0, "filed": 0, "in_progress": 0, "overdue": 0}
        )
        cell["total"] += n
        totals["total"] += n
        if status == STATUS_FILED:
            key = "filed"
        elif status == "in_progress":
            key = "in_progress"
        else:
            key = "overdue" if late else "not_started"
        if key in cell:
            cell[key] += n
        totals[key] += n
        if key == "in_progress" and late:
            cell["overdue"] += n
            totals["overdue"] += n
    return LegacyFigures(
        total=totals["total"],
        filed=totals["filed"],
        in_progress=totals["in_progress"],
        overdue=totals["overdue"],
        by_province=dict(sorted(by_province.items())),
    )

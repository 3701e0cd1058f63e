"""The lists behind the numbers: each dataset is a filtered queryset and its columns, shared by the list
page (paginated) and the exports (streamed). Filters are the statistics' own parameters, so every cell of
a statistics table links to exactly the rows it counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from govapp.complaints.choices import ComplaintStatus
from govapp.registry.choices import EventAction, ProcedureKind
from govapp.registry.models import Filing, FilingEvent
from govapp.supervision.enforcement.models import RUNNING_ORDER_STATES, OrderState
from govapp.supervision.legacy.models import LEGACY_DEADLINE
from govapp.supervision.legacy.services import STATUS_FILED, STATUS_LABELS, with_status

from . import oversight, register
from .scope import CENTRAL, Scope, province_label


@dataclass(frozen=True)
class Column:
    label: Promise
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class Dataset:
    key: str
    title: Promise
    rows: Callable[[Scope, Mapping[str, str], dt.date], QuerySet[Any]]
    columns: tuple[Column, ...]
    link: Callable[[Any], str] | None = None


def _code(value: str) -> str:
    return "" if value == CENTRAL else value


def _local(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def _period_range(period: str) -> tuple[dt.datetime, dt.datetime]:
    """'2026-05' or '2026-Q2' as an aware [start, end) range; anything else is not a period."""
    try:
        year, part = period.split("-")
        if part.startswith("Q"):
            first, months = (int(part[1:]) - 1) * 3 + 1, 3
        else:
            first, months = int(part), 1
        start = dt.date(int(year), first, 1)
    except ValueError:
        raise Http404("No such period.") from None
    end_month = first + months
    end = dt.date(int(year) + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(end, dt.time.min)),
    )


def _apps(scope: Scope, params: Mapping[str, str], today: dt.date) -> QuerySet[Any]:
    rows = register.scoped_apps(scope).select_related("unit", "current_number")
    if province := params.get("province"):
        rows = rows.filter(unit__province=_code(province))
    for name, lookup in (("state", "state"), ("kind", "kind"), ("level", "unit__level")):
        if value := params.get(name):
            rows = rows.filter(**{lookup: value})
    if platform := params.get("platform"):
        # The same filter on both databases: the approved filing's JSON list contains the platform.
        rows = rows.filter(approved_filing__platforms__icontains=f'"{platform}"')
    # Only the columns of the list: three model instances a row, at 100,000 rows, cost more than the SQL.
    rows = rows.only(
        "name", "kind", "state", "filed_at", "android_package", "miniprogram_appid",
        "unit__name", "unit__province", "unit__level", "current_number__number",
    )  # fmt: skip
    return rows.order_by("unit__province", "name", "pk")


def _filings(scope: Scope, params: Mapping[str, str], today: dt.date) -> QuerySet[Any]:
    rows = Filing.objects.filter(submitted_at__isnull=False).select_related("app__unit")
    province = params.get("province") or scope.province
    if province:
        rows = rows.filter(app__unit__province=_code(province))
    for name in ("state", "procedure"):
        if value := params.get(name):
            rows = rows.filter(**{name: value})
    overdue = params.get("overdue", "")
    if overdue.startswith("overdue-"):
        rows = rows.filter(clock_limit=overdue.removeprefix("overdue-"), clock_due__lt=today)
    return rows.order_by("clock_due", "pk")


def _events(scope: Scope, params: Mapping[str, str], today: dt.date) -> QuerySet[Any]:
    flow = params.get("flow", "")
    rows = FilingEvent.objects.select_related("app__unit", "filing")
    if flow in (register.FLOW_NEW, register.FLOW_CHANGED):
        rows = rows.filter(action=EventAction.APPROVE)
        change = Q(filing__procedure=ProcedureKind.CHANGE)
        rows = rows.filter(change) if flow == register.FLOW_CHANGED else rows.exclude(change)
    elif flow in register.FLOW_KEYS:
        rows = rows.filter(action=flow)
    else:
        rows = rows.filter(action__in=register._FLOW_ACTIONS)
    if period := params.get("period"):
        start, end = _period_range(period)
        rows = rows.filter(at__gte=start, at__lt=end)
    province = params.get("province") or scope.province
    if province:
        rows = rows.filter(app__unit__province=_code(province))
    return rows.order_by("at", "pk")


def _orders(scope: Scope, params: Mapping[str, str], today: dt.date) -> QuerySet[Any]:
    rows = oversight.scoped_orders(scope).select_related("app__unit")
    if province := params.get("province"):
        rows = rows.filter(app__unit__province=_code(province))
    for name in ("source", "state"):
        if value := params.get(name):
            rows = rows.filter(**{name: value})
    if category := params.get("category"):
        rows = rows.filter(findings__icontains=f'"category": "{category}"')
    if rule := params.get("rule"):
        rows = rows.filter(findings__icontains=f'"rule": "{rule}"')
    if params.get("overdue"):
        rows = rows.filter(Q(state__in=RUNNING_ORDER_STATES, due__lt=today) | Q(state=OrderState.OVERDUE))
    return rows.order_by("due", "pk")


def _complaints(scope: Scope, params: Mapping[str, str], today: dt.date) -> QuerySet[Any]:
    rows = oversight.scoped_complaints(scope)
    if province := params.get("province"):
        rows = rows.filter(province=_code(province))
    for name in ("category", "status"):
        if value := params.get(name):
            rows = rows.filter(**{name: value})
    if params.get("overdue"):
        rows = rows.filter(due__lt=today).exclude(
            status__in=[ComplaintStatus.CLOSED, ComplaintStatus.REJECTED]
        )
    return rows.order_by("due", "pk")


def _spot_items(scope: Scope, params: Mapping[str, str], today: dt.date) -> QuerySet[Any]:
    rows = oversight.scoped_spot_items(scope).select_related("campaign", "app__unit", "scan")
    if province := params.get("province"):
        rows = rows.filter(province=_code(province))
    if campaign := params.get("campaign"):
        rows = rows.filter(campaign_id=int(campaign) if campaign.isdigit() else 0)
    outcome = params.get("outcome", "")
    conditions = {
        "scanning": Q(scan__status__in=["queued", "running"]),
        "failed": Q(scan__status="failed"),
        "violation": Q(scan__isnull=False, scan__verdict="violation")
        & ~Q(scan__status__in=["queued", "running", "failed"]),
        "pass": Q(scan__isnull=False)
        & ~Q(scan__verdict="violation")
        & ~Q(scan__status__in=["queued", "running", "failed"]),
        "received": Q(scan__isnull=True, package__isnull=False),
        "overdue": Q(scan__isnull=True, package__isnull=True, overdue=True),
        "awaiting": Q(scan__isnull=True, package__isnull=True, overdue=False),
    }
    if outcome in conditions:
        rows = rows.filter(conditions[outcome])
    return rows.order_by("campaign_id", "position")


def _legacy(scope: Scope, params: Mapping[str, str], today: dt.date) -> QuerySet[Any]:
    from govapp.supervision.legacy.models import LegacyApp

    base: Any = LegacyApp.objects.select_related("unit", "app")
    province = params.get("province") or scope.province
    if province:
        base = base.filter(unit__province=_code(province))
    rows: Any = with_status(base, outside_unit=True)
    status = params.get("status", "")
    if status == "overdue":
        rows = rows.exclude(status=STATUS_FILED) if today > LEGACY_DEADLINE else rows.none()
    elif status:
        rows = rows.filter(status=status)
    return rows.order_by("unit__province", "unit__name", "name")


def _shown(path: str) -> Callable[[Any], Any]:
    """The label of a choice field (``"unit.level"``: the row's unit's level) in the active language.

    The labels are read once per model and language, not once a cell: Django's ``get_FOO_display`` rebuilds
    and hashes the field's whole choice list (lazy translations) on every call, which was half the time of a
    100,000-row export."""
    *hops, name = path.split(".")
    tables: dict[tuple[type, str], dict[Any, str]] = {}

    def value(row: Any) -> Any:
        owner = row
        for hop in hops:
            owner = getattr(owner, hop)
        if owner is None:
            return ""
        key = (type(owner), translation.get_language())
        table = tables.get(key)
        if table is None:
            field = type(owner)._meta.get_field(name)
            table = tables[key] = {choice: str(label) for choice, label in field.flatchoices}
        raw = getattr(owner, name)
        return table.get(raw, raw)

    return value


def _number(app: Any) -> str:
    return app.current_number.number if app.current_number_id else ""


DATASETS: dict[str, Dataset] = {
    dataset.key: dataset
    for dataset in (
        Dataset("apps", _("Apps"), _apps, (
            Column(_("app name"), lambda a: a.name),
            Column(_("sponsoring unit"), lambda a: a.unit.name),
            Column(_("province"), lambda a: province_label(a.unit.province)),
            Column(_("unit level"), _shown("unit.level")),
            Column(_("app kind"), _shown("kind")),
            Column(_("status"), _shown("state")),
            Column(_("filing number"), _number),
            Column(_("filed at"), lambda a: _local(a.filed_at)),
            Column(_("Android package name"), lambda a: a.android_package),
            Column(_("mini-program appid"), lambda a: a.miniprogram_appid),
        ), link=lambda a: reverse("registry:app_detail", args=[a.pk])),
        Dataset("filings", _("Filings"), _filings, (
            Column(_("app name"), lambda f: f.app_name),
            Column(_("sponsoring unit"), lambda f: f.app.unit.name),
            Column(_("province"), lambda f: province_label(f.app.unit.province)),
            Column(_("procedure"), _shown("procedure")),
            Column(_("status"), _shown("state")),
            Column(_("submitted at"), lambda f: _local(f.submitted_at)),
            Column(_("time limit"), lambda f: f.clock_limit),
            Column(_("due"), lambda f: f.clock_due),
            Column(_("decided at"), lambda f: _local(f.decided_at)),
        ), link=lambda f: reverse("registry:filing_detail", args=[f.pk])),
        Dataset("events", _("Events"), _events, (
            Column(_("time"), lambda e: _local(e.at)),
            Column(_("action"), _shown("action")),
            Column(_("app name"), lambda e: e.app.name),
            Column(_("sponsoring unit"), lambda e: e.app.unit.name),
            Column(_("province"), lambda e: province_label(e.app.unit.province)),
            Column(_("procedure"), _shown("filing.procedure")),
        ), link=lambda e: reverse("registry:app_detail", args=[e.app_id])),
        Dataset("orders", _("Rectification orders"), _orders, (
            Column(_("reference"), lambda o: o.reference),
            Column(_("app name"), lambda o: o.app.name),
            Column(_("sponsoring unit"), lambda o: o.app.unit.name),
            Column(_("province"), lambda o: province_label(o.app.unit.province)),
            Column(_("source"), _shown("source")),
            Column(_("status"), _shown("state")),
            Column(_("issued on"), lambda o: o.issued_on),
            Column(_("due"), lambda o: o.due),
            Column(_("closed at"), lambda o: _local(o.closed_at)),
        ), link=lambda o: reverse("supervision:order_detail", args=[o.pk])),
        Dataset("complaints", _("Complaints"), _complaints, (
            Column(_("case number"), lambda c: c.case_number),
            Column(_("category"), _shown("category")),
            Column(_("handling office"), lambda c: province_label(c.province)),
            Column(_("status"), _shown("status")),
            Column(_("received"), lambda c: _local(c.received_at)),
            Column(_("handling due"), lambda c: c.due),
            Column(_("closed"), lambda c: _local(c.closed_at)),
        ), link=lambda c: reverse("complaints:detail", args=[c.pk])),
        Dataset("spot_items", _("Spot-check items"), _spot_items, (
            Column(_("Spot-check campaign"), lambda i: i.campaign.title),
            Column(_("draw order"), lambda i: i.position),
            Column(_("app name"), lambda i: i.app.name),
            Column(_("sponsoring unit"), lambda i: i.app.unit.name),
            Column(_("province"), lambda i: province_label(i.province)),
            Column(_("outcome"), lambda i: str(_spot_label(i.outcome))),
            Column(_("package received at"), lambda i: _local(i.uploaded_at)),
        ), link=lambda i: reverse("supervision:campaign_item", args=[i.pk])),
        Dataset("legacy", _("Legacy apps"), _legacy, (
            Column(_("app name"), lambda la: la.name),
            Column(_("sponsoring unit"), lambda la: la.unit.name),
            Column(_("province"), lambda la: province_label(la.unit.province)),
            Column(_("app kind"), _shown("kind")),
            Column(_("online since"), lambda la: la.online_since),
            Column(_("status"), lambda la: str(STATUS_LABELS.get(la.status, la.status))),
        ), link=lambda la: reverse("supervision:legacy_detail", args=[la.pk])),
    )
}  # fmt: skip


def _spot_label(outcome: str) -> Any:
    return oversight.SPOT_LABELS.get(outcome, outcome)


def dataset(key: str) -> Dataset:
    try:
        return DATASETS[key]
    except KeyError:
        raise Http404("No such list.") from None


# Parameters a list understands; anything else in the query string is ignored (and not echoed).
FILTER_PARAMETERS = (
    "province", "state", "kind", "level", "platform", "procedure", "overdue", "flow", "period", "source",
    "category", "rule", "status", "campaign", "outcome",
)  # fmt: skip


def filters_of(query: Mapping[str, str], scope: Scope) -> dict[str, str]:
    """The filters of a request, the province pinned to the user's own for a provincial office."""
    filters = {name: str(query.get(name, "")).strip()[:60] for name in FILTER_PARAMETERS if query.get(name)}
    if not scope.national:
        filters["province"] = scope.province
    return filters

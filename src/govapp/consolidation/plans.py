"""The consolidation (瘦身) plan of a province, or of the central ministries (regulation §5, §8): the
inventory, the duplicate clusters, keep / merge / close decisions with deadlines, progress until the
merged or closed app is deregistered, and the overdue items reported to the O&M funding authority."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from govapp.accounts.models import Role, UnitLevel
from govapp.core.notify import notify
from govapp.inspection.models import Scan
from govapp.registry.models import App
from govapp.registry.workflow import WorkflowError, unit_filers
from govapp.supervision.enforcement.models import AuthorityKind
from govapp.supervision.enforcement.suspension import responsible_authority

from . import service
from .models import MERGE_TARGET_STATES, ConsolidationEvent, ConsolidationPlan, Decision, EventKind, PlanItem
from .sources import app_key

CENTRAL = "central"  # the URL's name for the central ministries' plan (province "")
CLUSTER_SCORE = 0.45  # two apps of one province this similar share a cluster (bench: duplicates median 0.44)
LEVELS = [level for level, _label in UnitLevel.choices]


def scope_of(slug: str) -> str:
    return "" if slug == CENTRAL else slug


def slug_of(province: str) -> str:
    return province or CENTRAL


def can_manage(user: Any, province: str) -> bool:
    """The provincial office keeps its province's plan; the national office the central ministries'."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not province:
        return bool(user.role == Role.NATIONAL_REVIEWER)
    return bool(user.is_provincial_role and user.unit.province == province)


def can_view(user: Any, province: str) -> bool:
    return can_manage(user, province) or bool(
        getattr(user, "is_authenticated", False) and user.role == Role.NATIONAL_REVIEWER
    )


def apps_in_scope(province: str) -> QuerySet[App]:
    """Every app of the scope that was ever submitted (a draft is the unit's own until then)."""
    apps = App.objects.filter(unit__province=province).filter(
        ~Q(state=App.State.DRAFT) | Q(filings__submitted_at__isnull=False)
    )
    if not province:
        apps = apps.filter(unit__level=UnitLevel.NATIONAL)
    return apps.select_related("unit", "current_number").distinct()


def _live_by_level(province: str) -> dict[str, int]:
    counts = Counter(
        apps_in_scope(province).exclude(state=App.State.DEREGISTERED).values_list("unit__level", flat=True)
    )
    return {level: counts.get(level, 0) for level in LEVELS}


@transaction.atomic
def plan_start(*, actor: Any, province: str, title: str) -> ConsolidationPlan:
    if not can_manage(actor, province):
        raise WorkflowError(_("Only the office responsible for this area keeps its consolidation plan."))
    if ConsolidationPlan.objects.filter(province=province).exists():
        raise WorkflowError(_("This area already has a consolidation plan."))
    plan = ConsolidationPlan.objects.create(
        province=province, title=title.strip() or _("Consolidation plan"), baseline=_live_by_level(province),
        created_by=actor,
    )  # fmt: skip
    ConsolidationEvent.objects.create(
        kind=EventKind.PLAN_CREATED, plan=plan, actor=actor, data={"baseline": plan.baseline}
    )
    return plan


@transaction.atomic
def plan_settings(*, actor: Any, plan: ConsolidationPlan, notify_funding: bool) -> ConsolidationPlan:
    if not can_manage(actor, plan.province):
        raise WorkflowError(_("Only the office responsible for this area keeps its consolidation plan."))
    plan.notify_funding = notify_funding
    plan.save(update_fields=["notify_funding"])
    ConsolidationEvent.objects.create(
        kind=EventKind.SETTINGS, plan=plan, actor=actor, data={"notify_funding": notify_funding}
    )
    return plan


@transaction.atomic
def cluster_set(*, actor: Any, plan: ConsolidationPlan, app: App, label: str, reason: str = "") -> None:
    """The office moves an app into another duplicate cluster, or out of any ("")."""
    if not can_manage(actor, plan.province):
        raise WorkflowError(_("Only the office responsible for this area keeps its consolidation plan."))
    plan = ConsolidationPlan.objects.select_for_update().get(pk=plan.pk)
    before = plan.clusters.get(str(app.pk))
    plan.clusters[str(app.pk)] = label.strip()[:40]
    plan.save(update_fields=["clusters"])
    ConsolidationEvent.objects.create(
        kind=EventKind.CLUSTER, plan=plan, app=app, actor=actor, reason=reason.strip(),
        data={"from": before, "to": plan.clusters[str(app.pk)]},
    )  # fmt: skip


@transaction.atomic
def plan_decide(
    *,
    actor: Any,
    plan: ConsolidationPlan,
    app: App,
    decision: str,
    target: App | None,
    deadline: dt.date | None,
    reason: str,
) -> PlanItem:
    """Record keep / merge into ``target`` / close for ``app``; its unit is told what it must do by when."""
    if not can_manage(actor, plan.province):
        raise WorkflowError(_("Only the office responsible for this area keeps its consolidation plan."))
    if not apps_in_scope(plan.province).filter(pk=app.pk).exists():
        raise WorkflowError(_("The app is not in this plan's area."))
    if decision not in Decision.values:
        raise WorkflowError(_("Choose keep, merge or close."))
    if not reason.strip():
        raise WorkflowError(_("Give the reason for the decision."))
    if decision == Decision.MERGE:
        if target is None or target.pk == app.pk:
            raise WorkflowError(_("Name the filed app this one is merged into."))
        if target.state not in MERGE_TARGET_STATES:
            raise WorkflowError(_("A merge target must be a filed app."))
    else:
        target = None
    if decision != Decision.KEEP and deadline is None:
        raise WorkflowError(_("Give the deadline by which the app is merged or closed."))
    item, _created = PlanItem.objects.select_for_update().get_or_create(
        plan=plan, app=app, defaults={"decision": decision, "reason": reason.strip()}
    )
    item.decision, item.target, item.reason = decision, target, reason.strip()
    item.deadline = deadline if decision != Decision.KEEP else None
    item.cluster = plan.clusters.get(str(app.pk), item.cluster)
    item.funding_notified_at = None
    item.save()
    ConsolidationEvent.objects.create(
        kind=EventKind.DECISION, plan=plan, item=item, app=app, actor=actor, reason=item.reason,
        data={"decision": decision, "target": target.pk if target else None,
              "deadline": str(item.deadline) if item.deadline else None},
    )  # fmt: skip
    if decision != Decision.KEEP:
        notify(
            recipients=unit_filers(app.unit),
            subject=_("Consolidation: %(app)s is to be %(decision)s")
            % {"app": app.name, "decision": _verb(item)},
            body=_(
                "The consolidation plan %(plan)s decided: %(decision)s by %(deadline)s. Reason: %(reason)s. "
                "When the app is offline, announce its shutdown and report it for deregistration."
            )
            % {
                "plan": plan.title,
                "decision": _obligation(item),
                "deadline": item.deadline,
                "reason": item.reason,
            },
            url=reverse("consolidation:obligations"),
            due=item.deadline,
        )
    return item


def _verb(item: PlanItem) -> str:
    return str(
        _("merged") if item.decision == Decision.MERGE else pgettext("consolidation decision", "closed")
    )


def _obligation(item: PlanItem) -> str:
    if item.decision == Decision.MERGE and item.target:
        return _("merge %(app)s into %(target)s") % {"app": item.app.name, "target": item.target.name}
    if item.decision == Decision.CLOSE:
        return _("close %(app)s") % {"app": item.app.name}
    return _("keep %(app)s") % {"app": item.app.name}


def is_done(item: PlanItem) -> bool:
    return item.decision == Decision.KEEP or item.app.state == App.State.DEREGISTERED


def is_overdue(item: PlanItem, today: dt.date) -> bool:
    return not is_done(item) and item.deadline is not None and item.deadline < today


def overdue_items(plan: ConsolidationPlan, today: dt.date | None = None) -> list[PlanItem]:
    today = today or timezone.localdate()
    items = plan.items.select_related("app", "app__unit", "target").filter(deadline__lt=today)
    return [item for item in items if is_overdue(item, today)]


@transaction.atomic
def report_overdue(*, plan: ConsolidationPlan, actor: Any | None, today: dt.date | None = None) -> int:
    """Tell the O&M funding authority of each overdue item not yet reported (once per decision)."""
    if actor is not None and not can_manage(actor, plan.province):
        raise WorkflowError(_("Only the office responsible for this area keeps its consolidation plan."))
    from django.contrib.auth import get_user_model

    sent = 0
    for item in overdue_items(plan, today):
        if item.funding_notified_at is not None:
            continue
        authority = responsible_authority(item.app.unit, AuthorityKind.OM_FUNDING)
        if authority is None:
            continue
        notify(
            recipients=get_user_model().objects.filter(unit=authority, is_active=True),
            subject=_("Overdue consolidation: %(unit)s, %(app)s")
            % {"unit": item.app.unit.name, "app": item.app.name},
            body=_(
                "The consolidation plan %(plan)s required %(unit)s to %(decision)s by %(deadline)s; it has not "
                "been done. Consider the app's O&M funding accordingly."
            )
            % {
                "plan": plan.title,
                "unit": item.app.unit.name,
                "decision": _obligation(item),
                "deadline": item.deadline,
            },  # fmt: skip
            url=reverse("consolidation:funding_inbox"),
        )
        item.funding_notified_at = timezone.now()
        item.save(update_fields=["funding_notified_at"])
        ConsolidationEvent.objects.create(
            kind=EventKind.FUNDING_NOTIFIED, plan=plan, item=item, app=item.app, actor=actor,
            data={"authority": authority.pk, "deadline": str(item.deadline)},
        )  # fmt: skip
        sent += 1
    return sent


def plan_overdue_to_funding(*, today: dt.date) -> int:
    """Time rule: plans whose office chose the funding lever report their overdue items daily."""
    return sum(report_overdue(plan=plan, actor=None, today=today)
               for plan in ConsolidationPlan.objects.filter(notify_funding=True))  # fmt: skip


def clusters(province: str) -> dict[int, str]:
    """Duplicate clusters of the scope's apps from the similarity service: app id -> "C1", "C2", …"""
    apps = list(apps_in_scope(province).exclude(state=App.State.DEREGISTERED))
    ids = {app_key(a.pk): a.pk for a in apps}
    index = service.index()
    parent = {a.pk: a.pk for a in apps}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for app in apps:
        doc = index.get(app_key(app.pk))
        if doc is None:
            continue
        for match in service.similar_apps(
            user=None, name=doc.name, functions=doc.functions, kind=doc.kind, province=province,
            level="", exclude=frozenset([doc.key]), only_province=True, limit=10,
        ):  # fmt: skip
            other = ids.get(match.document.key)
            if other is not None and match.score >= CLUSTER_SCORE:
                parent[find(app.pk)] = find(other)
    groups: dict[int, list[int]] = {}
    for app in apps:
        groups.setdefault(find(app.pk), []).append(app.pk)
    labelled: dict[int, str] = {}
    ordered = sorted((g for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), min(g)))
    for number, group in enumerate(ordered, 1):
        for pk in group:
            labelled[pk] = f"C{number}"
    return labelled


@dataclass
class InventoryRow:
    app: App
    cluster: str
    last_scan: Scan | None
    open_complaints: int
    item: PlanItem | None
    done: bool
    overdue: bool


def inventory(plan: ConsolidationPlan | None, province: str) -> list[InventoryRow]:
    today = timezone.localdate()
    computed = clusters(province)
    edited = plan.clusters if plan else {}
    items = {i.app_id: i for i in plan.items.select_related("target")} if plan else {}
    apps = apps_in_scope(province).annotate(
        open_complaints=Count("complaints", filter=Q(complaints__closed_at__isnull=True), distinct=True)
    )
    scans: dict[int, Scan] = {}
    finished = Scan.objects.filter(filing__app__in=apps.values("pk"), finished_at__isnull=False)
    for scan in finished.select_related("filing").order_by("finished_at", "id"):
        if scan.filing is not None:
            scans[scan.filing.app_id] = scan
    rows = []
    for app in apps.order_by("unit__level", "name"):
        item = items.get(app.pk)
        if item is not None:
            item.app = app
        rows.append(
            InventoryRow(
                app=app,
                cluster=edited.get(str(app.pk), computed.get(app.pk, "")),
                last_scan=scans.get(app.pk),
                open_complaints=getattr(app, "open_complaints", 0),
                item=item,
                done=bool(item and is_done(item)),
                overdue=bool(item and is_overdue(item, today)),
            )  # fmt: skip
        )
    rows.sort(key=lambda r: (r.cluster == "", r.cluster, LEVELS.index(r.app.unit.level), r.app.name))
    return rows


def figures(plan: ConsolidationPlan | None, province: str) -> list[dict[str, Any]]:
    """Apps at the start, now and planned, by level (the data of the progress charts)."""
    now = _live_by_level(province)
    start = (plan.baseline if plan else None) or now
    leaving: Counter[str] = Counter()
    if plan:
        for item in plan.items.select_related("app__unit").exclude(decision=Decision.KEEP):
            if item.app.state != App.State.DEREGISTERED:
                leaving[item.app.unit.level] += 1
    return [
        {"level": level, "label": UnitLevel(level).label, "start": start.get(level, 0), "now": now[level],
         "planned": now[level] - leaving[level]}
        for level in LEVELS
        if start.get(level, 0) or now[level]
    ]  # fmt: skip

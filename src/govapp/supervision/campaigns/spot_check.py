"""Spot-check campaigns (抽查检测): draw a reproducible sample of filed apps, request their current packages,
run the technical tests in batch, and turn violations into rectification orders (the report is ``report``,
the risk scores of a risk-based draw ``risk``).

Every write is atomic, permission-checked, records a ``CampaignEvent`` and notifies the units concerned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govapp.accounts.models import Role
from govapp.core.calendar import deadline_for
from govapp.core.notify import Message, notify_all
from govapp.core.translatable import Text
from govapp.inspection.models import Scan
from govapp.registry.choices import AppKind
from govapp.registry.materials import Deficiency
from govapp.registry.models import App
from govapp.registry.services import WorkflowError

from ..enforcement.models import OrderSource
from ..enforcement.rectification import rectification_order_issue
from . import batches, sampling
from .models import (
    CampaignAction,
    CampaignEvent,
    CampaignStatus,
    SamplingMethod,
    SpotCheckCampaign,
    SpotCheckItem,
    SpotCheckPopulation,
)
from .report import campaign_progress, order_findings
from .risk import risk_scores
from .scope import population, scope_errors

LIMIT = "SPOT_PACKAGE"

# Package platforms that fit each app kind: a mini-program cannot be spot-checked with an APK.
PLATFORMS_OF_KIND: dict[str, tuple[str, ...]] = {
    AppKind.APP: ("android", "harmonyos"),
    AppKind.MINI_PROGRAM: ("miniprogram",),
    AppKind.QUICK_APP: ("quickapp",),
}
# A national campaign samples 2,000–10,000 apps as one campaign with one seed.
MAX_SAMPLE = 10_000
DEFAULT_ARTICLE = "13"


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- permissions


def can_manage(user: Any) -> bool:
    """Define campaigns and order rectification from them: the national office."""
    return bool(user.is_authenticated and user.role == Role.NATIONAL_REVIEWER)


def can_view(user: Any) -> bool:
    """See campaigns, their progress and report: the national office and the testing bodies."""
    return bool(user.is_authenticated and user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR))


def _event(*, campaign: SpotCheckCampaign, action: str, actor: Any, app: App | None = None,
           data: dict[str, Any] | None = None) -> CampaignEvent:  # fmt: skip
    return CampaignEvent.objects.create(
        spot_check=campaign, app=app, action=action, actor=actor if getattr(actor, "pk", None) else None,
        data=data or {},
    )  # fmt: skip


def item_url(item: SpotCheckItem) -> str:
    return reverse("supervision:campaign_item", args=[item.pk])


def campaign_url(campaign: SpotCheckCampaign) -> str:
    return reverse("supervision:campaign_detail", args=[campaign.pk])


# ---------------------------------------------------------------- create: draw and request


def _candidates(snapshot: Sequence[dict[str, Any]]) -> list[sampling.Candidate]:
    return [
        sampling.Candidate(int(row["id"]), str(row.get("province", "")), float(row.get("score", 0)))
        for row in snapshot
    ]


@transaction.atomic
def campaign_create(
    *, actor: Any, title: str, provinces: Sequence[str] = (), unit_levels: Sequence[str] = (),
    app_kinds: Sequence[str] = (), size: int, method: str, seed: str = "",
) -> SpotCheckCampaign:  # fmt: skip
    """Draw the sample, record population and seed, and ask each drawn app's unit for its current package."""
    if not can_manage(actor):
        raise PermissionDenied(_("Only the national office can start a spot-check campaign."))
    items = scope_errors(provinces=provinces, unit_levels=unit_levels, app_kinds=app_kinds)
    if not title.strip():
        items.append(Deficiency("title", _("title"), _("Give the campaign a title.")))
    if method not in SamplingMethod.values:
        items.append(
            Deficiency("method", _("sampling method"), _("Choose random, stratified or risk-based."))
        )
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SAMPLE:
        items.append(Deficiency("size", _("sample size"), _("Enter a whole number from 1 to %(max)d.")
                                % {"max": MAX_SAMPLE}))  # fmt: skip
    try:
        seed = sampling.clean_seed(seed)
    except sampling.SamplingError:
        items.append(Deficiency("seed", _("seed"), _("Use at most %(n)d printable characters, or leave it empty.")
                                % {"n": sampling.SEED_MAX_LENGTH}))  # fmt: skip
    if items:
        raise WorkflowError(_("The campaign cannot be drawn; correct the marked fields."), items=items)
    today = _today()
    apps = {
        app.pk: app for app in population(provinces=provinces, unit_levels=unit_levels, app_kinds=app_kinds)
    }
    scores = risk_scores(list(apps), today) if method == SamplingMethod.RISK else {}
    snapshot = [
        {"id": pk, "province": app.unit.province, "score": scores.get(pk, (0.0, {}))[0]}
        for pk, app in apps.items()
    ]
    try:
        picks = sampling.draw(_candidates(snapshot), size=size, method=method, seed=seed)
    except sampling.SamplingError:
        message = _sampling_message(len(snapshot), size)
        raise WorkflowError(message, items=[Deficiency("size", _("sample size"), message)]) from None
    deadline = deadline_for(LIMIT, today)
    campaign = SpotCheckCampaign.objects.create(
        title=title.strip(), provinces=sorted(set(provinces)), unit_levels=sorted(set(unit_levels)),
        app_kinds=sorted(set(app_kinds)), created_by=actor, started_on=today, due=deadline.due,
        due_provisional=deadline.provisional, method=method, size=size, seed=seed, population_size=len(snapshot),
    )  # fmt: skip
    SpotCheckPopulation.objects.create(campaign=campaign, rows=snapshot)
    # In bulk: one INSERT for the items, one query for the filers, one INSERT for the notifications.
    drawn = SpotCheckItem.objects.bulk_create(
        SpotCheckItem(
            campaign=campaign, app=apps[pick.app_id], province=apps[pick.app_id].unit.province,
            stratum=pick.stratum, risk_score=pick.score, risk_detail=scores.get(pick.app_id, (0.0, {}))[1],
            position=position,
        )
        for position, pick in enumerate(picks, start=1)
    )  # fmt: skip
    if any(item.pk is None for item in drawn):  # a backend that does not return ids from bulk inserts
        drawn = list(campaign.items.select_related("app").order_by("position"))
    filers = batches.filers_by_unit({apps[pick.app_id].unit_id for pick in picks})
    notify_all(
        Message(
            recipients=filers.get(item.app.unit_id, []),
            subject=Text.of(gettext_noop("Spot check: send the current package of %(app)s"), app=item.app.name),
            body=Text.of(gettext_noop("The national office has drawn %(app)s for the spot check “%(title)s”. Upload the package "
                   "currently in use by %(due)s (%(limit)s)."), app=item.app.name, title=campaign.title, due=deadline.due.isoformat(), limit=deadline.text()),
            url=item_url(item), due=deadline.due,
        )
        for item in drawn
    )  # fmt: skip
    _event(campaign=campaign, action=CampaignAction.DRAW, actor=actor,
           data={"method": method, "seed": seed, "size": size, "population": len(snapshot),
                 "apps": [p.app_id for p in picks], "due": deadline.due.isoformat()})  # fmt: skip
    return campaign


def _sampling_message(available: int, size: int) -> str:
    if available == 0:
        return _("No filed app matches the scope; widen the provinces, unit levels or app kinds.")
    if size > available:
        return _("The sample size %(size)d is larger than the %(n)d filed apps in scope; choose at most %(n)d.") % {
            "size": size, "n": available,
        }  # fmt: skip
    return _("A stratified sample needs at least one app per province in scope; choose a larger size or fewer "
             "provinces.")  # fmt: skip


def sample_reproduces(campaign: SpotCheckCampaign) -> bool:
    """Redraw from the recorded population snapshot and seed: the same apps in the same order?"""
    picks = sampling.draw(_candidates(campaign.population), size=campaign.size, method=campaign.method,
                          seed=campaign.seed)  # fmt: skip
    recorded = list(campaign.items.order_by("position").values_list("app_id", flat=True))
    return [p.app_id for p in picks] == recorded


# ---------------------------------------------------------------- the unit sends its package


@transaction.atomic
def item_upload(*, item: SpotCheckItem, actor: Any, uploaded_file: UploadedFile) -> SpotCheckItem:
    """The unit sends the package in use for a drawn app; it is stored and waits for the batch test."""
    from govapp.inspection.services import package_store

    item = (
        SpotCheckItem.objects.select_for_update(of=("self",))
        .select_related("campaign", "app__unit", "scan")
        .get(pk=item.pk)
    )
    if not actor.has_perm("registry.edit_filing", item.app):
        raise PermissionDenied(
            _("Only a filer of the sponsoring unit can send the package for a spot check.")
        )
    if not item.campaign.is_open:
        raise WorkflowError(_("This spot check is closed; packages are no longer accepted."))
    if item.scan is not None and item.scan.status != Scan.Status.FAILED:
        raise WorkflowError(_("The package of this app has already been tested in this spot check."))
    package = package_store(uploaded_file=uploaded_file)
    allowed = PLATFORMS_OF_KIND.get(item.app.kind, ())
    if package.platform not in allowed:
        message = _("%(name)s is a %(format)s package, but %(app)s is a %(kind)s; upload the package of this app.") % {
            "name": package.original_name, "format": package.get_kind_display(), "app": item.app.name,
            "kind": item.app.get_kind_display(),
        }  # fmt: skip
        raise WorkflowError(message, items=[Deficiency("package", _("app package"), message)])
    item.package = package
    item.package_name = (uploaded_file.name or package.original_name)[:255]
    item.uploaded_by = actor
    item.uploaded_at = timezone.now()
    item.scan = None
    item.save()
    _event(campaign=item.campaign, action=CampaignAction.UPLOAD, actor=actor, app=item.app,
           data={"sha256": package.sha256, "late": item.overdue})  # fmt: skip
    # The technical test starts as soon as the package is in; nobody has to press a button for it.
    if _start_scan(item, actor):
        _event(campaign=item.campaign, action=CampaignAction.SCAN, actor=actor, app=item.app,
               data={"apps": [item.app_id], "by": "upload"})  # fmt: skip
    return item


# ---------------------------------------------------------------- batch technical test


def _start_scan(item: SpotCheckItem, actor: Any) -> bool:
    """Queue the technical test of an item's received package unless it has one; True when queued."""
    from govapp.inspection.services import scan_create

    if item.package is None:
        return False
    if item.scan is not None and item.scan.status != Scan.Status.FAILED:
        return False
    if item.scan is not None and item.scan.package_id == item.package_id:
        return False  # the engine could not analyse this package; only a new upload can change that
    filing = item.app.approved_filing
    number = item.app.current_number.number if item.app.current_number else ""
    item.scan = scan_create(package=item.package, filing=filing, actor=actor, reason=Scan.Reason.SPOT_CHECK,
                            filing_number=number)  # fmt: skip
    item.save(update_fields=["scan"])
    return True


def _start_scans(campaign: SpotCheckCampaign, actor: Any) -> list[SpotCheckItem]:
    """The safety net of the time rule: packages received but not queued (a queue outage at upload)."""
    items = (
        campaign.items.select_for_update(of=("self",)).select_related("app__approved_filing", "app__current_number", "package", "scan")
        .filter(Q(scan__isnull=True) | Q(scan__status=Scan.Status.FAILED), package__isnull=False)
    )  # fmt: skip
    return [item for item in items if _start_scan(item, actor)]


# ---------------------------------------------------------------- violations -> rectification orders


@transaction.atomic
def campaign_issue_orders(
    *, campaign: SpotCheckCampaign, actor: Any, item_ids: Sequence[int], required_actions: str,
    workdays: int | None = None,
) -> list[SpotCheckItem]:  # fmt: skip
    """One rectification order per selected item with violations, in one step; all or nothing."""
    if not can_manage(actor):
        raise PermissionDenied(_("Only the national office can order rectification from a spot check."))
    if not item_ids:
        raise WorkflowError(_("Select at least one app with violations."),
                            items=[Deficiency("items", _("apps"), _("Select at least one app."))])  # fmt: skip
    items = list(
        campaign.items.select_for_update(of=("self",))
        .select_related("app__unit", "scan")
        .filter(pk__in=list(item_ids))
    )
    if len(items) != len(set(item_ids)):
        raise WorkflowError(_("Some selected apps are not part of this spot check."))
    for item in items:
        if item.order_id:
            raise WorkflowError(_("Rectification of %(app)s has already been ordered from this spot check.")
                                % {"app": item.app.name})  # fmt: skip
        if item.outcome != "violation":
            raise WorkflowError(_("%(app)s has no violation in this spot check.") % {"app": item.app.name})
    issued = []
    for item in items:
        findings = order_findings(item)
        # One article for the order: the item all findings share, else article 13 of the five prohibitions;
        # each finding keeps its own item.
        cited = sorted({str(f["article"]) for f in findings if f["article"]})
        article = cited[0] if len(cited) == 1 else DEFAULT_ARTICLE
        try:
            item.order = rectification_order_issue(
                app=item.app, actor=actor, source=OrderSource.SPOT_CHECK, findings=findings,
                required_actions=required_actions, article=article, workdays=workdays, scan=item.scan,
            )  # fmt: skip
        except WorkflowError as exc:
            raise WorkflowError(f"{item.app.name}: {exc.message}", items=exc.items) from None
        item.save(update_fields=["order"])
        _event(campaign=campaign, action=CampaignAction.ORDER, actor=actor, app=item.app,
               data={"order": item.order_id, "scan": item.scan_id})  # fmt: skip
        issued.append(item)
    return issued


@transaction.atomic
def campaign_close(*, campaign: SpotCheckCampaign, actor: Any) -> SpotCheckCampaign:
    if not can_manage(actor):
        raise PermissionDenied(_("Only the national office can close a spot check."))
    campaign = SpotCheckCampaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        raise WorkflowError(_("This spot check is already closed."))
    if campaign_progress(campaign).pending:
        raise WorkflowError(
            _("Technical tests are still running; close the campaign when they have finished.")
        )
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    _event(campaign=campaign, action=CampaignAction.CLOSE, actor=actor)
    return campaign


# ---------------------------------------------------------------- time rule


def spot_check_deadlines(*, today: dt.date) -> int:
    """Packages not sent by the due date: marked overdue once (unit and national office told); one reminder
    on the last working day; received packages not yet tested are queued. Idempotent.

    Set-based: the queries do not grow with the number of items (docs/supervision.md, "The tick")."""
    return _mark_packages_overdue(today) + _remind_packages(today) + _queue_received_packages()


# What the rule reads of an item: never the campaign's population, nor the item's other columns.
_TICK_FIELDS = ("pk", "campaign_id", "app_id", "position", "campaign__title", "campaign__due",
                "campaign__created_by_id", "app__name", "app__unit_id", "app__unit__name")  # fmt: skip


def _waiting_items(campaigns: QuerySet[SpotCheckCampaign, Any]) -> QuerySet[SpotCheckItem]:
    """Items of ``campaigns`` still waiting for their package and not yet marked overdue, locked."""
    return (
        SpotCheckItem.objects.filter(campaign__in=campaigns, package__isnull=True, overdue=False)
        .select_for_update(of=("self",))
        .select_related("campaign", "app__unit")
        .only(*_TICK_FIELDS)
        .order_by("campaign_id", "position")
    )


OVERDUE_WORDING = batches.Wording(
    gettext_noop("Spot-check package overdue: %(app)s"),
    gettext_noop("The package of %(app)s (%(unit)s) for the spot check “%(title)s” was due on %(due)s and "
                 "has not been received."),
    gettext_noop("Spot-check packages overdue: %(count)d apps of %(unit)s"),
    gettext_noop("The packages of %(count)d apps of %(unit)s for the spot check “%(title)s” were due on "
                 "%(due)s and have not been received: %(apps)s."),
)  # fmt: skip
REMINDER_WORDING = batches.Wording(
    gettext_noop("Reminder: spot-check package of %(app)s due %(due)s"),
    gettext_noop("Upload the package currently in use for the spot check “%(title)s”."),
    gettext_noop("Reminder: spot-check packages of %(count)d apps due %(due)s"),
    gettext_noop("Upload the package currently in use of each of these apps for the spot check “%(title)s”: "
                 "%(apps)s."),
)  # fmt: skip


@transaction.atomic
def _mark_packages_overdue(today: dt.date) -> int:
    campaigns = SpotCheckCampaign.objects.filter(status=CampaignStatus.OPEN, due__lt=today).values("pk")
    items = list(_waiting_items(campaigns))
    if not items:
        return 0
    batches.update_by_pk(SpotCheckItem, [item.pk for item in items], overdue=True, overdue_on=today)
    CampaignEvent.objects.bulk_create(
        CampaignEvent(spot_check_id=item.campaign_id, app_id=item.app_id, action=CampaignAction.PACKAGE_OVERDUE,
                      data={"due": item.campaign.due.isoformat()})
        for item in items
    )  # fmt: skip
    batches.notify_units(
        items,
        wording=OVERDUE_WORDING,
        one_url=item_url,
        mine_url=reverse("supervision:campaign_mine"),
        creator_url=campaign_url,
    )
    return len(items)


@transaction.atomic
def _remind_packages(today: dt.date) -> int:
    open_campaigns = SpotCheckCampaign.objects.filter(status=CampaignStatus.OPEN, due__gte=today)
    due_now = batches.campaigns_to_remind(open_campaigns.values_list("pk", "due"), today, days_left=1)
    if not due_now:
        return 0
    items = list(
        _waiting_items(SpotCheckCampaign.objects.filter(pk__in=due_now)).filter(reminded_on__isnull=True)
    )
    if not items:
        return 0
    batches.update_by_pk(SpotCheckItem, [item.pk for item in items], reminded_on=today)
    CampaignEvent.objects.bulk_create(
        CampaignEvent(spot_check_id=item.campaign_id, app_id=item.app_id, action=CampaignAction.REMIND)
        for item in items
    )
    batches.notify_units(
        items,
        wording=REMINDER_WORDING,
        one_url=item_url,
        mine_url=reverse("supervision:campaign_mine"),
        with_due=True,
    )
    return len(items)


def _queue_received_packages() -> int:
    """The safety net: packages received while their test could not be queued (rare: a queue outage)."""
    changed = 0
    waiting = SpotCheckCampaign.objects.filter(status=CampaignStatus.OPEN, items__package__isnull=False,
                                               items__scan__isnull=True).distinct()  # fmt: skip
    for campaign_pk in list(waiting.values_list("pk", flat=True)):
        with transaction.atomic():
            campaign = SpotCheckCampaign.objects.select_for_update().get(pk=campaign_pk)
            started = _start_scans(campaign, None)
            if started:
                _event(campaign=campaign, action=CampaignAction.SCAN, actor=None,
                       data={"apps": [i.app_id for i in started], "by": "time rule"})  # fmt: skip
                changed += len(started)
    return changed


def requests_for(user: Any) -> QuerySet[SpotCheckItem]:
    """Spot-check package requests addressed to a filer's unit."""
    if not (user.is_authenticated and user.role == Role.FILER and user.unit_id):
        return SpotCheckItem.objects.none()
    return SpotCheckItem.objects.filter(app__unit_id=user.unit_id).select_related("campaign", "app", "scan")

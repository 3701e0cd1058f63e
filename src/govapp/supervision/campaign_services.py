"""Spot-check campaigns (抽查检测): draw a reproducible sample of filed apps, request their current packages,
run the technical tests in batch, report, and turn violations into rectification orders.

Every write is atomic, permission-checked, records a ``CampaignEvent`` and notifies the units concerned.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from govapp.accounts.divisions import BY_CODE
from govapp.accounts.models import Role, UnitLevel
from govapp.core.calendar import CalendarGap, deadline_for, workdays_between
from govapp.core.notify import notify
from govapp.inspection.models import Scan
from govapp.registry.choices import AppKind
from govapp.registry.materials import Deficiency
from govapp.registry.models import App
from govapp.registry.services import WorkflowError, unit_filers

from . import sampling
from .campaigns import (
    CampaignAction,
    CampaignEvent,
    CampaignStatus,
    SamplingMethod,
    SpotCheckCampaign,
    SpotCheckItem,
)

LIMIT = "SPOT_PACKAGE"

# Apps that hold a filing a spot check can test (a revoked or deregistered app is out of the register).
SAMPLED_STATES = (App.State.FILED, App.State.CHANGE_REVIEW, App.State.RECTIFYING)
# Package platforms that fit each app kind: a mini-program cannot be spot-checked with an APK.
PLATFORMS_OF_KIND: dict[str, tuple[str, ...]] = {
    AppKind.APP: ("android", "harmonyos"),
    AppKind.MINI_PROGRAM: ("miniprogram",),
    AppKind.QUICK_APP: ("quickapp",),
}
# Risk weights (risk-based sampling): an open complaint is the strongest signal of forced use today,
# a violation category in the latest scan and a past rectification order show a record, and an app
# whose last scan is old (or that was never scanned) is less known. Recorded per item.
RISK_PER_COMPLAINT = 3.0
RISK_PER_VIOLATION_CATEGORY = 2.0
RISK_PER_RECTIFICATION = 2.0
RISK_SCAN_AGE_DAYS = 180
RISK_SCAN_AGE_MAX = 2.0
MAX_SAMPLE = 1000
DEFAULT_ARTICLE = "Art. 13"


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- permissions


def can_manage(user: Any) -> bool:
    """Define campaigns and order rectification from them: the national office."""
    return bool(user.is_authenticated and user.role == Role.NATIONAL_REVIEWER)


def can_view(user: Any) -> bool:
    """See campaigns, their progress and report: the national office and the testing bodies."""
    return bool(user.is_authenticated and user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR))


def can_run_scans(user: Any) -> bool:
    return can_view(user)


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


# ---------------------------------------------------------------- population and risk


def scope_errors(
    *, provinces: Sequence[str], unit_levels: Sequence[str], app_kinds: Sequence[str]
) -> list[Deficiency]:
    items = []
    if bad := [p for p in provinces if p not in BY_CODE]:
        items.append(Deficiency("provinces", _("provinces"), _("Unknown province codes: %(codes)s.")
                                % {"codes": ", ".join(bad)}))  # fmt: skip
    if bad := [level for level in unit_levels if level not in UnitLevel.values]:
        items.append(Deficiency("unit_levels", _("unit levels"), _("Unknown unit levels: %(levels)s.")
                                % {"levels": ", ".join(bad)}))  # fmt: skip
    if bad := [kind for kind in app_kinds if kind not in AppKind.values]:
        items.append(Deficiency("app_kinds", _("app kinds"), _("Unknown app kinds: %(kinds)s.")
                                % {"kinds": ", ".join(bad)}))  # fmt: skip
    return items


def population(*, provinces: Sequence[str], unit_levels: Sequence[str], app_kinds: Sequence[str],
               states: Sequence[str] = SAMPLED_STATES) -> QuerySet[App]:  # fmt: skip
    """Filed apps in scope; an empty list does not restrict its dimension (central units have no province)."""
    apps = App.objects.filter(state__in=states).select_related("unit")
    if provinces:
        apps = apps.filter(unit__province__in=list(provinces))
    if unit_levels:
        apps = apps.filter(unit__level__in=list(unit_levels))
    if app_kinds:
        apps = apps.filter(kind__in=list(app_kinds))
    return apps.order_by("pk")


def latest_scans(app_ids: Iterable[int]) -> dict[int, Scan]:
    """The latest finished scan per app (from its filings and earlier spot checks)."""
    latest: dict[int, Scan] = {}
    scans = (
        Scan.objects.filter(filing__app_id__in=list(app_ids), status=Scan.Status.DONE)
        .select_related("filing")
        .order_by("filing__app_id", "-finished_at", "-id")
    )
    for scan in scans:
        assert scan.filing is not None
        latest.setdefault(scan.filing.app_id, scan)
    return latest


def violation_categories(scan: Scan) -> list[str]:
    found = {
        str(f.get("category"))
        for f in scan.report_data.get("findings") or []
        if f.get("status") == "violation"
    }
    return sorted(found)


def _open_complaints(app_ids: list[int]) -> dict[int, int]:
    try:
        from govapp.complaints.services import open_complaint_counts
    except ImportError:  # the complaints app is optional for spot checks
        return {}
    return open_complaint_counts(app_ids)


def risk_scores(app_ids: Sequence[int], today: dt.date) -> dict[int, tuple[float, dict[str, Any]]]:
    """Risk score and its parts per app: open complaints, violations in the latest scan, past rectification
    orders, age of the latest scan."""
    from .models import RectificationOrder

    ids = list(app_ids)
    complaints = _open_complaints(ids)
    orders = dict(
        RectificationOrder.objects.filter(app_id__in=ids).values("app_id").annotate(n=Count("pk"))
        .values_list("app_id", "n")
    )  # fmt: skip
    scans = latest_scans(ids)
    result: dict[int, tuple[float, dict[str, Any]]] = {}
    for app_id in ids:
        scan = scans.get(app_id)
        categories = violation_categories(scan) if scan else []
        if scan is not None and scan.finished_at is not None:
            age_days = (today - timezone.localtime(scan.finished_at).date()).days
            age = min(RISK_SCAN_AGE_MAX, max(0, age_days) / RISK_SCAN_AGE_DAYS)
        else:
            age_days, age = None, RISK_SCAN_AGE_MAX
        detail: dict[str, Any] = {
            "complaints": complaints.get(app_id, 0),
            "violations": categories,
            "rectifications": orders.get(app_id, 0),
            "scan_age_days": age_days,
        }
        score = (
            RISK_PER_COMPLAINT * detail["complaints"]
            + RISK_PER_VIOLATION_CATEGORY * len(categories)
            + RISK_PER_RECTIFICATION * detail["rectifications"]
            + age
        )
        result[app_id] = (round(score, 3), detail)
    return result


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
        due_provisional=deadline.provisional, method=method, size=size, seed=seed, population=snapshot,
    )  # fmt: skip
    for position, pick in enumerate(picks, start=1):
        app = apps[pick.app_id]
        item = SpotCheckItem.objects.create(
            campaign=campaign, app=app, province=app.unit.province, stratum=pick.stratum, risk_score=pick.score,
            risk_detail=scores.get(pick.app_id, (0.0, {}))[1], position=position,
        )  # fmt: skip
        notify(
            recipients=unit_filers(app.unit),
            subject=_("Spot check: send the current package of %(app)s") % {"app": app.name},
            body=_("The national office has drawn %(app)s for the spot check “%(title)s”. Upload the package "
                   "currently in use by %(due)s (%(limit)s).")
            % {"app": app.name, "title": campaign.title, "due": deadline.due.isoformat(), "limit": deadline.describe()},
            url=item_url(item), due=deadline.due,
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
    return item


# ---------------------------------------------------------------- batch technical test


def _start_scans(campaign: SpotCheckCampaign, actor: Any) -> list[SpotCheckItem]:
    from govapp.inspection.services import scan_create

    started = []
    items = (
        campaign.items.select_for_update(of=("self",)).select_related("app__approved_filing", "app__current_number", "package", "scan")
        .filter(package__isnull=False)
    )  # fmt: skip
    for item in items:
        if item.scan is not None and item.scan.status != Scan.Status.FAILED:
            continue
        if item.scan is not None and item.scan.package_id == item.package_id:
            continue  # the engine could not analyse this package; only a new upload can change that
        assert item.package is not None
        filing = item.app.approved_filing
        number = item.app.current_number.number if item.app.current_number else ""
        item.scan = scan_create(package=item.package, filing=filing, actor=actor, reason=Scan.Reason.SPOT_CHECK,
                                filing_number=number)  # fmt: skip
        item.save(update_fields=["scan"])
        started.append(item)
    return started


@transaction.atomic
def campaign_scan(*, campaign: SpotCheckCampaign, actor: Any) -> int:
    """Queue the technical test for every received package not yet tested; returns how many were queued."""
    if not can_run_scans(actor):
        raise PermissionDenied(_("Only the national office or a testing body can run the technical tests."))
    campaign = SpotCheckCampaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        raise WorkflowError(_("This spot check is closed."))
    started = _start_scans(campaign, actor)
    if not started:
        raise WorkflowError(_("There is no received package waiting for the technical test."))
    _event(
        campaign=campaign, action=CampaignAction.SCAN, actor=actor, data={"apps": [i.app_id for i in started]}
    )
    return len(started)


@dataclass
class Progress:
    total: int = 0
    received: int = 0
    scanned: int = 0
    pending: int = 0
    waiting: int = 0  # received, not yet queued
    violations: int = 0
    failed: int = 0
    overdue: int = 0
    awaiting: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.scanned / self.total) if self.total else 0


def campaign_progress(campaign: SpotCheckCampaign) -> Progress:
    progress = Progress()
    for item in campaign.items.select_related("scan"):
        progress.total += 1
        outcome = item.outcome
        if item.package_id:
            progress.received += 1
        if outcome in ("pass", "violation", "failed"):
            progress.scanned += 1
        progress.pending += outcome == "scanning"
        progress.waiting += outcome == "received"
        progress.violations += outcome == "violation"
        progress.failed += outcome == "failed"
        progress.overdue += item.overdue and not item.package_id
        progress.awaiting += outcome == "awaiting"
    return progress


# ---------------------------------------------------------------- report


def _localized(value: Any) -> str:
    if isinstance(value, dict):
        lang = "en" if (get_language() or "").startswith("en") else "zh"
        return str(value.get(lang) or value.get("zh") or value.get("en") or "")
    return str(value or "")


def category_label(category: str) -> str:
    from govapp.inspection.views import category_label as label

    return label(category)


@dataclass
class Violation:
    item: SpotCheckItem
    category: str
    label: str
    article: str
    title: str
    rule: str
    evidence: list[dict[str, Any]]


@dataclass
class ProvinceRow:
    province: str
    name: str
    sampled: int = 0
    received: int = 0
    scanned: int = 0
    violations: int = 0
    overdue: int = 0


@dataclass
class Report:
    progress: Progress
    by_category: list[tuple[str, str, int]] = field(default_factory=list)
    by_province: list[ProvinceRow] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    overdue: list[SpotCheckItem] = field(default_factory=list)
    failed: list[SpotCheckItem] = field(default_factory=list)


def scan_violations(item: SpotCheckItem) -> list[Violation]:
    if item.scan is None or item.scan.status != Scan.Status.DONE:
        return []
    rows = []
    for finding in item.scan.report_data.get("findings") or []:
        if finding.get("status") != "violation":
            continue
        category = str(finding.get("category", "other"))
        rows.append(Violation(
            item=item, category=category, label=category_label(category),
            article=str(finding.get("article_en") if (get_language() or "").startswith("en") and finding.get("article_en")
                        else finding.get("article", "")),
            title=_localized(finding.get("title")), rule=str(finding.get("rule", "")),
            evidence=[e for e in finding.get("evidence") or [] if isinstance(e, dict)][:3],
        ))  # fmt: skip
    return rows


def campaign_report(campaign: SpotCheckCampaign) -> Report:
    items = list(campaign.items.select_related("app__unit", "scan", "order").order_by("province", "position"))
    report = Report(progress=campaign_progress(campaign))
    categories: Counter[str] = Counter()
    provinces: dict[str, ProvinceRow] = {}
    for item in items:
        row = provinces.setdefault(item.province, ProvinceRow(
            item.province, BY_CODE[item.province].name if item.province in BY_CODE else str(_("Central"))))  # fmt: skip
        row.sampled += 1
        row.received += bool(item.package_id)
        outcome = item.outcome
        row.scanned += outcome in ("pass", "violation", "failed")
        row.violations += outcome == "violation"
        if item.overdue and not item.package_id:
            row.overdue += 1
            report.overdue.append(item)
        if outcome == "failed":
            report.failed.append(item)
        found = scan_violations(item)
        report.violations.extend(found)
        categories.update({v.category for v in found})
    report.by_category = sorted(
        ((c, category_label(c), n) for c, n in categories.items()), key=lambda r: (-r[2], r[0])
    )
    report.by_province = [provinces[p] for p in sorted(provinces)]
    return report


# ---------------------------------------------------------------- violations -> rectification orders


def order_findings(item: SpotCheckItem) -> list[dict[str, Any]]:
    """The rectification findings of an item's scan: each violation with its first evidence item."""
    from .rectification import FINDING_CATEGORIES

    findings = []
    for violation in scan_violations(item):
        category = violation.category if violation.category in FINDING_CATEGORIES else "other"
        title = violation.title or violation.rule
        if category == "other":
            title = f"{violation.label}: {title}"
        evidence = violation.evidence[0] if violation.evidence else {}
        findings.append({
            "category": category, "article": violation.article, "description": title,
            "evidence": {"scan": item.scan_id, "rule": violation.rule, "file": str(evidence.get("file", "")),
                         "location": str(evidence.get("location", "")), "snippet": str(evidence.get("snippet", ""))[:500]},
        })  # fmt: skip
    return findings


@transaction.atomic
def campaign_issue_orders(
    *, campaign: SpotCheckCampaign, actor: Any, item_ids: Sequence[int], required_actions: str,
    workdays: int | None = None,
) -> list[SpotCheckItem]:  # fmt: skip
    """One rectification order per selected item with violations, in one step; all or nothing."""
    from .models import OrderSource
    from .rectification import rectification_order_issue

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
        article = "; ".join(sorted({f["article"] for f in findings if f["article"]})) or DEFAULT_ARTICLE
        try:
            item.order = rectification_order_issue(
                app=item.app, actor=actor, source=OrderSource.SPOT_CHECK, findings=findings,
                required_actions=required_actions, article=article[:200], workdays=workdays, scan=item.scan,
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


def _working_days_left(today: dt.date, due: dt.date) -> int | None:
    try:
        return workdays_between(today, due)
    except CalendarGap:
        return None  # no reminder on a guessed calendar; the overdue mark still uses the due date


def spot_check_deadlines(*, today: dt.date) -> int:
    """Packages not sent by the due date: marked overdue once (unit and national office told); one reminder
    on the last working day; received packages not yet tested are queued. Idempotent."""
    changed = 0
    open_items = SpotCheckItem.objects.filter(campaign__status=CampaignStatus.OPEN, package__isnull=True)
    for pk in list(open_items.filter(overdue=False, campaign__due__lt=today).values_list("pk", flat=True)):
        with transaction.atomic():
            item = (
                SpotCheckItem.objects.select_for_update(of=("self",))
                .select_related("campaign", "app__unit")
                .get(pk=pk)
            )
            if item.overdue or item.package_id:
                continue
            item.overdue, item.overdue_on = True, today
            item.save(update_fields=["overdue", "overdue_on"])
            campaign = item.campaign
            _event(campaign=campaign, action=CampaignAction.PACKAGE_OVERDUE, actor=None, app=item.app,
                   data={"due": campaign.due.isoformat()})  # fmt: skip
            notify(
                recipients=list(unit_filers(item.app.unit)) + [campaign.created_by],
                subject=_("Spot-check package overdue: %(app)s") % {"app": item.app.name},
                body=_("The package of %(app)s (%(unit)s) for the spot check “%(title)s” was due on %(due)s and "
                       "has not been received.")
                % {"app": item.app.name, "unit": item.app.unit.name, "title": campaign.title,
                   "due": campaign.due.isoformat()},
                url=item_url(item),
            )  # fmt: skip
            changed += 1
    for pk in list(open_items.filter(overdue=False, reminded_on__isnull=True, campaign__due__gte=today)
                   .values_list("pk", flat=True)):  # fmt: skip
        with transaction.atomic():
            item = (
                SpotCheckItem.objects.select_for_update(of=("self",))
                .select_related("campaign", "app__unit")
                .get(pk=pk)
            )
            left = _working_days_left(today, item.campaign.due)
            if item.reminded_on or item.package_id or left is None or left > 1:
                continue
            item.reminded_on = today
            item.save(update_fields=["reminded_on"])
            _event(campaign=item.campaign, action=CampaignAction.REMIND, actor=None, app=item.app)
            notify(
                recipients=unit_filers(item.app.unit),
                subject=_("Reminder: spot-check package of %(app)s due %(due)s")
                % {"app": item.app.name, "due": item.campaign.due.isoformat()},
                body=_("Upload the package currently in use for the spot check “%(title)s”.")
                % {"title": item.campaign.title},
                url=item_url(item), due=item.campaign.due,
            )  # fmt: skip
            changed += 1
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


def campaign_deadlines(*, today: dt.date | None = None) -> int:
    """Time rule "campaign_deadlines": spot-check packages and self-inspection answers. Idempotent."""
    from .selfcheck import selfcheck_deadlines

    today = today or _today()
    return spot_check_deadlines(today=today) + selfcheck_deadlines(today=today)


def requests_for(user: Any) -> QuerySet[SpotCheckItem]:
    """Spot-check package requests addressed to a filer's unit."""
    if not (user.is_authenticated and user.role == Role.FILER and user.unit_id):
        return SpotCheckItem.objects.none()
    return SpotCheckItem.objects.filter(app__unit_id=user.unit_id).select_related("campaign", "app", "scan")

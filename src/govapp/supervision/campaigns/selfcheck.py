"""Self-inspection campaigns (自查自评): a questionnaire per filed app derived from the five prohibitions and
the other duties, answered by the unit with evidence, compared with the latest technical test and the open
complaints, and rolled up by province and unit so that non-responders are visible.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _

from govapp.accounts.divisions import BY_CODE
from govapp.accounts.models import Role
from govapp.core.calendar import deadline_for
from govapp.core.notify import Message, notify, notify_all
from govapp.core.translatable import Text
from govapp.registry.materials import Deficiency
from govapp.registry.models import App
from govapp.registry.services import WorkflowError

from ..app_signals import open_complaint_cases
from ..enforcement.articles import article_text
from ..enforcement.models import RectificationOrder
from . import batches
from .models import (
    CampaignAction,
    CampaignEvent,
    CampaignStatus,
    SelfInspectionCampaign,
    SelfInspectionReturn,
)
from .scope import latest_scans, population, scope_errors

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

LIMIT = "SELF_INSPECTION"

YES, NO = "yes", "no"
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
_ATTACHMENT_MAGIC = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
# Below this many monthly active users an app counts as rarely used (Art. 12: merge or shut down).
RARELY_USED_MAU = 100


@dataclass(frozen=True)
class Question:
    """One question; ``problem`` is the answer that reports a breach, ``scan`` / ``complaint`` the categories
    whose findings contradict the compliant answer."""

    id: str
    text: StrPromise
    problem: str
    article: str  # references, comma-separated: "13.2", "5,13.3"
    scan: tuple[str, ...] = ()
    complaint: tuple[str, ...] = ()

    @property
    def article_text(self) -> str:
        """第十三条第二项 or Art. 13(2), in the language of the page (never English inside Chinese)."""
        return articles_text(self.article)


QUESTIONS: tuple[Question, ...] = (
    Question("checkin", gettext_lazy("Does the app have a compulsory check-in (clock-in) function?"), YES,
             "13.2", ("checkin",), ("checkin",)),
    Question("ranking", gettext_lazy("Does the app rank users or units by points?"), YES,
             "13.2", ("ranking",), ("ranking",)),
    Question("online_time", gettext_lazy("Does the app count users' online time?"), YES,
             "13.2", ("online_time",), ("online_time",)),
    Question("forced_download", gettext_lazy(
        "Is anyone required to download, install or use the app, or are install or usage rates assessed or "
        "reported?"), YES, "5,13.3", ("forced_download",), ("forced_download", "unfiled_app")),
    Question("forced_login", gettext_lazy("Must users log in periodically (forced periodic login)?"), YES,
             "13.3", ("forced_login",), ("forced_login",)),
    Question("engagement", gettext_lazy(
        "Are likes, online votes, shares or study time used as evaluation criteria?"), YES,
        "13.4", ("engagement_metrics",), ("engagement_metrics",)),
    Question("forced_upload", gettext_lazy(
        "Must subordinate units upload work photos or videos without necessity?"), YES,
        "13.4", ("forced_upload",), ("forced_upload",)),
    Question("location_tracking", gettext_lazy("Must users upload location tracks?"), YES,
             "13.4", ("location_tracking",), ("location_tracking",)),
    Question("repeated_reporting", gettext_lazy(
        "Does the app ask grassroots units to fill in forms or report data arbitrarily or repeatedly?"), YES,
        "13.1"),
    Question("commercial", gettext_lazy("Is the app used for any commercial activity?"), YES, "13.5"),
    Question("complaint_function", gettext_lazy(
        "Does the app provide a complaint and suggestion function with follow-up?"), NO,
        "14", ("complaint_function_missing",)),
    Question("ipv6", gettext_lazy("Does the app work over IPv6?"), NO, "14", ("ipv4_only",)),
    Question("filing_number", gettext_lazy(
        "Does the app display the sponsoring unit and the filing number prominently?"), NO,
        "8", ("filing_number_missing",)),
    Question("rarely_used", gettext_lazy(
        "Is the app rarely used, so that it should be merged into another app or shut down?"), YES, "12"),
)  # fmt: skip
QUESTION_IDS = tuple(q.id for q in QUESTIONS)


def articles_text(refs: str) -> str:
    english = (get_language() or "").startswith("en")
    return (", " if english else "、").join(
        article_text(ref.strip()) for ref in refs.split(",") if ref.strip()
    )


BY_ID = {q.id: q for q in QUESTIONS}


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- permissions and visibility


def can_launch(user: Any) -> bool:
    """The national office for any scope; a provincial office for its own province."""
    if not user.is_authenticated:
        return False
    if user.role == Role.NATIONAL_REVIEWER:
        return True
    return bool(user.role == Role.PROVINCIAL_REVIEWER and user.unit_id and user.unit.province)


def can_list(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and (user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR) or user.is_provincial_role)
    )


def visible_returns(user: Any) -> QuerySet[SelfInspectionReturn]:
    """The returns a supervisor may see in roll-ups: everything nationally, one province provincially."""
    returns = SelfInspectionReturn.objects.select_related("app__unit", "campaign", "submitted_by")
    if not user.is_authenticated:
        return returns.none()
    if user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR):
        return returns
    if user.is_provincial_role and user.unit_id and user.unit.province:
        return returns.filter(province=user.unit.province)
    if user.role == Role.FILER and user.unit_id:
        return returns.filter(app__unit_id=user.unit_id)
    return returns.none()


def visible_campaigns(user: Any) -> QuerySet[SelfInspectionCampaign]:
    if not can_list(user):
        return SelfInspectionCampaign.objects.none()
    if user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR):
        return SelfInspectionCampaign.objects.all()
    return SelfInspectionCampaign.objects.filter(returns__province=user.unit.province).distinct()


def return_url(item: SelfInspectionReturn) -> str:
    return reverse("supervision:selfcheck_return", args=[item.pk])


def _event(*, campaign: SelfInspectionCampaign, action: str, actor: Any, app: App | None = None,
           data: dict[str, Any] | None = None) -> CampaignEvent:  # fmt: skip
    return CampaignEvent.objects.create(
        self_inspection=campaign, app=app, action=action, actor=actor if getattr(actor, "pk", None) else None,
        data=data or {},
    )  # fmt: skip


# ---------------------------------------------------------------- launch


@transaction.atomic
def selfcheck_launch(
    *, actor: Any, title: str, provinces: Sequence[str] = (), unit_levels: Sequence[str] = (),
    app_kinds: Sequence[str] = (),
) -> SelfInspectionCampaign:  # fmt: skip
    """Ask every unit with a filed app in scope to answer the questionnaire within SELF_INSPECTION working days."""
    if not can_launch(actor):
        raise PermissionDenied(
            _("Only the national office or a provincial office can launch a self-inspection.")
        )
    provinces = sorted(set(provinces))
    if actor.role == Role.PROVINCIAL_REVIEWER:
        own = actor.unit.province
        if provinces and provinces != [own]:
            raise PermissionDenied(
                _("A provincial office can launch a self-inspection for its own province only.")
            )
        provinces = [own]
    items = scope_errors(provinces=provinces, unit_levels=unit_levels, app_kinds=app_kinds)
    if not title.strip():
        items.append(Deficiency("title", _("title"), _("Give the campaign a title.")))
    if items:
        raise WorkflowError(
            _("The self-inspection cannot be launched; correct the marked fields."), items=items
        )
    apps = list(population(provinces=provinces, unit_levels=unit_levels, app_kinds=app_kinds))
    if not apps:
        message = _("No filed app matches the scope; widen the provinces, unit levels or app kinds.")
        raise WorkflowError(message, items=[Deficiency("provinces", _("provinces"), message)])
    today = _today()
    deadline = deadline_for(LIMIT, today)
    campaign = SelfInspectionCampaign.objects.create(
        title=title.strip(), provinces=provinces, unit_levels=sorted(set(unit_levels)), app_kinds=sorted(set(app_kinds)),
        created_by=actor, started_on=today, due=deadline.due, due_provisional=deadline.provisional,
    )  # fmt: skip
    # In bulk: one INSERT for the returns, one query for the filers, one INSERT for the notifications.
    returns = SelfInspectionReturn.objects.bulk_create(
        SelfInspectionReturn(campaign=campaign, app=app, province=app.unit.province) for app in apps
    )
    by_unit = batches.group_by(returns, lambda item: (campaign.pk, item.app.unit_id))
    filers = batches.filers_by_unit(unit for _campaign, unit in by_unit)
    notify_all(
        Message(
            recipients=filers.get(unit_id, []),
            subject=Text.of(gettext_noop("Self-inspection: %(title)s"), title=campaign.title),
            body=Text.of(gettext_noop("Answer the self-inspection questionnaire for %(apps)s by %(due)s (%(limit)s)."), apps="、".join(r.app.name for r in unit_returns), due=deadline.due.isoformat(), limit=deadline.text()),
            url=reverse("supervision:campaign_mine"), due=deadline.due,
        )
        for (_campaign, unit_id), unit_returns in by_unit.items()
    )  # fmt: skip
    _event(campaign=campaign, action=CampaignAction.LAUNCH, actor=actor,
           data={"apps": len(apps), "units": len(by_unit), "due": deadline.due.isoformat()})  # fmt: skip
    return campaign


# ---------------------------------------------------------------- answer and compare


def contradictions(
    app: App, answers: dict[str, dict[str, str]], monthly_active_users: int | None
) -> list[dict[str, Any]]:
    """Flags for reviewers: an answer the latest scan, an open rectification order or an open complaint
    contradicts, a breach the unit reports itself, a rarely used app."""
    scan = latest_scans([app.pk]).get(app.pk)
    scan_found: dict[str, list[str]] = {}
    if scan is not None:
        for finding in scan.report_data.get("findings") or []:
            if finding.get("status") == "violation":
                scan_found.setdefault(str(finding.get("category")), []).append(str(finding.get("rule", "")))
    complaints = open_complaint_cases(app.pk)
    ordered: dict[str, set[str]] = {}
    for order in RectificationOrder.objects.open().filter(app=app).only("pk", "issued_on", "findings"):
        for finding in order.findings:
            ordered.setdefault(str(finding.get("category")), set()).add(order.reference)
    flags: list[dict[str, Any]] = []
    for question in QUESTIONS:
        answer = answers.get(question.id, {}).get("answer")
        text = str(question.text)
        if answer == question.problem:
            flags.append({"question": question.id, "kind": "self_reported", "article": question.article,
                          "message": _("The unit reports a problem: “%(q)s” — %(a)s.")
                          % {"q": text, "a": _("yes") if answer == YES else _("no")}})  # fmt: skip
            continue
        rules = sorted({rule for category in question.scan for rule in scan_found.get(category, [])})
        if rules and scan is not None:
            flags.append({"question": question.id, "kind": "scan", "article": question.article, "scan": scan.pk,
                          "rules": rules,
                          "message": _("Answered “%(q)s” compliantly, but the technical test of %(date)s found it "
                                       "(%(rules)s).")
                          % {"q": text, "date": timezone.localtime(scan.finished_at).date().isoformat()
                             if scan.finished_at else "", "rules": ", ".join(rules)}})  # fmt: skip
        orders = sorted({r for category in question.scan for r in ordered.get(category, ())})
        if orders:
            flags.append({"question": question.id, "kind": "order", "article": question.article, "orders": orders,
                          "message": _("Answered “%(q)s” compliantly, but rectification order %(orders)s about it "
                                       "is still open.") % {"q": text, "orders": "、".join(orders)}})  # fmt: skip
        cases = sorted({r for category in question.complaint for r in complaints.get(category, [])})
        if cases:
            flags.append({"question": question.id, "kind": "complaint", "article": question.article,
                          "cases": cases,
                          "message": _("Answered “%(q)s” compliantly, but %(n)d open complaint(s) report it.")
                          % {"q": text, "n": len(cases)}})  # fmt: skip
    if monthly_active_users is not None and monthly_active_users < RARELY_USED_MAU and \
            answers.get("rarely_used", {}).get("answer") != YES:  # fmt: skip
        flags.append({"question": "rarely_used", "kind": "usage", "article": "12",
                      "message": _("%(n)d monthly active users: a rarely used app should be merged or shut down.")
                      % {"n": monthly_active_users}})  # fmt: skip
    return flags


def _read_attachment(uploaded: UploadedFile) -> tuple[bytes, str]:
    name = (uploaded.name or "document").rsplit("/", 1)[-1][:255]
    if uploaded.size is not None and uploaded.size > ATTACHMENT_MAX_BYTES:
        raise WorkflowError(_("%(name)s is larger than 10 MB; attach a smaller document.") % {"name": name},
                            items=[Deficiency("attachment", _("supporting document"), _("At most 10 MB."))])  # fmt: skip
    data = b"".join(uploaded.chunks())
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise WorkflowError(_("%(name)s is larger than 10 MB; attach a smaller document.") % {"name": name})
    if not any(data.startswith(magic) for magic in _ATTACHMENT_MAGIC):
        message = _("%(name)s is not a PDF, PNG or JPEG file.") % {"name": name}
        raise WorkflowError(message, items=[Deficiency("attachment", _("supporting document"), message)])
    return data, name


@transaction.atomic
def selfcheck_answer(
    *, item: SelfInspectionReturn, actor: Any, answers: dict[str, dict[str, str]], monthly_active_users: int,
    evidence: str, attachment: UploadedFile | None = None,
) -> SelfInspectionReturn:  # fmt: skip
    """The unit answers (or corrects its answers) while the campaign is open; contradictions are flagged."""
    item = (
        SelfInspectionReturn.objects.select_for_update(of=("self",))
        .select_related("campaign", "app__unit")
        .get(pk=item.pk)
    )
    if not actor.has_perm("registry.edit_filing", item.app):
        raise PermissionDenied(_("Only a filer of the sponsoring unit can answer its self-inspection."))
    if not item.campaign.is_open:
        raise WorkflowError(_("This self-inspection is closed; answers can no longer be changed."))
    problems: list[Deficiency] = []
    cleaned: dict[str, dict[str, str]] = {}
    for question in QUESTIONS:
        raw = answers.get(question.id) or {}
        answer = str(raw.get("answer", ""))
        note = str(raw.get("note", "")).strip()[:2000]
        if answer not in (YES, NO):
            problems.append(Deficiency(question.id, str(question.text), _("Answer yes or no.")))
        elif answer == question.problem and not note:
            problems.append(Deficiency(question.id, str(question.text),
                                       _("Explain the situation and what the unit will change.")))  # fmt: skip
        cleaned[question.id] = {"answer": answer, "note": note}
    if (
        isinstance(monthly_active_users, bool)
        or not isinstance(monthly_active_users, int)
        or monthly_active_users < 0
    ):
        problems.append(
            Deficiency(
                "monthly_active_users", _("monthly active users"), _("Enter a whole number, 0 or more.")
            )
        )
    if not evidence.strip():
        problems.append(Deficiency("evidence", _("evidence"),
                                   _("Describe how the answers were checked (who, when, which functions).")))  # fmt: skip
    if problems:
        raise WorkflowError(
            _("The self-inspection is incomplete; answer every marked question."), items=problems
        )
    if attachment is not None:
        data, name = _read_attachment(attachment)
        item.attachment_sha256 = hashlib.sha256(data).hexdigest()
        item.attachment_name = name
        item.attachment.save(name, ContentFile(data), save=False)
    first = not item.is_submitted
    item.answers = cleaned
    item.monthly_active_users = monthly_active_users
    item.evidence = evidence.strip()[:5000]
    item.flags = contradictions(item.app, cleaned, monthly_active_users)
    item.submitted_by = actor
    item.submitted_at = timezone.now()
    item.save()
    _event(campaign=item.campaign, action=CampaignAction.ANSWER, actor=actor, app=item.app,
           data={"first": first, "flags": [f["kind"] + ":" + f["question"] for f in item.flags],
                 "late": item.overdue})  # fmt: skip
    if item.contradiction_count:
        notify(
            recipients=[item.campaign.created_by],
            subject=Text.of(
                gettext_noop("Self-inspection contradicts the evidence: %(app)s"), app=item.app.name
            ),
            body=" ".join(f["message"] for f in item.flags if f["kind"] in ("scan", "complaint")),
            url=return_url(item),
        )
    return item


@transaction.atomic
def selfcheck_close(*, campaign: SelfInspectionCampaign, actor: Any) -> SelfInspectionCampaign:
    campaign = SelfInspectionCampaign.objects.select_for_update().get(pk=campaign.pk)
    if not (
        can_launch(actor) and (actor.role == Role.NATIONAL_REVIEWER or campaign.created_by_id == actor.pk)
    ):
        raise PermissionDenied(_("Only the office that launched the self-inspection can close it."))
    if not campaign.is_open:
        raise WorkflowError(_("This self-inspection is already closed."))
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    _event(campaign=campaign, action=CampaignAction.CLOSE, actor=actor)
    return campaign


# ---------------------------------------------------------------- roll-up


@dataclass
class UnitRow:
    unit: Any
    returns: list[SelfInspectionReturn] = field(default_factory=list)


@dataclass
class ProvinceRollup:
    province: str
    name: str
    total: int = 0
    answered: int = 0
    flagged: int = 0
    overdue: int = 0
    missing: list[UnitRow] = field(default_factory=list)

    @property
    def unanswered(self) -> int:
        return self.total - self.answered


def rollup(campaign: SelfInspectionCampaign, user: Any) -> list[ProvinceRollup]:
    """Per province (only the user's own for provincial offices): totals and the units that have not answered."""
    rows: dict[str, ProvinceRollup] = {}
    units: dict[tuple[str, int], UnitRow] = {}
    for item in (
        visible_returns(user).filter(campaign=campaign).order_by("province", "app__unit__name", "app__name")
    ):
        row = rows.setdefault(item.province, ProvinceRollup(
            item.province, BY_CODE[item.province].name if item.province in BY_CODE else str(_("Central"))))  # fmt: skip
        row.total += 1
        if item.is_submitted:
            row.answered += 1
            row.flagged += bool(item.contradiction_count)
            continue
        row.overdue += item.overdue
        key = (item.province, item.app.unit_id)
        if key not in units:
            units[key] = UnitRow(item.app.unit)
            row.missing.append(units[key])
        units[key].returns.append(item)
    return [rows[p] for p in sorted(rows)]


# ---------------------------------------------------------------- time rule


def selfcheck_deadlines(*, today: dt.date) -> int:
    """Unanswered returns past the due date are marked overdue once (unit and launching office told); one
    reminder when two working days are left. Idempotent.

    Set-based: the queries do not grow with the number of returns (docs/supervision.md, "The tick")."""
    return _mark_answers_overdue(today) + _remind_answers(today)


_TICK_FIELDS = ("pk", "campaign_id", "app_id", "campaign__title", "campaign__due", "campaign__created_by_id",
                "app__name", "app__unit_id", "app__unit__name")  # fmt: skip


def _unanswered(campaigns: QuerySet[SelfInspectionCampaign, Any]) -> QuerySet[SelfInspectionReturn]:
    """Returns of ``campaigns`` not answered and not yet marked overdue, locked."""
    return (
        SelfInspectionReturn.objects.filter(campaign__in=campaigns, submitted_at__isnull=True, overdue=False)
        .select_for_update(of=("self",))
        .select_related("campaign", "app__unit")
        .only(*_TICK_FIELDS)
        .order_by("campaign_id", "app__unit_id", "app__name", "pk")
    )


OVERDUE_WORDING = batches.Wording(
    gettext_noop("Self-inspection overdue: %(app)s"),
    gettext_noop("The self-inspection “%(title)s” of %(app)s (%(unit)s) was due on %(due)s and has not been answered."),
    gettext_noop("Self-inspection overdue: %(count)d apps of %(unit)s"),
    gettext_noop("The self-inspection “%(title)s” of %(count)d apps of %(unit)s was due on %(due)s and has "
                 "not been answered: %(apps)s."),
)  # fmt: skip
REMINDER_WORDING = batches.Wording(
    gettext_noop("Reminder: self-inspection of %(app)s due %(due)s"),
    gettext_noop("Answer the self-inspection “%(title)s”."),
    gettext_noop("Reminder: self-inspection of %(count)d apps due %(due)s"),
    gettext_noop("Answer the self-inspection “%(title)s” for each of these apps: %(apps)s."),
)


@transaction.atomic
def _mark_answers_overdue(today: dt.date) -> int:
    campaigns = SelfInspectionCampaign.objects.filter(status=CampaignStatus.OPEN, due__lt=today).values("pk")
    items = list(_unanswered(campaigns))
    if not items:
        return 0
    batches.update_by_pk(SelfInspectionReturn, [item.pk for item in items], overdue=True, overdue_on=today)
    CampaignEvent.objects.bulk_create(
        CampaignEvent(self_inspection_id=item.campaign_id, app_id=item.app_id, action=CampaignAction.ANSWER_OVERDUE,
                      data={"due": item.campaign.due.isoformat()})
        for item in items
    )  # fmt: skip
    batches.notify_units(
        items,
        wording=OVERDUE_WORDING,
        one_url=return_url,
        mine_url=reverse("supervision:campaign_mine"),
        creator_url=lambda campaign: reverse("supervision:selfcheck_detail", args=[campaign.pk]),
    )
    return len(items)


@transaction.atomic
def _remind_answers(today: dt.date) -> int:
    open_campaigns = SelfInspectionCampaign.objects.filter(status=CampaignStatus.OPEN, due__gte=today)
    due_now = batches.campaigns_to_remind(open_campaigns.values_list("pk", "due"), today, days_left=2)
    if not due_now:
        return 0
    items = list(
        _unanswered(SelfInspectionCampaign.objects.filter(pk__in=due_now)).filter(reminded_on__isnull=True)
    )
    if not items:
        return 0
    batches.update_by_pk(SelfInspectionReturn, [item.pk for item in items], reminded_on=today)
    CampaignEvent.objects.bulk_create(
        CampaignEvent(self_inspection_id=item.campaign_id, app_id=item.app_id, action=CampaignAction.REMIND)
        for item in items
    )
    batches.notify_units(
        items,
        wording=REMINDER_WORDING,
        one_url=return_url,
        mine_url=reverse("supervision:campaign_mine"),
        with_due=True,
    )
    return len(items)

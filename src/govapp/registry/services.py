"""Writes of the filing workflow: each one atomic, permission-checked, with an event and notifications.

Views and the API call these; nothing else changes a state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from govapp.accounts.divisions import province_abbr
from govapp.accounts.models import Role, Unit
from govapp.core.calendar import CalendarGap, Deadline, deadline_for, subtract_workdays
from govapp.core.notify import notify

from .choices import KIND_LETTER, PRE_FILING, EventAction, FilingState, ProcedureKind
from .materials import Deficiency, missing_materials
from .models import MATERIAL_FIELDS, App, Attachment, Filing, FilingEvent, FilingNumber, NumberSequence


class WorkflowError(Exception):
    """An action that the filing's state or the rules do not allow; the message says why and what to do."""

    def __init__(self, message: str, *, items: Sequence[Deficiency] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.items = list(items)


# Checks that must pass before national approval, registered by other apps (the technical test).
ApprovalCheck = Callable[[Filing], str | None]
APPROVAL_CHECKS: list[ApprovalCheck] = []
# Called after a supplement re-enters national review (the technical test re-runs).
SUPPLEMENT_HOOKS: list[Callable[[Filing], None]] = []


def _today() -> dt.date:
    return timezone.localdate()


def _require(user: Any, perm: str, obj: Any) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You are not allowed to do this for this app."))


def _transition(obj: Any, method: str, action_label: str) -> str:
    """Run a transition method; an illegal one becomes a readable WorkflowError."""
    before = obj.state
    try:
        getattr(obj, method)()
    except TransitionNotAllowed:
        raise WorkflowError(
            _("“%(action)s” is not possible while the status is “%(state)s”.")
            % {"action": action_label, "state": obj.get_state_display()}
        ) from None
    return before


def _record(
    *,
    app: App,
    filing: Filing | None,
    action: str,
    actor: Any,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    attachments: Iterable[Attachment] = (),
) -> FilingEvent:
    event = FilingEvent.objects.create(
        app=app,
        filing=filing,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )
    attachments = list(attachments)
    if attachments:
        event.attachments.add(*attachments)
    return event


def _start_clock(filing: Filing, limit: str, start: dt.date | None = None) -> Deadline:
    deadline = deadline_for(limit, start or _today())
    filing.clock_limit = limit
    filing.clock_start = deadline.start
    filing.clock_due = deadline.due
    filing.clock_provisional = deadline.provisional
    return deadline


def _stop_clock(filing: Filing) -> None:
    filing.clock_limit = ""
    filing.clock_start = None
    filing.clock_due = None
    filing.clock_provisional = False


def _clock_data(deadline: Deadline) -> dict[str, Any]:
    return {
        "limit": deadline.limit,
        "days": deadline.days,
        "start": deadline.start.isoformat(),
        "due": deadline.due.isoformat(),
        "provisional": deadline.provisional,
    }


def _filing_url(filing: Filing) -> str:
    return reverse("registry:filing_detail", args=[filing.pk])


User = get_user_model()


def unit_filers(unit: Unit) -> Any:
    return User.objects.filter(unit=unit, role=Role.FILER, is_active=True)


def provincial_reviewers(province: str) -> Any:
    return User.objects.filter(
        unit__province=province,
        role__in=[Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER],
        is_active=True,
    )


def national_reviewers() -> Any:
    return User.objects.filter(role=Role.NATIONAL_REVIEWER, is_active=True)


# ---------------------------------------------------------------- drafts


@transaction.atomic
def filing_create(*, actor: Any, app_name: str, app_kind: str) -> Filing:
    """Start a new app's first filing as a draft of the actor's unit."""
    if not actor.has_perm("registry.file_app"):
        raise PermissionDenied(_("Only a unit filer can start a filing."))
    app = App.objects.create(unit=actor.unit, name=app_name, kind=app_kind)
    filing = Filing.objects.create(
        app=app, procedure=ProcedureKind.NEW, created_by=actor, app_name=app_name, app_kind=app_kind
    )
    _record(app=app, filing=filing, action=EventAction.CREATE, actor=actor, to_state=filing.state)
    return filing


def _copy_materials(source: Filing, target: Filing) -> None:
    for name in MATERIAL_FIELDS:
        setattr(target, name, getattr(source, name))


@transaction.atomic
def change_start(*, app: App, actor: Any) -> Filing:
    """Open a change filing (Art. 9): a draft pre-filled with the approved materials."""
    app = App.objects.select_for_update().get(pk=app.pk)
    _require(actor, "registry.edit_filing", app)
    if app.state != App.State.FILED:
        raise WorkflowError(
            _("A change can be filed only for a filed app; this app is “%(state)s”.")
            % {"state": app.get_state_display()}
        )
    if app.filings.filter(state__in=[FilingState.DRAFT, FilingState.RETURNED]).exists():
        raise WorkflowError(_("A change filing for this app is already being prepared; continue that draft."))
    assert app.approved_filing is not None
    filing = Filing(app=app, procedure=ProcedureKind.CHANGE, created_by=actor)
    _copy_materials(app.approved_filing, filing)
    filing.save()
    _record(app=app, filing=filing, action=EventAction.START_CHANGE, actor=actor, to_state=filing.state)
    return filing


@transaction.atomic
def refiling_start(*, app: App, actor: Any) -> Filing:
    """After revocation the unit may file again; the last approved materials are the starting point."""
    app = App.objects.select_for_update().get(pk=app.pk)
    _require(actor, "registry.edit_filing", app)
    if app.state != App.State.REVOKED:
        raise WorkflowError(_("Re-filing is only for apps whose filing was revoked."))
    if app.filings.filter(state__in=PRE_FILING).exists():
        raise WorkflowError(_("A re-filing for this app is already in progress."))
    filing = Filing(app=app, procedure=ProcedureKind.REFILING, created_by=actor)
    if app.approved_filing is not None:
        _copy_materials(app.approved_filing, filing)
    filing.save()
    _record(app=app, filing=filing, action=EventAction.START_REFILING, actor=actor, to_state=filing.state)
    return filing


# ---------------------------------------------------------------- submission


def change_filing_due_date(effective_date: dt.date) -> tuple[dt.date, bool]:
    """The last day a change taking effect on ``effective_date`` may be filed (N4 working days before)."""
    days = settings.GOVAPP_LIMITS["N4"]
    try:
        return subtract_workdays(effective_date, days), False
    except CalendarGap:
        # Without the official calendar, count Monday to Friday and say so (same definition as
        # subtract_workdays: the latest working day whose N4-th working day is not after the date).
        day, left = effective_date, days
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        while left:
            day -= dt.timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return day, True


@transaction.atomic
def filing_submit(*, filing: Filing, actor: Any) -> Filing:
    """Submit a draft (or resubmit a returned filing): to the province, or to the national office for
    central units. Refused, with every missing item listed, while materials are incomplete."""
    filing = Filing.objects.select_for_update().select_related("app__unit").get(pk=filing.pk)
    _require(actor, "registry.edit_filing", filing)
    if filing.state not in (FilingState.DRAFT, FilingState.RETURNED):
        raise WorkflowError(
            _("Only a draft or a returned filing can be submitted; this one is “%(state)s”.")
            % {"state": filing.get_state_display()}
        )
    items = missing_materials(filing)
    if items:
        raise WorkflowError(_("The filing is not complete. Complete the items below and submit again."), items=items)
    app = filing.app
    today = _today()
    if filing.procedure == ProcedureKind.CHANGE:
        assert filing.change_effective_date is not None
        # "At least N4 working days before the change": the N4-th working day after today must not be
        # later than the day the change takes effect.
        earliest = deadline_for("N4", today)
        if filing.change_effective_date < earliest.due:
            raise WorkflowError(
                _(
                    "A change must be filed at least %(days)d working days before it takes effect (limit N4). "
                    "Filed today, the change can take effect on %(earliest)s at the earliest%(prov)s; "
                    "%(date)s is too soon. Choose a later effective date."
                )
                % {
                    "days": earliest.days,
                    "earliest": earliest.due.isoformat(),
                    "date": filing.change_effective_date.isoformat(),
                    "prov": _(" (provisional: the official calendar is not loaded)") if earliest.provisional else "",
                },
                items=[Deficiency("change_effective_date", _("date the change takes effect"),
                                  _("Choose %(date)s or later.") % {"date": earliest.due.isoformat()})],
            )
    before = filing.state
    if app.unit.is_central:
        _transition(filing, "submit_to_national", _("Submit"))
        deadline = _start_clock(filing, "N2", today)
        recipients = national_reviewers()
    else:
        _transition(filing, "submit_to_province", _("Submit"))
        deadline = _start_clock(filing, "N1", today)
        recipients = provincial_reviewers(app.unit.province)
    filing.submitted_at = timezone.now()
    filing.save()
    if filing.procedure == ProcedureKind.CHANGE and app.state == App.State.FILED:
        app.start_change_review()
        app.save()
    _record(
        app=app,
        filing=filing,
        action=EventAction.SUBMIT,
        actor=actor,
        from_state=before,
        to_state=filing.state,
        data={"clock": _clock_data(deadline)},
    )
    notify(
        recipients=recipients,
        subject=_("New filing to review: %(app)s") % {"app": filing.app_name},
        body=_("%(unit)s submitted “%(app)s”. %(deadline)s")
        % {"unit": app.unit.name, "app": filing.app_name, "deadline": deadline.describe()},
        url=_filing_url(filing),
        due=deadline.due,
    )
    return filing


# ---------------------------------------------------------------- provincial review


def _validated_items(items: Sequence[Deficiency]) -> list[dict[str, str]]:
    cleaned = [i for i in items if i.message.strip()]
    if not cleaned:
        raise WorkflowError(
            _("List at least one missing or deficient item, with what the unit must provide, in one go.")
        )
    return [{"field": i.field, "label": str(i.label), "message": i.message.strip()} for i in cleaned]


@transaction.atomic
def filing_return_incomplete(*, filing: Filing, actor: Any, items: Sequence[Deficiency], note: str = "") -> Filing:
    """Completeness review found gaps: return with ONE consolidated list (一次性告知)."""
    filing = Filing.objects.select_for_update().select_related("app__unit").get(pk=filing.pk)
    _require(actor, "registry.review_provincial", filing)
    data_items = _validated_items(items)
    before = _transition(filing, "return_incomplete", _("Return as incomplete"))
    _stop_clock(filing)
    filing.save()
    _record(
        app=filing.app,
        filing=filing,
        action=EventAction.RETURN_INCOMPLETE,
        actor=actor,
        from_state=before,
        to_state=filing.state,
        reason=note,
        data={"items": data_items},
    )
    notify(
        recipients=unit_filers(filing.app.unit),
        subject=_("Filing returned as incomplete: %(app)s") % {"app": filing.app_name},
        body=_("The provincial office listed %(n)d item(s) to complete. Complete them all and submit again.")
        % {"n": len(data_items)},
        url=_filing_url(filing),
    )
    return filing


@transaction.atomic
def filing_forward(*, filing: Filing, actor: Any, note: str = "") -> Filing:
    """Materials complete: forward to the national office; its N2 clock starts."""
    filing = Filing.objects.select_for_update().select_related("app__unit").get(pk=filing.pk)
    _require(actor, "registry.review_provincial", filing)
    before = _transition(filing, "forward_to_national", _("Forward to the national office"))
    deadline = _start_clock(filing, "N2")
    filing.save()
    _record(
        app=filing.app,
        filing=filing,
        action=EventAction.FORWARD,
        actor=actor,
        from_state=before,
        to_state=filing.state,
        reason=note,
        data={"clock": _clock_data(deadline)},
    )
    notify(
        recipients=national_reviewers(),
        subject=_("Filing forwarded for national review: %(app)s") % {"app": filing.app_name},
        body=deadline.describe(),
        url=_filing_url(filing),
        due=deadline.due,
    )
    return filing


# ---------------------------------------------------------------- national review


@transaction.atomic
def filing_request_supplement(
    *, filing: Filing, actor: Any, items: Sequence[Deficiency], note: str = "", test_failed: bool = False
) -> Filing:
    """Material review or technical test needs more: the unit has N3 working days to answer."""
    filing = Filing.objects.select_for_update().select_related("app__unit").get(pk=filing.pk)
    _require(actor, "registry.review_national", filing)
    data_items = _validated_items(items)
    before = _transition(filing, "request_supplement", _("Request supplement"))
    deadline = _start_clock(filing, "N3")
    filing.save()
    _record(
        app=filing.app,
        filing=filing,
        action=EventAction.REQUEST_SUPPLEMENT,
        actor=actor,
        from_state=before,
        to_state=filing.state,
        reason=note,
        data={"items": data_items, "clock": _clock_data(deadline), "test_failed": test_failed},
    )
    notify(
        recipients=unit_filers(filing.app.unit),
        subject=_("Supplement requested: %(app)s") % {"app": filing.app_name},
        body=_(
            "The national office asks for %(n)d item(s). Answer by %(due)s (%(deadline)s); "
            "without an answer the filing is deemed abandoned."
        )
        % {"n": len(data_items), "due": deadline.due.isoformat(), "deadline": deadline.describe()},
        url=_filing_url(filing),
        due=deadline.due,
    )
    return filing


@transaction.atomic
def filing_supplement(
    *, filing: Filing, actor: Any, statement: str, attachments: Sequence[Attachment] = ()
) -> Filing:
    """The unit's supplement or rectification statement: review and technical test run again."""
    filing = Filing.objects.select_for_update().select_related("app__unit").get(pk=filing.pk)
    _require(actor, "registry.edit_filing", filing)
    if not statement.strip():
        raise WorkflowError(
            _("Write the supplement or rectification statement: what was added or changed for each item."),
            items=[Deficiency("statement", _("statement"), _("This field is required."))],
        )
    if filing.state == FilingState.AWAITING_SUPPLEMENT and filing.clock_due and _today() > filing.clock_due:
        raise WorkflowError(
            _("The supplement period ended on %(due)s; the filing is deemed abandoned. Start a new filing.")
            % {"due": filing.clock_due.isoformat()}
        )
    items = missing_materials(filing)
    if items:
        raise WorkflowError(_("The filing is not complete. Complete the items below and submit again."), items=items)
    before = _transition(filing, "supplement", _("Submit supplement"))
    deadline = _start_clock(filing, "N2")
    filing.save()
    _record(
        app=filing.app,
        filing=filing,
        action=EventAction.SUPPLEMENT,
        actor=actor,
        from_state=before,
        to_state=filing.state,
        reason=statement.strip(),
        data={"clock": _clock_data(deadline)},
        attachments=attachments,
    )
    notify(
        recipients=national_reviewers(),
        subject=_("Supplement received: %(app)s") % {"app": filing.app_name},
        body=_("Review and technical test run again. %(deadline)s") % {"deadline": deadline.describe()},
        url=_filing_url(filing),
        due=deadline.due,
    )
    for hook in SUPPLEMENT_HOOKS:
        transaction.on_commit(lambda hook=hook: hook(filing))
    return filing


@transaction.atomic
def filing_extend(*, filing: Filing, actor: Any, reason: str, expected_date: dt.date) -> Filing:
    """Complex case: extend the national review; the unit is told the reason and the expected date."""
    filing = Filing.objects.select_for_update().select_related("app__unit").get(pk=filing.pk)
    _require(actor, "registry.review_national", filing)
    if not reason.strip():
        raise WorkflowError(
            _("Give the reason for the extension; the unit is told it."),
            items=[Deficiency("reason", _("reason"), _("This field is required."))],
        )
    if filing.clock_due and expected_date <= filing.clock_due:
        raise WorkflowError(
            _("The expected date must be after the current due date %(due)s.") % {"due": filing.clock_due.isoformat()},
            items=[Deficiency("expected_date", _("expected date"), _("Choose a later date."))],
        )
    if expected_date <= _today():
        raise WorkflowError(
            _("The expected date must be in the future."),
            items=[Deficiency("expected_date", _("expected date"), _("Choose a later date."))],
        )
    previous_due = filing.clock_due
    before = _transition(filing, "extend", _("Extend the review period"))
    filing.extension_reason = reason.strip()
    filing.clock_due = expected_date
    filing.save()
    _record(
        app=filing.app,
        filing=filing,
        action=EventAction.EXTEND,
        actor=actor,
        from_state=before,
        to_state=filing.state,
        reason=reason.strip(),
        data={"previous_due": previous_due.isoformat() if previous_due else None, "expected": expected_date.isoformat()},
    )
    notify(
        recipients=unit_filers(filing.app.unit),
        subject=_("Review period extended: %(app)s") % {"app": filing.app_name},
        body=_("Reason: %(reason)s. Expected decision by %(date)s.")
        % {"reason": reason.strip(), "date": expected_date.isoformat()},
        url=_filing_url(filing),
        due=expected_date,
    )
    return filing


def approval_blockers(filing: Filing) -> list[str]:
    """Reasons national approval is not possible yet (e.g. no completed technical test)."""
    return [message for check in APPROVAL_CHECKS if (message := check(filing))]


def issue_filing_number(*, filing: Filing) -> FilingNumber:
    """Next number of (region, year): unique, never reused, no gaps, even under concurrent approvals.

    Must run inside the approving transaction: the sequence row stays locked until commit, so a
    rolled-back approval gives its number back and concurrent approvals queue on the lock.
    """
    region = province_abbr(filing.app.unit.province or None)
    year = timezone.localdate().year
    for _attempt in range(3):
        try:
            with transaction.atomic():
                sequence, _created = NumberSequence.objects.select_for_update().get_or_create(region=region, year=year)
            break
        except IntegrityError:
            continue  # another approval created the row first; lock it on the next try
    else:
        sequence = NumberSequence.objects.select_for_update().get(region=region, year=year)
    sequence = NumberSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    number = settings.GOVAPP_FILING_NUMBER_FORMAT.format(
        region=region, year=year, seq=sequence.last, kind=KIND_LETTER[filing.app_kind]
    )
    return FilingNumber.objects.create(
        number=number, app=filing.app, filing=filing, region=region, year=year, sequence=sequence.last
    )


_IDENTIFIERS = (
    "android_package",
    "android_cert_sha256",
    "harmony_bundle",
    "ios_bundle",
    "miniprogram_appid",
    "quickapp_package",
)


@transaction.atomic
def filing_approve(*, filing: Filing, actor: Any, note: str = "") -> Filing:
    """Filed: a number for new filings and re-filings; a change keeps the app's number."""
    filing = Filing.objects.select_for_update().select_related("app__unit").get(pk=filing.pk)
    _require(actor, "registry.review_national", filing)
    if filing.state != FilingState.NATIONAL_REVIEW:
        raise WorkflowError(
            _("Only a filing under national review can be approved; this one is “%(state)s”.")
            % {"state": filing.get_state_display()}
        )
    blockers = approval_blockers(filing)
    if blockers:
        raise WorkflowError(" ".join(blockers))
    app = App.objects.select_for_update().get(pk=filing.app_id)
    before = _transition(filing, "approve", _("Approve"))
    _stop_clock(filing)
    filing.decided_at = timezone.now()
    filing.save()
    data: dict[str, Any] = {}
    if filing.procedure == ProcedureKind.CHANGE:
        previous = app.approved_filing
        data["diff"] = material_diff(previous, filing) if previous else []
        app.changed_at = filing.decided_at
    else:
        if app.current_number_id:
            old = app.current_number
            assert old is not None
            if old.status == FilingNumber.Status.ACTIVE:
                old.status = FilingNumber.Status.SUPERSEDED
                old.status_changed_at = filing.decided_at
                old.save(update_fields=["status", "status_changed_at"])
        number = issue_filing_number(filing=filing)
        app.current_number = number
        app.filed_at = filing.decided_at
        data["number"] = number.number
    app.mark_filed()
    app.approved_filing = filing
    app.name = filing.app_name
    app.kind = filing.app_kind
    for name in _IDENTIFIERS:
        setattr(app, name, getattr(filing, name))
    app.save()
    _record(
        app=app, filing=filing, action=EventAction.APPROVE, actor=actor, from_state=before, to_state=filing.state,
        reason=note, data=data,
    )  # fmt: skip
    notify(
        recipients=unit_filers(app.unit),
        subject=_("Filed: %(app)s") % {"app": filing.app_name},
        body=_("Filing number %(number)s. Display the unit name and the filing number prominently in the app.")
        % {"number": app.current_number.number if app.current_number else ""},
        url=_filing_url(filing),
    )
    return filing


@transaction.atomic
def filing_withdraw(*, filing: Filing, actor: Any, reason: str = "") -> Filing:
    filing = Filing.objects.select_for_update().select_related("app__unit").get(pk=filing.pk)
    _require(actor, "registry.edit_filing", filing)
    before = _transition(filing, "withdraw", _("Withdraw"))
    _stop_clock(filing)
    filing.save()
    _end_change_if_needed(filing)
    _record(
        app=filing.app, filing=filing, action=EventAction.WITHDRAW, actor=actor, from_state=before,
        to_state=filing.state, reason=reason,
    )  # fmt: skip
    return filing


def _end_change_if_needed(filing: Filing) -> None:
    app = filing.app
    if filing.procedure == ProcedureKind.CHANGE and app.state == App.State.CHANGE_REVIEW:
        app.end_change_review()
        app.save()


def filings_abandon_overdue(*, today: dt.date | None = None) -> int:
    """Scheduled job: supplements not received within N3 are deemed abandoned (视为放弃). Idempotent."""
    today = today or _today()
    count = 0
    overdue = Filing.objects.filter(state=FilingState.AWAITING_SUPPLEMENT, clock_due__lt=today).values_list(
        "pk", flat=True
    )
    for pk in list(overdue):
        with transaction.atomic():
            filing = Filing.objects.select_for_update().select_related("app__unit").get(pk=pk)
            if filing.state != FilingState.AWAITING_SUPPLEMENT or not filing.clock_due or filing.clock_due >= today:
                continue
            due = filing.clock_due
            before = _transition(filing, "abandon", _("Deem abandoned"))
            _stop_clock(filing)
            filing.decided_at = timezone.now()
            filing.save()
            _end_change_if_needed(filing)
            _record(
                app=filing.app,
                filing=filing,
                action=EventAction.ABANDON,
                actor=None,
                from_state=before,
                to_state=filing.state,
                reason=_("No supplement within N3 = %(days)d working days (due %(due)s).")
                % {"days": settings.GOVAPP_LIMITS["N3"], "due": due.isoformat()},
            )
            notify(
                recipients=list(unit_filers(filing.app.unit)) + list(national_reviewers()),
                subject=_("Filing deemed abandoned: %(app)s") % {"app": filing.app_name},
                body=_("No supplement was received by %(due)s.") % {"due": due.isoformat()},
                url=_filing_url(filing),
            )
            count += 1
    return count


# ---------------------------------------------------------------- after filing


def material_diff(old: Filing, new: Filing) -> list[dict[str, Any]]:
    """Field-level differences between the approved materials and a change filing."""
    diff = []
    for name in MATERIAL_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            field = Filing._meta.get_field(name)
            diff.append(
                {
                    "field": name,
                    "label": str(field.verbose_name),
                    "old": a.isoformat() if isinstance(a, dt.date) else a,
                    "new": b.isoformat() if isinstance(b, dt.date) else b,
                }
            )
    return diff


@transaction.atomic
def shutdown_announce(
    *, app: App, actor: Any, notice: str, offline_date: dt.date, attachments: Sequence[Attachment] = ()
) -> App:
    """The unit published a shutdown notice; the deregistration report is due N5 working days after offline."""
    app = App.objects.select_for_update().get(pk=app.pk)
    _require(actor, "registry.edit_filing", app)
    if not notice.strip():
        raise WorkflowError(
            _("Give the text or the address of the public shutdown notice."),
            items=[Deficiency("notice", _("shutdown notice"), _("This field is required."))],
        )
    if app.filings.filter(state__in=[FilingState.PROVINCIAL_REVIEW, FilingState.NATIONAL_REVIEW]).exists():
        raise WorkflowError(_("Withdraw the change filing under review before announcing a shutdown."))
    before = _transition(app, "announce_shutdown", _("Announce shutdown"))
    deadline = deadline_for("N5", offline_date)
    app.offline_date = offline_date
    app.deregistration_due = deadline.due
    app.deregistration_due_provisional = deadline.provisional
    app.save()
    _record(
        app=app, filing=None, action=EventAction.ANNOUNCE_SHUTDOWN, actor=actor, from_state=before,
        to_state=app.state, reason=notice.strip(), data={"clock": _clock_data(deadline)}, attachments=attachments,
    )  # fmt: skip
    return app


@transaction.atomic
def app_deregister(*, app: App, actor: Any, report: str) -> App:
    """The offline report: the filing is deregistered (注销); its number keeps resolving as such."""
    app = App.objects.select_for_update().get(pk=app.pk)
    _require(actor, "registry.edit_filing", app)
    if not report.strip():
        raise WorkflowError(
            _("Write the offline report: when the app went offline and how users were informed."),
            items=[Deficiency("report", _("offline report"), _("This field is required."))],
        )
    if app.offline_date and _today() < app.offline_date:
        raise WorkflowError(
            _("The app goes offline on %(date)s; report after that day.") % {"date": app.offline_date.isoformat()}
        )
    before = _transition(app, "deregister", _("Deregister"))
    app.save()
    _set_number_status(app, FilingNumber.Status.DEREGISTERED)
    _record(
        app=app, filing=None, action=EventAction.DEREGISTER, actor=actor, from_state=before, to_state=app.state,
        reason=report.strip(),
    )  # fmt: skip
    return app


def _set_number_status(app: App, status: str) -> None:
    number = app.current_number
    if number is not None:
        number.status = status
        number.status_changed_at = timezone.now()
        number.save(update_fields=["status", "status_changed_at"])


@transaction.atomic
def app_order_rectification(*, app: App, actor: Any, reason: str, data: dict[str, Any] | None = None) -> App:
    """A violation was found on a filed app: the unit must rectify."""
    app = App.objects.select_for_update().get(pk=app.pk)
    if not (actor.has_perm("registry.review_national", app) or actor.has_perm("registry.review_provincial", app)):
        raise PermissionDenied(_("Only a reviewer can order rectification."))
    if not reason.strip():
        raise WorkflowError(_("Say which violation was found and what must be rectified."))
    before = _transition(app, "order_rectification", _("Order rectification"))
    app.save()
    _record(
        app=app, filing=None, action=EventAction.ORDER_RECTIFICATION, actor=actor, from_state=before,
        to_state=app.state, reason=reason.strip(), data=data or {},
    )  # fmt: skip
    notify(
        recipients=unit_filers(app.unit),
        subject=_("Rectification ordered: %(app)s") % {"app": app.name},
        body=reason.strip(),
        url=reverse("registry:app_detail", args=[app.pk]),
    )
    return app


@transaction.atomic
def app_accept_rectification(*, app: App, actor: Any, note: str = "") -> App:
    app = App.objects.select_for_update().get(pk=app.pk)
    if not (actor.has_perm("registry.review_national", app) or actor.has_perm("registry.review_provincial", app)):
        raise PermissionDenied(_("Only a reviewer can accept a rectification."))
    before = _transition(app, "accept_rectification", _("Accept rectification"))
    app.save()
    _record(
        app=app, filing=None, action=EventAction.RECTIFIED, actor=actor, from_state=before, to_state=app.state,
        reason=note,
    )  # fmt: skip
    return app


@transaction.atomic
def app_revoke(*, app: App, actor: Any, reason: str) -> App:
    """The national office revokes the filing (撤销备案); the number resolves as revoked."""
    app = App.objects.select_for_update().get(pk=app.pk)
    _require(actor, "registry.review_national", app)
    if not reason.strip():
        raise WorkflowError(
            _("Give the reason for revocation; it is recorded and shown to the unit."),
            items=[Deficiency("reason", _("reason"), _("This field is required."))],
        )
    before = _transition(app, "revoke", _("Revoke the filing"))
    app.save()
    # A procedure still open (a change under review) cannot outlive the filing it would change.
    for filing in app.filings.filter(state__in=PRE_FILING):
        filing_before = _transition(filing, "withdraw", _("Withdraw"))
        _stop_clock(filing)
        filing.save()
        _record(
            app=app, filing=filing, action=EventAction.WITHDRAW, actor=actor, from_state=filing_before,
            to_state=filing.state, reason=_("Closed by the revocation of the filing."),
        )  # fmt: skip
    _set_number_status(app, FilingNumber.Status.REVOKED)
    _record(
        app=app, filing=None, action=EventAction.REVOKE, actor=actor, from_state=before, to_state=app.state,
        reason=reason.strip(),
    )  # fmt: skip
    notify(
        recipients=unit_filers(app.unit),
        subject=_("Filing revoked: %(app)s") % {"app": app.name},
        body=reason.strip(),
        url=reverse("registry:app_detail", args=[app.pk]),
    )
    return app


def visible_apps(user: Any) -> Any:
    """The apps a user may see (deny by default)."""
    if not user.is_authenticated:
        return App.objects.none()
    if user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR):
        return App.objects.all()
    if user.role in (Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER) and user.unit_id and user.unit.province:
        return App.objects.filter(unit__province=user.unit.province)
    if user.role == Role.FILER and user.unit_id:
        return App.objects.filter(unit_id=user.unit_id)
    return App.objects.none()


def visible_filings(user: Any) -> Any:
    return Filing.objects.filter(app__in=visible_apps(user)).select_related("app__unit")


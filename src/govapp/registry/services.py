"""Writes of the filing procedure: each one atomic, permission-checked, with an event and notifications.

Views and the API call these; nothing else changes a state. What happens to a filed app (shutdown,
rectification, revocation) is in ``registry.standing``; both are re-exported here as the registry's
one write API.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govapp.accounts.divisions import province_abbr
from govapp.core.calendar import deadline_for, latest_day_before
from govapp.core.notify import notify
from govapp.core.translatable import Text

from . import changes, joint_review, marks, workflow
from .answers import material_snapshot
from .choices import KIND_LETTER, EventAction, FilingState, ProcedureKind
from .drafts import can_start_again, change_start, filing_create, filing_start_again, refiling_start
from .materials import Deficiency, filing_field_label, missing_materials
from .models import App, Attachment, Filing, FilingNumber, NumberSequence
from .queries import visible_apps, visible_filings
from .standing import (
    app_accept_rectification,
    app_deregister,
    app_order_rectification,
    app_revoke,
    shutdown_announce,
)
from .steps import MATERIAL_FIELDS
from .workflow import (
    WorkflowError,
    clock_data,
    filing_url,
    forwarding_reviewers,
    national_reviewers,
    provincial_reviewers,
    record,
    require,
    start_clock,
    stop_clock,
    transition,
    unit_filers,
)

__all__ = [
    "APPROVAL_CHECKS",
    "APPROVAL_HOOKS",
    "SUPPLEMENT_HOOKS",
    "WorkflowError",
    "app_accept_rectification",
    "app_deregister",
    "app_order_rectification",
    "app_revoke",
    "approval_blockers",
    "change_filing_due_date",
    "change_start",
    "filing_approve",
    "filing_create",
    "can_start_again",
    "filing_extend",
    "filing_start_again",
    "filing_forward",
    "filing_request_supplement",
    "filing_return_incomplete",
    "filing_submit",
    "filing_supplement",
    "filing_withdraw",
    "filings_abandon_overdue",
    "issue_filing_number",
    "material_diff",
    "national_reviewers",
    "provincial_reviewers",
    "refiling_start",
    "shutdown_announce",
    "unit_filers",
    "visible_apps",
    "visible_filings",
]

ApprovalCheck = Callable[[Filing], str | None]
APPROVAL_CHECKS: list[ApprovalCheck] = []
# Called inside the approving transaction with the filed filing and the approver (the certificate).
APPROVAL_HOOKS: list[Callable[[Filing, Any], None]] = []
# Called after a supplement re-enters national review (the technical test re-runs).
SUPPLEMENT_HOOKS: list[Callable[[Filing], None]] = []


# ---------------------------------------------------------------- submission


def change_filing_due_date(effective_date: dt.date) -> tuple[dt.date, bool]:
    """The last day a change taking effect on ``effective_date`` may be filed (N4 working days before),
    and whether that day is provisional (a year of the official calendar is not loaded)."""
    latest = latest_day_before(effective_date, settings.GOVAPP_LIMITS["N4"])
    return latest.date, latest.provisional


def change_too_soon(filing: Filing, *, today: dt.date) -> WorkflowError | None:
    """The N4 refusal for a change filed today that takes effect too soon, or None (not a change, or in time).

    "At least N4 working days before the change": the N4-th working day after today must not be later than
    the day the change takes effect. The review step and submission both ask here.
    """
    if filing.procedure != ProcedureKind.CHANGE or filing.change_effective_date is None:
        return None
    earliest = deadline_for("N4", today)
    if filing.change_effective_date >= earliest.due:
        return None
    return WorkflowError(
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
        items=[
            Deficiency(
                "change_effective_date",
                _("date the change takes effect"),
                _("Choose %(date)s or later.") % {"date": earliest.due.isoformat()},
            )
        ],
    )


def submission_problems(filing: Filing, *, today: dt.date) -> list[Deficiency]:
    """Everything that would make ``filing_submit`` refuse: missing materials, then the N4 rule."""
    too_soon = change_too_soon(filing, today=today)
    return missing_materials(filing) + (list(too_soon.items) if too_soon else [])


@transaction.atomic
def filing_submit(*, filing: Filing, actor: Any) -> Filing:
    """Submit a draft (or resubmit a returned filing): to the province, or to the national office for
    central units. Refused, with every missing item listed, while materials are incomplete."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    require(actor, "registry.edit_filing", filing)
    if filing.state not in (FilingState.DRAFT, FilingState.RETURNED):
        raise WorkflowError(
            _("Only a draft or a returned filing can be submitted; this one is “%(state)s”.")
            % {"state": filing.get_state_display()}
        )
    items = missing_materials(filing)
    if items:
        raise WorkflowError(
            _("The filing is not complete. Complete the items below and submit again."), items=items
        )
    app = filing.app
    today = workflow.today()
    too_soon = change_too_soon(filing, today=today)
    if too_soon is not None:
        raise too_soon
    before = filing.state
    if app.unit.is_central:
        transition(filing, "submit_to_national", _("Submit"))
        deadline = start_clock(filing, "N2", today)
        recipients = national_reviewers()
    else:
        transition(filing, "submit_to_province", _("Submit"))
        deadline = start_clock(filing, "N1", today)
        recipients = provincial_reviewers(app.unit.province)
    filing.submitted_at = timezone.now()
    filing.save()
    if filing.procedure == ProcedureKind.CHANGE and app.state == App.State.FILED:
        app.start_change_review()
        app.save()
    record(
        app=app,
        filing=filing,
        action=EventAction.SUBMIT,
        actor=actor,
        from_state=before,
        to_state=filing.state,
        data={"clock": clock_data(deadline)},
    )
    notify(
        recipients=recipients,
        subject=Text.of(gettext_noop("New filing to review: %(app)s"), app=filing.app_name),
        body=Text.of(
            gettext_noop("%(unit)s submitted “%(app)s”. %(deadline)s"),
            unit=app.unit.name,
            app=filing.app_name,
            deadline=deadline.text(),
        ),
        url=filing_url(filing),
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
def filing_return_incomplete(
    *,
    filing: Filing,
    actor: Any,
    items: Sequence[Deficiency],
    note: str = "",
    marks_seen: Collection[marks.MarkVersion] = (),
) -> Filing:
    """Completeness review found gaps: return with ONE consolidated list (一次性告知).

    ``marks_seen``: the marks the list was built from; refused (``marks.MarksChanged``) while the stage
    has a mark not among them, which the return would otherwise delete unsent."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    require(actor, "registry.review_provincial", filing)
    data_items = _validated_items(items)
    marks.require_marks_seen(filing, marks_seen)
    joint_review.decide_jointly(filing=filing, actor=actor, verdict="incomplete", text=note)
    before = transition(filing, "return_incomplete", _("Return as incomplete"))
    stop_clock(filing)
    filing.save()
    record(
        app=filing.app,
        filing=filing,
        action=EventAction.RETURN_INCOMPLETE,
        actor=actor,
        from_state=before,
        to_state=filing.state,
        reason=note,
        # The snapshot makes the diff of the resubmission exact (registry/answers.py).
        data={"items": data_items, "snapshot": material_snapshot(filing)},
    )
    notify(
        recipients=unit_filers(filing.app.unit),
        subject=Text.of(gettext_noop("Filing returned as incomplete: %(app)s"), app=filing.app_name),
        body=Text.of(
            gettext_noop(
                "The provincial office listed %(n)d item(s) to complete. Complete them all and submit again."
            ),
            n=len(data_items),
        ),
        url=filing_url(filing),
    )
    return filing


@transaction.atomic
def filing_forward(*, filing: Filing, actor: Any, note: str = "") -> Filing:
    """Materials complete: forward to the national office; its N2 clock starts. Refused, with every
    missing item listed (the app packages too), while the materials are incomplete."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    require(actor, "registry.review_provincial", filing)
    items = missing_materials(filing)
    if items and filing.state == FilingState.PROVINCIAL_REVIEW:
        raise WorkflowError(
            _(
                "The materials are not complete, so the filing cannot be forwarded. Return it as incomplete "
                "with the items below."
            ),
            items=items,
        )
    joint_review.decide_jointly(filing=filing, actor=actor, verdict="complete", text=note)
    before = transition(filing, "forward_to_national", _("Forward to the national office"))
    deadline = start_clock(filing, "N2")
    filing.save()
    record(
        app=filing.app,
        filing=filing,
        action=EventAction.FORWARD,
        actor=actor,
        from_state=before,
        to_state=filing.state,
        reason=note,
        data={"clock": clock_data(deadline)},
    )
    notify(
        recipients=national_reviewers(),
        subject=Text.of(gettext_noop("Filing forwarded for national review: %(app)s"), app=filing.app_name),
        body=deadline.text(),
        url=filing_url(filing),
        due=deadline.due,
    )
    notify(
        recipients=unit_filers(filing.app.unit),
        subject=Text.of(
            gettext_noop("Your filing was forwarded to the national office: %(app)s"), app=filing.app_name
        ),
        body=Text.of(
            gettext_noop(
                "The provincial office found the materials complete. The national review: %(deadline)s"
            ),
            deadline=deadline.text(),
        ),
        url=filing_url(filing),
    )
    return filing


# ---------------------------------------------------------------- national review


def _tell_forwarding_office(filing: Filing, subject: Text, body: Text) -> None:
    """The provincial office that forwarded a filing hears the national office's decisions on it."""
    notify(recipients=forwarding_reviewers(filing), subject=subject, body=body, url=filing_url(filing))


@transaction.atomic
def filing_request_supplement(
    *,
    filing: Filing,
    actor: Any,
    items: Sequence[Deficiency],
    note: str = "",
    test_failed: bool = False,
    marks_seen: Collection[marks.MarkVersion] = (),
) -> Filing:
    """Material review or technical test needs more: the unit has N3 working days to answer.

    ``marks_seen`` as for ``filing_return_incomplete``: a mark the list did not start from refuses it."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    require(actor, "registry.review_national", filing)
    data_items = _validated_items(items)
    marks.require_marks_seen(filing, marks_seen)
    before = transition(filing, "request_supplement", _("Request supplement"))
    deadline = start_clock(filing, "N3")
    filing.save()
    record(
        app=filing.app,
        filing=filing,
        action=EventAction.REQUEST_SUPPLEMENT,
        actor=actor,
        from_state=before,
        to_state=filing.state,
        reason=note,
        data={
            "items": data_items,
            "clock": clock_data(deadline),
            "test_failed": test_failed,
            "snapshot": material_snapshot(filing),
        },
    )
    notify(
        recipients=unit_filers(filing.app.unit),
        subject=Text.of(gettext_noop("Supplement requested: %(app)s"), app=filing.app_name),
        body=Text.of(
            gettext_noop(
                "The national office asks for %(n)d item(s). Answer by %(due)s (%(deadline)s); "
                "without an answer the filing is deemed abandoned."
            ),
            n=len(data_items),
            due=deadline.due.isoformat(),
            deadline=deadline.text(),
        ),
        url=filing_url(filing),
        due=deadline.due,
    )
    _tell_forwarding_office(
        filing,
        Text.of(gettext_noop("Supplement requested on a filing you forwarded: %(app)s"), app=filing.app_name),
        Text.of(gettext_noop("The unit must answer by %(due)s."), due=deadline.due.isoformat()),
    )
    return filing


@transaction.atomic
def filing_supplement(
    *, filing: Filing, actor: Any, statement: str, attachments: Sequence[Attachment] = ()
) -> Filing:
    """The unit's supplement or rectification statement: review and technical test run again."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    require(actor, "registry.edit_filing", filing)
    if not statement.strip():
        raise WorkflowError(
            _("Write the supplement or rectification statement: what was added or changed for each item."),
            items=[Deficiency("statement", _("statement"), _("This field is required."))],
        )
    if (
        filing.state == FilingState.AWAITING_SUPPLEMENT
        and filing.clock_due
        and workflow.today() > filing.clock_due
    ):
        raise WorkflowError(
            _("The supplement period ended on %(due)s; the filing is deemed abandoned. Start a new filing.")
            % {"due": filing.clock_due.isoformat()}
        )
    items = missing_materials(filing)
    if items:
        raise WorkflowError(
            _("The filing is not complete. Complete the items below and submit again."), items=items
        )
    before = transition(filing, "supplement", _("Submit supplement"))
    deadline = start_clock(filing, "N2")
    filing.save()
    record(
        app=filing.app,
        filing=filing,
        action=EventAction.SUPPLEMENT,
        actor=actor,
        from_state=before,
        to_state=filing.state,
        reason=statement.strip(),
        data={"clock": clock_data(deadline)},
        attachments=attachments,
    )
    notify(
        recipients=national_reviewers(),
        subject=Text.of(gettext_noop("Supplement received: %(app)s"), app=filing.app_name),
        body=Text.of(
            gettext_noop("Review and technical test run again. %(deadline)s"), deadline=deadline.text()
        ),
        url=filing_url(filing),
        due=deadline.due,
    )
    for hook in SUPPLEMENT_HOOKS:
        transaction.on_commit(functools.partial(hook, filing))
    return filing


@transaction.atomic
def filing_extend(*, filing: Filing, actor: Any, reason: str, expected_date: dt.date) -> Filing:
    """Complex case: extend the national review; the unit is told the reason and the expected date."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    require(actor, "registry.review_national", filing)
    if not reason.strip():
        raise WorkflowError(
            _("Give the reason for the extension; the unit is told it."),
            items=[Deficiency("reason", _("reason"), _("This field is required."))],
        )
    if filing.clock_due and expected_date <= filing.clock_due:
        raise WorkflowError(
            _("The expected date must be after the current due date %(due)s.")
            % {"due": filing.clock_due.isoformat()},
            items=[Deficiency("expected_date", _("expected date"), _("Choose a later date."))],
        )
    if expected_date <= workflow.today():
        raise WorkflowError(
            _("The expected date must be in the future."),
            items=[Deficiency("expected_date", _("expected date"), _("Choose a later date."))],
        )
    previous_due = filing.clock_due
    before = transition(filing, "extend", _("Extend the review period"))
    filing.extension_reason = reason.strip()
    filing.clock_due = expected_date
    filing.save()
    record(
        app=filing.app,
        filing=filing,
        action=EventAction.EXTEND,
        actor=actor,
        from_state=before,
        to_state=filing.state,
        reason=reason.strip(),
        data={
            "previous_due": previous_due.isoformat() if previous_due else None,
            "expected": expected_date.isoformat(),
        },
    )
    notify(
        recipients=unit_filers(filing.app.unit),
        subject=Text.of(gettext_noop("Review period extended: %(app)s"), app=filing.app_name),
        body=Text.of(
            gettext_noop("Reason: %(reason)s. Expected decision by %(date)s."),
            reason=reason.strip(),
            date=expected_date.isoformat(),
        ),
        url=filing_url(filing),
        due=expected_date,
    )
    _tell_forwarding_office(
        filing,
        Text.of(gettext_noop("Review extended on a filing you forwarded: %(app)s"), app=filing.app_name),
        Text.of(
            gettext_noop("Reason: %(reason)s. Expected decision by %(date)s."),
            reason=reason.strip(), date=expected_date.isoformat(),
        ),
    )  # fmt: skip
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
                sequence, _created = NumberSequence.objects.select_for_update().get_or_create(
                    region=region, year=year
                )
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


def material_diff(old: Filing, new: Filing) -> list[dict[str, Any]]:
    """Field-level differences between the approved materials and a change filing."""
    diff = []
    for name in MATERIAL_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            diff.append(
                {
                    "field": name,
                    "label": filing_field_label(name),
                    "old": a.isoformat() if isinstance(a, dt.date) else a,
                    "new": b.isoformat() if isinstance(b, dt.date) else b,
                }
            )
    return diff


@transaction.atomic
def filing_approve(*, filing: Filing, actor: Any, note: str = "") -> Filing:
    """Filed: a number for new filings and re-filings; a change keeps the app's number."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    require(actor, "registry.review_national", filing)
    if filing.state != FilingState.NATIONAL_REVIEW:
        raise WorkflowError(
            _("Only a filing under national review can be approved; this one is “%(state)s”.")
            % {"state": filing.get_state_display()}
        )
    blockers = approval_blockers(filing)
    if blockers:
        raise WorkflowError(" ".join(blockers))
    app = App.objects.select_for_update().get(pk=filing.app_id)
    before = transition(filing, "approve", _("Approve"))
    stop_clock(filing)
    filing.decided_at = timezone.now()
    filing.save()
    data: dict[str, Any] = {}
    if filing.procedure == ProcedureKind.CHANGE:
        previous = changes.latest_approved(app, other_than=filing)
        data["diff"] = material_diff(previous, filing) if previous else []
        assert filing.change_effective_date is not None
        data["effective"] = filing.change_effective_date.isoformat()
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
    # A change approved before its effective date waits for it (changes.changes_take_effect).
    if changes.in_effect_on(filing, workflow.today()):
        changes.put_in_effect(app, filing)
    app.save()
    record(
        app=app, filing=filing, action=EventAction.APPROVE, actor=actor, from_state=before, to_state=filing.state,
        reason=note, data=data,
    )  # fmt: skip
    for hook in APPROVAL_HOOKS:
        hook(filing, actor)
    notify(
        recipients=unit_filers(app.unit),
        subject=Text.of(gettext_noop("Filed: %(app)s"), app=filing.app_name),
        body=Text.of(
            gettext_noop(
                "Filing number %(number)s. Display the unit name and the filing number prominently in the app."
            ),
            number=app.current_number.number if app.current_number else "",
        ),
        url=filing_url(filing),
    )
    _tell_forwarding_office(
        filing,
        Text.of(gettext_noop("A filing you forwarded is filed: %(app)s"), app=filing.app_name),
        Text.of(
            gettext_noop("The national office approved it; filing number %(number)s."),
            number=app.current_number.number if app.current_number else "",
        ),
    )
    return filing


@transaction.atomic
def filing_withdraw(*, filing: Filing, actor: Any, reason: str = "") -> Filing:
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    require(actor, "registry.edit_filing", filing)
    before = transition(filing, "withdraw", _("Withdraw"))
    stop_clock(filing)
    filing.save()
    _end_change_if_needed(filing)
    record(
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
    today = today or workflow.today()
    count = 0
    overdue = Filing.objects.filter(state=FilingState.AWAITING_SUPPLEMENT, clock_due__lt=today).values_list(
        "pk", flat=True
    )
    for pk in list(overdue):
        with transaction.atomic():
            filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=pk)
            if (
                filing.state != FilingState.AWAITING_SUPPLEMENT
                or not filing.clock_due
                or filing.clock_due >= today
            ):
                continue
            due = filing.clock_due
            before = transition(filing, "abandon", _("Deem abandoned"))
            stop_clock(filing)
            filing.decided_at = timezone.now()
            filing.save()
            _end_change_if_needed(filing)
            record(
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
                subject=Text.of(gettext_noop("Filing deemed abandoned: %(app)s"), app=filing.app_name),
                body=Text.of(gettext_noop("No supplement was received by %(due)s."), due=due.isoformat()),
                url=filing_url(filing),
            )
            count += 1
    return count

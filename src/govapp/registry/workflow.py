"""The mechanics every registry write shares: refusals, transitions, events, clocks, recipients."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from govapp.accounts.models import Role, Unit
from govapp.core.calendar import Deadline, deadline_for

from .choices import EventAction, FilingState
from .materials import Deficiency
from .models import App, Attachment, DeficiencyMark, Filing, FilingEvent


class WorkflowError(Exception):
    """An action that the filing's state or the rules do not allow; the message says why and what to do."""

    def __init__(self, message: str, *, items: Sequence[Deficiency] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.items = list(items)


@dataclass(frozen=True)
class ReviewStage:
    """A status in which an office holds the case: the permission its reviewers act with, and the filing
    action (``registry:filing_<slug>``) that sends the stage's deficiency list, if the stage writes one."""

    perm: str
    list_action: str = ""


# The one table of who holds a case at which status; assignment, marking and the filing page read it.
REVIEW_STAGES: dict[str, ReviewStage] = {
    FilingState.PROVINCIAL_REVIEW: ReviewStage("registry.review_provincial", list_action="return"),
    FilingState.NATIONAL_REVIEW: ReviewStage("registry.review_national", list_action="request_supplement"),
    # The unit answers; the national office still holds (and may reassign) the case.
    FilingState.AWAITING_SUPPLEMENT: ReviewStage("registry.review_national"),
}


def review_stage(filing: Filing) -> ReviewStage | None:
    """The office's hold on the filing in its current status, or None (the unit's, or decided)."""
    return REVIEW_STAGES.get(filing.state)


def today() -> dt.date:
    return timezone.localdate()


def require(user: Any, perm: str, obj: Any) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You are not allowed to do this for this app."))


def transition(obj: Any, method: str, action_label: str) -> str:
    """Run a transition method; an illegal one becomes a readable WorkflowError.

    A filing that leaves a stage with a deficiency list loses that stage's draft marks here, whatever
    ended the stage (the list sent, a forward, an approval, a withdrawal, a conflict or a revocation
    closing it): the drafts belong to the stage (decision 0004). Run inside the deciding transaction.
    """
    before = obj.state
    try:
        getattr(obj, method)()
    except TransitionNotAllowed:
        raise WorkflowError(
            _("“%(action)s” is not possible while the status is “%(state)s”.")
            % {"action": action_label, "state": obj.get_state_display()}
        ) from None
    stage = REVIEW_STAGES.get(before)
    if isinstance(obj, Filing) and obj.state != before and stage is not None and stage.list_action:
        DeficiencyMark.objects.filter(filing=obj, stage=before).delete()
    return before


def record(
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


def start_clock(filing: Filing, limit: str, start: dt.date | None = None) -> Deadline:
    deadline = deadline_for(limit, start or today())
    filing.clock_limit = limit
    filing.clock_start = deadline.start
    filing.clock_due = deadline.due
    filing.clock_provisional = deadline.provisional
    return deadline


def stop_clock(filing: Filing) -> None:
    filing.clock_limit = ""
    filing.clock_start = None
    filing.clock_due = None
    filing.clock_provisional = False


def clock_data(deadline: Deadline) -> dict[str, Any]:
    return {
        "limit": deadline.limit,
        "days": deadline.days,
        "start": deadline.start.isoformat(),
        "due": deadline.due.isoformat(),
        "provisional": deadline.provisional,
    }


def filing_url(filing: Filing) -> str:
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


def forwarding_reviewers(filing: Filing) -> Any:
    """The provincial office that forwarded this filing to the national office (nobody for a central unit's
    filing, which goes to the national office directly): it answers to the unit for what follows."""
    province = filing.app.unit.province
    if not province or not FilingEvent.objects.filter(filing=filing, action=EventAction.FORWARD).exists():
        return User.objects.none()
    return provincial_reviewers(province)


def national_reviewers() -> Any:
    return User.objects.filter(role=Role.NATIONAL_REVIEWER, is_active=True)

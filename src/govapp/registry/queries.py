"""Which apps and filings a user may see (deny by default)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, When

from govapp.accounts.models import Role

from .choices import FilingState
from .models import App, Filing


def submitted_apps() -> Any:
    """Apps with a submitted procedure (or in the register already): the only apps anyone outside the unit
    may learn of; the same test as the ``submitted`` rule."""
    submission = Filing.objects.filter(app=OuterRef("pk"), submitted_at__isnull=False)
    return App.objects.filter(~Q(state=App.State.DRAFT) | Exists(submission))


def visible_apps(user: Any) -> Any:
    """The apps a user may see (deny by default); outside the unit, only apps with a submitted procedure."""
    if not user.is_authenticated:
        return App.objects.none()
    if user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR):
        return submitted_apps()
    if (
        user.role in (Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER)
        and user.unit_id
        and user.unit.province
    ):
        return submitted_apps().filter(unit__province=user.unit.province)
    if user.role == Role.FILER and user.unit_id:
        return App.objects.filter(unit_id=user.unit_id)
    return App.objects.none()


def visible_filings(user: Any) -> Any:
    """A unit's filings to its filers; to reviewers only what was submitted (a draft is the unit's own).

    The same apps as ``visible_apps``, without its subquery for reviewers: a submitted filing's app is
    always one that has a submitted procedure, so the filing's own ``submitted_at`` is the whole test
    (the queues of 100,000 apps then read the filings by index alone)."""
    filings = Filing.objects.select_related("app__unit")
    if not user.is_authenticated:
        return filings.none()
    if user.role == Role.FILER:
        return filings.filter(app__unit_id=user.unit_id) if user.unit_id else filings.none()
    submitted = filings.filter(submitted_at__isnull=False)
    if user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR):
        return submitted
    if (
        user.role in (Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER)
        and user.unit_id
        and user.unit.province
    ):
        return submitted.filter(app__unit__province=user.unit.province)
    return filings.none()


# Statuses a filings list can show and filter on (docs/decisions/0001-two-state-machines.md): the state
# of a procedure still open or closed without approval, or the standing of the app that an approved
# procedure put in the register (a filing approved in June is not "filed" once the app is revoked).
PROCEDURE_STATUSES = (
    FilingState.DRAFT,
    FilingState.PROVINCIAL_REVIEW,
    FilingState.RETURNED,
    FilingState.NATIONAL_REVIEW,
    FilingState.AWAITING_SUPPLEMENT,
    FilingState.ABANDONED,
    FilingState.WITHDRAWN,
)
STANDING_STATUSES = tuple(FilingState(state) for state in App.State.values if state != App.State.DRAFT)


def with_shown_status(filings: QuerySet[Filing]) -> Any:
    """Annotates ``shown_status``: the app's standing for the filing it stands on, else the filing's state."""
    # Typed Any like visible_filings(): django-stubs sees the annotation neither in filter() nor on rows.
    return filings.annotate(
        shown_status=Case(
            When(pk=F("app__approved_filing_id"), then=F("app__state")),
            default=F("state"),
            output_field=CharField(),
        )
    )

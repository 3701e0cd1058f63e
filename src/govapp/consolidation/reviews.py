"""立项审核: an IT-project approval authority checks a proposed project against the apps that exist and
records its opinion once, with the similar apps it saw (regulation §3, Art. 11)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govapp.accounts.models import Role, Unit, UnitFunction, UnitLevel
from govapp.core.notify import notify
from govapp.registry.models import App
from govapp.registry.workflow import WorkflowError, unit_filers

from . import service
from .models import MERGE_TARGET_STATES, ConsolidationEvent, EventKind, Opinion, ProjectReview
from .reasons import match_row


def is_approval_authority(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.unit_id
        and user.unit.function == UnitFunction.IT_APPROVAL_AUTHORITY
    )


def applicant_units(authority: Unit) -> QuerySet[Unit]:
    """The units an authority approves projects for: its province's, or the central ministries."""
    units = Unit.objects.filter(function=UnitFunction.GOVERNMENT_UNIT)
    if authority.province:
        return units.filter(province=authority.province)
    return units.filter(level=UnitLevel.NATIONAL)


def visible_reviews(user: Any) -> QuerySet[ProjectReview]:
    reviews = ProjectReview.objects.select_related("authority", "unit", "target_app")
    if not user.is_authenticated or not user.unit_id:
        return reviews.none()
    if user.role == Role.NATIONAL_REVIEWER:
        return reviews
    query = Q(authority_id=user.unit_id) | Q(unit_id=user.unit_id)
    if user.is_provincial_role and user.unit.province:
        query |= Q(unit__province=user.unit.province)
    return reviews.filter(query)


def _next_number(authority: Unit) -> str:
    year = timezone.localdate().year
    prefix = f"LX{authority.province or '00'}-{year}-"
    last = (
        ProjectReview.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
    ).first()
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def check(*, user: Any, unit: Unit, name: str, functions: str, kind: str = "") -> list[Any]:
    """The duplication check itself: the apps most like the proposed project."""
    return service.similar_apps(
        user=user, name=name, functions=functions, kind=kind, province=unit.province, level=unit.level
    )


@transaction.atomic
def project_review_record(
    *,
    actor: Any,
    unit: Unit,
    project_name: str,
    functions: str,
    budget_line: str,
    kind: str,
    opinion: str,
    target_app: App | None,
    reason: str,
) -> ProjectReview:
    """Record the opinion with the similar apps of the check; the unit's filers are told its number."""
    if not is_approval_authority(actor):
        raise WorkflowError(_("Only an IT-project approval authority records project review opinions."))
    if not applicant_units(actor.unit).filter(pk=unit.pk).exists():
        raise WorkflowError(_("This unit is outside the authority's area."))
    if opinion in (Opinion.MERGE, Opinion.MODULE):
        if target_app is None:
            raise WorkflowError(_("Name the existing app the project should merge into or be a module of."))
        if target_app.state not in MERGE_TARGET_STATES:
            raise WorkflowError(_("The existing app must be a filed app."))
    elif target_app is not None:
        target_app = None
    if not reason.strip():
        raise WorkflowError(_("Give the reason for the opinion."))
    matches = check(user=actor, unit=unit, name=project_name, functions=functions, kind=kind)
    review = ProjectReview.objects.create(
        number=_next_number(actor.unit), authority=actor.unit, unit=unit, project_name=project_name.strip(),
        functions=functions.strip(), kind=kind, budget_line=budget_line.strip(), opinion=opinion,
        target_app=target_app, reason=reason.strip(), similar=[match_row(m) for m in matches], decided_by=actor,
    )  # fmt: skip
    ConsolidationEvent.objects.create(
        kind=EventKind.PROJECT_REVIEW, review=review, app=target_app, actor=actor, reason=review.reason,
        data={"opinion": opinion, "number": review.number, "similar": [m.document.key for m in matches]},
    )  # fmt: skip
    notify(
        recipients=unit_filers(unit),
        subject=_("Project review opinion %(number)s: %(project)s")
        % {"number": review.number, "project": review.project_name},
        body=_(
            "%(authority)s recorded its opinion on the project %(project)s: %(opinion)s. Give the opinion "
            "number %(number)s as the approval document number when you file the app."
        )
        % {
            "authority": actor.unit.name,
            "project": review.project_name,
            "opinion": review.get_opinion_display(),
            "number": review.number,
        },  # fmt: skip
        url=reverse("consolidation:review_detail", args=[review.pk]),
    )
    return review

"""The joint provincial completeness review: the cyberspace office and the government-service
administration each give an opinion; the cyberspace office forwards or returns with both on record.

Opinions count from the latest submission: a resubmitted filing is reviewed afresh by both.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from govapp.accounts.models import Role, User

from .choices import EventAction, FilingState
from .models import Filing, FilingEvent, ReviewOpinion
from .workflow import WorkflowError, require

DEPARTMENT_OF_ROLE = {
    Role.PROVINCIAL_REVIEWER: ReviewOpinion.Department.CYBERSPACE_OFFICE,
    Role.PROVINCIAL_COREVIEWER: ReviewOpinion.Department.GOV_SERVICE_ADMIN,
}


def is_joint(filing: Filing) -> bool:
    """Whether the filing's completeness review needs both departments (``GOVAPP_JOINT_PROVINCIAL_REVIEW``)."""
    mode = settings.GOVAPP_JOINT_PROVINCIAL_REVIEW
    if mode in (True, "on"):
        return True
    if mode != "auto":
        return False
    province = filing.app.unit.province
    return bool(province) and (
        User.objects.filter(role=Role.PROVINCIAL_COREVIEWER, is_active=True, unit__province=province).exists()
    )


def current_opinions(filing: Filing) -> dict[str, ReviewOpinion]:
    """Each department's latest opinion since the latest submission."""
    submitted = (
        FilingEvent.objects.filter(filing=filing, action=EventAction.SUBMIT).order_by("-at", "-id").first()
    )
    opinions = ReviewOpinion.objects.filter(filing=filing).select_related("actor").order_by("at", "id")
    if submitted is not None:
        opinions = opinions.filter(at__gte=submitted.at)
    return {o.department: o for o in opinions}


@transaction.atomic
def opinion_record(*, filing: Filing, actor: Any, verdict: str, text: str = "") -> ReviewOpinion:
    """The actor's department gives its opinion on a filing in the completeness review."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    require(actor, "registry.review_provincial", filing)
    if filing.state != FilingState.PROVINCIAL_REVIEW:
        raise WorkflowError(_("Opinions are given during the completeness review only."))
    if verdict not in ReviewOpinion.Verdict.values:
        raise WorkflowError(_("Choose whether the materials are complete."))
    return ReviewOpinion.objects.create(
        filing=filing, actor=actor, department=DEPARTMENT_OF_ROLE[actor.role], verdict=verdict, text=text
    )


def decide_jointly(*, filing: Filing, actor: Any, verdict: str, text: str = "") -> None:
    """Before a forward (complete) or return (incomplete): in a joint review only the cyberspace office
    decides, and only with the administration's opinion on record; the decider's opinion is recorded."""
    opinions = current_opinions(filing)
    department = DEPARTMENT_OF_ROLE.get(actor.role)
    if is_joint(filing):
        if department != ReviewOpinion.Department.CYBERSPACE_OFFICE:
            raise WorkflowError(
                _("In the joint review the cyberspace office forwards or returns; give your opinion instead.")
            )
        if ReviewOpinion.Department.GOV_SERVICE_ADMIN not in opinions:
            raise WorkflowError(
                _(
                    "The completeness review is joint: the government-service administration's opinion "
                    "must be on record before the filing is forwarded or returned."
                )
            )
    if department is not None and department not in opinions:
        ReviewOpinion.objects.create(
            filing=filing, actor=actor, department=department, verdict=verdict, text=text
        )

"""Who reviews a case: claiming, assigning to a colleague, releasing; and each reviewer's workload.

A case is assigned within the office that holds it at its stage (the province during the completeness
review, the national office during national review and supplement). Each change writes an "assign"
event; ``Filing.assignee`` is the current holder, indexed so that the queues filter on it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from govapp.accounts.models import Role

from .models import Filing
from .workflow import WorkflowError, record, require, review_stage

PROVINCIAL_ROLES = (Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER)


def colleagues(user: Any) -> QuerySet[Any]:
    """Reviewers of the user's office: the same province's reviewers, or the national reviewers."""
    users = get_user_model().objects.filter(is_active=True)
    if user.is_authenticated and user.role in PROVINCIAL_ROLES and user.unit_id and user.unit.province:
        return users.filter(role__in=PROVINCIAL_ROLES, unit__province=user.unit.province).order_by("username")
    if user.is_authenticated and user.role == Role.NATIONAL_REVIEWER:
        return users.filter(role=Role.NATIONAL_REVIEWER).order_by("username")
    return users.none()


def may_assign(user: Any, filing: Filing) -> bool:
    stage = review_stage(filing)
    return bool(stage and user.has_perm(stage.perm, filing))


@transaction.atomic
def filing_assign(*, filing: Filing, actor: Any, assignee: Any | None) -> Filing:
    """Give the case to ``assignee`` (the actor to claim it, None to release it). Writes an "assign" event."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    stage = review_stage(filing)
    if stage is None:
        raise WorkflowError(_("Only a case under review can be assigned."))
    require(actor, stage.perm, filing)
    if assignee is not None and not colleagues(actor).filter(pk=assignee.pk).exists():
        raise WorkflowError(_("A case can be assigned only to a reviewer of your office."))
    previous = filing.assignee
    if (previous.pk if previous else None) == (assignee.pk if assignee else None):
        return filing
    filing.assignee = assignee
    filing.save(update_fields=["assignee"])
    record(
        app=filing.app,
        filing=filing,
        action="assign",
        actor=actor,
        from_state=filing.state,
        to_state=filing.state,
        data={
            "assignee": assignee.pk if assignee else None,
            "assignee_name": str(assignee) if assignee else "",
            "previous": previous.pk if previous else None,
            "previous_name": str(previous) if previous else "",
        },
    )
    return filing


def workload(user: Any, filings: Any) -> list[dict[str, Any]]:
    """Each colleague's open cases among ``filings`` (one grouped query), unassigned ones last."""
    counts = dict(
        filings.order_by().values_list("assignee").annotate(n=Count("pk")).values_list("assignee", "n")
    )
    rows = [{"user": u, "count": counts.get(u.pk, 0), "mine": u.pk == user.pk} for u in colleagues(user)]
    return [*rows, {"user": None, "count": counts.get(None, 0), "mine": False}]

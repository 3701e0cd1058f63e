from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govapp import __version__
from govapp.accounts.models import Role, UnitFunction
from govapp.stats.scope import can_see_statistics
from govapp.supervision.campaigns import selfcheck
from govapp.supervision.campaigns import spot_check as campaign_services
from govapp.supervision.legacy import services as legacy

# Users of these units act on suspension notices after a revocation (regulation §6), whatever their role.
AUTHORITY_FUNCTIONS = (UnitFunction.IT_APPROVAL_AUTHORITY, UnitFunction.OM_FUNDING_AUTHORITY)


def staff_nav(user: Any) -> list[tuple[str, Any]]:
    """The main work areas a signed-in user may open: each link is one the target view would not refuse."""
    if user.unit_id and user.unit.function in AUTHORITY_FUNCTIONS:
        own = (
            (reverse("consolidation:review_list"), _("Project review"))
            if user.unit.function == UnitFunction.IT_APPROVAL_AUTHORITY
            else (reverse("consolidation:funding_inbox"), _("Overdue consolidation items"))
        )
        return [
            (reverse("supervision:suspension_inbox"), _("Suspension notices")),
            own,
            (reverse("consolidation:similar"), _("Similar apps")),
        ]
    links: list[tuple[str, Any]] = [(reverse("registry:filing_list"), _("Filings"))]
    if user.role != Role.ADMIN:
        links.append((reverse("supervision:order_list"), _("Rectification")))
    if campaign_services.can_view(user):
        links.append((reverse("supervision:campaign_list"), _("Spot checks")))
    if selfcheck.can_list(user):
        links.append((reverse("supervision:selfcheck_list"), _("Self-inspection")))
    elif user.role == Role.FILER and user.unit_id:
        links.append((reverse("supervision:campaign_mine"), _("Spot checks and self-inspection")))
    if legacy.can_list(user):
        links.append((reverse("supervision:legacy_list"), _("Legacy apps")))
    if user.has_perm("complaints.list_complaints"):
        links.append((reverse("complaints:list"), _("Complaint handling")))
    if user.role in (Role.NATIONAL_REVIEWER, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER):
        links.append((reverse("consolidation:plan_index"), _("Consolidation")))
        links.append((reverse("consolidation:similar"), _("Similar apps")))
    elif user.role == Role.FILER and user.unit_id:
        links.append((reverse("consolidation:obligations"), _("Consolidation obligations")))
    if can_see_statistics(user):
        links.append((reverse("statistics:page"), _("Statistics")))
    return links


def site(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"govapp_version": __version__}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["unread_count"] = user.notifications.filter(read_at__isnull=True).count()
        context["staff_nav"] = staff_nav(user)
    return context

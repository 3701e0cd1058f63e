"""Drifted apps for the national office and each province, and a rectification order in one step.

The list is the filed apps whose latest package differs from the facts at approval without an
approved change filing (``inspection.drift``); the order is issued through the supervision service
with the drift finding as its evidence.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from govapp.accounts.models import Role
from govapp.inspection.drift import drifted_apps
from govapp.inspection.models import Scan
from govapp.registry.queries import visible_apps
from govapp.registry.services import WorkflowError
from govapp.supervision.enforcement import rectification
from govapp.supervision.enforcement.findings import findings_from_scan
from govapp.supervision.models import OrderSource

_REVIEWERS = (Role.NATIONAL_REVIEWER, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER, Role.INSPECTOR)


def _reviewer(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) not in _REVIEWERS:
        raise PermissionDenied(_("Only reviewers see the list of drifted apps."))


@login_required
@require_GET
def drift_list(request: HttpRequest) -> HttpResponse:
    _reviewer(request)
    rows = [
        {"row": row, "may_order": row.app.state == "filed" and rectification.can_issue(request.user, row.app)}
        for row in drifted_apps(visible_apps(request.user))
    ]
    return render(request, "portal/drift.html", {"rows": rows})


@login_required
@require_POST
def drift_order(request: HttpRequest, pk: int) -> HttpResponse:
    """Order rectification of a drifted app from its drift finding, in one step."""
    scan = get_object_or_404(Scan.objects.select_related("filing__app__unit", "package"), pk=pk)
    app = scan.filing.app if scan.filing is not None else None
    if app is None or not visible_apps(request.user).filter(pk=app.pk).exists():
        raise Http404(_("No such scan."))
    _reviewer(request)
    findings = [f for f in findings_from_scan(scan) if f["evidence"].get("rule") == "DRIFT-UNREPORTED-001"]
    try:
        order = rectification.rectification_order_issue(
            app=app, actor=request.user, source=OrderSource.SPOT_CHECK if scan.reason == Scan.Reason.SPOT_CHECK
            else OrderSource.REVIEWER, findings=findings, article=_("Art. 9 of the Measures (change filing)"),
            required_actions=_(
                "File a change filing for the changes found by the technical test, or restore the approved package."
            ),
            scan=scan,
        )  # fmt: skip
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("portal:drift"))
    messages.success(request, _("Rectification ordered; the unit was notified."))
    return redirect(reverse("supervision:order_detail", args=[order.pk]))

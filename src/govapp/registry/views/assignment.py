"""Who works on a case: claiming, assigning or releasing it, and each department's opinion in the joint
provincial review (POSTs from the filing page)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import assignment, joint_review
from ..workflow import WorkflowError
from .access import explain_denials, visible_filing


@login_required
@explain_denials
@require_POST
def filing_assign(request: HttpRequest, pk: int) -> HttpResponse:
    filing = visible_filing(request, pk)
    if not assignment.may_assign(request.user, filing):
        raise PermissionDenied(_("Only a reviewer of the office holding the case can assign it."))
    choice = request.POST.get("assignee", "")
    assignee: Any
    if choice == "me":
        assignee = request.user
    elif choice.isdigit():
        assignee = assignment.colleagues(request.user).filter(pk=int(choice)).first()
        if assignee is None:
            messages.error(request, _("A case can be assigned only to a reviewer of your office."))
            return redirect("registry:filing_detail", filing.pk)
    else:
        assignee = None
    try:
        filing = assignment.filing_assign(filing=filing, actor=request.user, assignee=assignee)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect("registry:filing_detail", filing.pk)
    if assignee is None:
        messages.success(request, _("The case is unassigned."))
    else:
        messages.success(request, _("The case is assigned to %(name)s.") % {"name": assignee})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("registry:filing_detail", filing.pk)


@login_required
@explain_denials
@require_POST
def filing_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """A department's opinion in the joint completeness review."""
    filing = visible_filing(request, pk)
    if not request.user.has_perm("registry.review_provincial", filing):
        raise PermissionDenied(_("Only the province's reviewing departments give opinions."))
    try:
        joint_review.opinion_record(
            filing=filing,
            actor=request.user,
            verdict=request.POST.get("verdict", ""),
            text=request.POST.get("text", "").replace("\x00", "")[:2000],
        )
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your department's opinion is recorded."))
    return redirect("registry:filing_detail", filing.pk)

"""The similar-apps page, the 立项审核 duplication check with its opinion, and a unit's obligations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govapp.accounts.auth import signed_in_user
from govapp.accounts.models import Role, UnitFunction
from govapp.registry.views.access import explain_denials
from govapp.registry.workflow import WorkflowError

from .. import plans, reviews, service
from ..forms import OpinionForm, ProjectCheckForm, SimilarSearchForm
from ..models import ConsolidationEvent, EventKind, PlanItem
from ..reasons import display_row


@login_required
@explain_denials
@require_http_methods(["GET"])
def similar_search(request: HttpRequest) -> HttpResponse:
    if not service.is_reviewing_user(signed_in_user(request)):
        raise PermissionDenied(_("Only reviewers and the approval and funding authorities may search."))
    form = SimilarSearchForm(request.GET or None)
    rows: list[dict[str, Any]] | None = None
    if form.is_valid():
        data = form.cleaned_data
        matches = service.similar_apps(
            user=signed_in_user(request), name=data["name"], functions=data["functions"], kind=data["kind"],
            province=data["province"],
        )  # fmt: skip
        rows = [display_row(m) for m in matches]
    return render(
        request, "consolidation/similar.html", {"form": form, "similar": rows, "status": service.status()},
        status=400 if form.errors else 200,
    )  # fmt: skip


@login_required
@explain_denials
@require_http_methods(["GET"])
def review_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    readers = (Role.FILER, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER, Role.NATIONAL_REVIEWER)
    if not reviews.is_approval_authority(user) and user.role not in readers:
        raise PermissionDenied(_("Project review opinions are for the approval authorities and the units."))
    visible = reviews.visible_reviews(user)
    return render(
        request, "consolidation/review_list.html",
        {"reviews": visible[:200], "can_check": reviews.is_approval_authority(user)},
    )  # fmt: skip


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest) -> HttpResponse:
    """GET with the project's facts runs the check; POST records the opinion with its similar apps."""
    if not reviews.is_approval_authority(signed_in_user(request)):
        raise PermissionDenied(_("Only an IT-project approval authority runs the duplication check."))
    authority = signed_in_user(request).unit
    assert authority is not None  # an approval authority's user has a unit
    units = reviews.applicant_units(authority)
    check = ProjectCheckForm(request.GET or None, units=units)
    context: dict[str, Any] = {"check": check, "similar": None}
    initial: dict[str, Any] = {}
    if check.is_valid():
        data = check.cleaned_data
        matches = reviews.check(user=signed_in_user(request), unit=data["unit"], name=data["project_name"],
                                functions=data["functions"], kind=data["kind"])  # fmt: skip
        context["similar"] = [display_row(m) for m in matches]
        initial = {**data, "unit": data["unit"].pk}
        best = next((m for m in context["similar"] if m["app_id"] and m["strong"]), None)
        if best:
            initial["target_app"] = best["app_id"]
    opinion = OpinionForm(request.POST or None, units=units, initial=initial)
    status = 200
    if request.method == "POST":
        if opinion.is_valid():
            data = opinion.cleaned_data
            try:
                review = reviews.project_review_record(
                    actor=signed_in_user(request), unit=data["unit"], project_name=data["project_name"],
                    functions=data["functions"], budget_line=data["budget_line"], kind=data["kind"],
                    opinion=data["opinion"], target_app=data["target_app"], reason=data["reason"],
                )  # fmt: skip
            except WorkflowError as exc:
                opinion.add_error(None, exc.message)
            else:
                messages.success(request, _("Opinion %(number)s recorded.") % {"number": review.number})
                return redirect("consolidation:review_detail", review.pk)
        status = 400
    context["opinion"] = opinion
    return render(request, "consolidation/review_new.html", context, status=status)


@login_required
@explain_denials
@require_http_methods(["GET"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = reviews.visible_reviews(signed_in_user(request)).filter(pk=pk).first()
    if review is None:
        raise Http404(_("No such project review."))
    events = ConsolidationEvent.objects.filter(review=review).select_related("actor")
    return render(request, "consolidation/review_detail.html", {"review": review, "events": events})


@login_required
@explain_denials
@require_http_methods(["GET"])
def obligations(request: HttpRequest) -> HttpResponse:
    """What the unit must do under a consolidation plan, and the opinions on its projects."""
    user = signed_in_user(request)
    unit_id = user.unit_id
    if user.role != Role.FILER or unit_id is None:
        raise PermissionDenied(_("This page lists a unit's consolidation obligations."))
    items = list(
        PlanItem.objects.filter(app__unit_id=unit_id)
        .exclude(decision="keep")
        .select_related("app", "target", "plan")
    )
    today = timezone.localdate()
    rows = [{"item": i, "done": plans.is_done(i), "overdue": plans.is_overdue(i, today)} for i in items]
    return render(
        request, "consolidation/obligations.html",
        {"rows": rows, "reviews": reviews.visible_reviews(user).filter(unit_id=unit_id)},
    )  # fmt: skip


@login_required
@explain_denials
@require_http_methods(["GET"])
def funding_inbox(request: HttpRequest) -> HttpResponse:
    """The O&M funding authority's list of overdue consolidation items reported to it."""
    user = signed_in_user(request)
    if user.unit is None or user.unit.function != UnitFunction.OM_FUNDING_AUTHORITY:
        raise PermissionDenied(_("This list is for the O&M funding authorities."))
    events = (
        ConsolidationEvent.objects.filter(kind=EventKind.FUNDING_NOTIFIED, data__authority=user.unit_id)
        .select_related("item", "item__app", "item__app__unit", "item__target", "plan")
        .order_by("-at")
    )
    return render(request, "consolidation/funding_inbox.html", {"events": events})

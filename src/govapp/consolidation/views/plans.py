"""The consolidation plan pages: the inventory with its duplicate clusters, decisions, progress, overdue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from govapp.accounts.auth import signed_in_user
from govapp.accounts.divisions import BY_CODE
from govapp.accounts.models import Role
from govapp.registry.views.access import explain_denials
from govapp.registry.workflow import WorkflowError

from .. import plans
from ..forms import ClusterForm, DecisionForm, PlanSettingsForm, PlanStartForm
from ..models import ConsolidationEvent, ConsolidationPlan


def _scope(request: HttpRequest, slug: str) -> str:
    province = plans.scope_of(slug)
    if province and province not in BY_CODE:
        raise Http404(_("No such province."))
    if not plans.can_view(signed_in_user(request), province):
        raise PermissionDenied(_("Only the office responsible for this area sees its consolidation plan."))
    return province


def _area_name(province: str) -> str:
    return str(BY_CODE[province].name) if province else str(_("Central ministries"))


@login_required
@explain_denials
@require_http_methods(["GET"])
def plan_index(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if user.role == Role.NATIONAL_REVIEWER:
        shown, own = ConsolidationPlan.objects.all(), plans.CENTRAL
    elif user.is_provincial_role and user.unit and user.unit.province:
        shown, own = ConsolidationPlan.objects.filter(province=user.unit.province), user.unit.province
    else:
        raise PermissionDenied(_("Consolidation plans are kept by the cyberspace offices."))
    return render(
        request, "consolidation/plan_index.html", {"plans": shown, "own": own, "own_area": _area_name(
            plans.scope_of(own))}
    )  # fmt: skip


def plan_context(request: HttpRequest, province: str, **forms: Any) -> dict[str, Any]:
    plan = ConsolidationPlan.objects.filter(province=province).first()
    apps = plans.apps_in_scope(province)
    rows = plans.inventory(plan, province)
    context: dict[str, Any] = {
        "province": province,
        "slug": plans.slug_of(province),
        "area": _area_name(province),
        "plan": plan,
        "rows": rows,
        "figures": plans.figures(plan, province),
        "can_manage": plans.can_manage(signed_in_user(request), province),
        "overdue": plans.overdue_items(plan) if plan else [],
        "events": ConsolidationEvent.objects.filter(plan=plan).select_related("actor", "app").order_by("-at")[:50]
        if plan
        else [],
        "start_form": forms.get("start_form") or PlanStartForm(initial={"title": _("%(area)s app consolidation plan")
                                                                         % {"area": _area_name(province)}}),
        "settings_form": forms.get("settings_form")
        or PlanSettingsForm(initial={"notify_funding": plan.notify_funding if plan else False}),
        "decision_form": forms.get("decision_form") or DecisionForm(apps=apps),
        "cluster_form": forms.get("cluster_form") or ClusterForm(apps=apps),
        "today": timezone.localdate(),
    }  # fmt: skip
    return context


@login_required
@explain_denials
@require_http_methods(["GET"])
def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    province = _scope(request, slug)
    return render(request, "consolidation/plan_detail.html", plan_context(request, province))


def _manage(request: HttpRequest, slug: str) -> tuple[str, ConsolidationPlan | None]:
    province = _scope(request, slug)
    if not plans.can_manage(signed_in_user(request), province):
        raise PermissionDenied(_("Only the office responsible for this area keeps its consolidation plan."))
    return province, ConsolidationPlan.objects.filter(province=province).first()


def _rerender(request: HttpRequest, province: str, error: str, **forms: Any) -> HttpResponse:
    messages.error(request, error)
    return render(
        request, "consolidation/plan_detail.html", plan_context(request, province, **forms), status=400
    )


@login_required
@explain_denials
@require_POST
def plan_start(request: HttpRequest, slug: str) -> HttpResponse:
    province, _plan = _manage(request, slug)
    form = PlanStartForm(request.POST)
    if not form.is_valid():
        return _rerender(request, province, _("Give the plan a title."), start_form=form)
    try:
        plans.plan_start(actor=signed_in_user(request), province=province, title=form.cleaned_data["title"])
    except WorkflowError as exc:
        return _rerender(request, province, exc.message, start_form=form)
    messages.success(request, _("Consolidation plan started; the apps of today are its baseline."))
    return redirect("consolidation:plan_detail", slug)


def _require_plan(plan: ConsolidationPlan | None) -> ConsolidationPlan:
    if plan is None:
        raise Http404(_("Start the consolidation plan first."))
    return plan


@login_required
@explain_denials
@require_POST
def plan_settings(request: HttpRequest, slug: str) -> HttpResponse:
    province, plan = _manage(request, slug)
    form = PlanSettingsForm(request.POST)
    form.is_valid()
    plans.plan_settings(actor=signed_in_user(request), plan=_require_plan(plan),
                        notify_funding=bool(form.cleaned_data.get("notify_funding")))  # fmt: skip
    messages.success(request, _("Plan settings saved."))
    return redirect("consolidation:plan_detail", slug)


@login_required
@explain_denials
@require_POST
def plan_decide(request: HttpRequest, slug: str) -> HttpResponse:
    province, plan = _manage(request, slug)
    plan = _require_plan(plan)
    form = DecisionForm(request.POST, apps=plans.apps_in_scope(province))
    if not form.is_valid():
        return _rerender(request, province, _("Correct the decision form."), decision_form=form)
    data = form.cleaned_data
    try:
        plans.plan_decide(
            actor=signed_in_user(request), plan=plan, app=data["app"], decision=data["decision"], target=data["target"],
            deadline=data["deadline"], reason=data["reason"],
        )  # fmt: skip
    except WorkflowError as exc:
        form.add_error(None, exc.message)
        return _rerender(request, province, exc.message, decision_form=form)
    messages.success(request, _("Decision recorded; the unit has been told."))
    return redirect("consolidation:plan_detail", slug)


@login_required
@explain_denials
@require_POST
def plan_cluster(request: HttpRequest, slug: str) -> HttpResponse:
    province, plan = _manage(request, slug)
    form = ClusterForm(request.POST, apps=plans.apps_in_scope(province))
    if not form.is_valid():
        return _rerender(request, province, _("Choose an app."), cluster_form=form)
    plans.cluster_set(actor=signed_in_user(request), plan=_require_plan(plan), app=form.cleaned_data["app"],
                      label=form.cleaned_data["cluster"], reason=form.cleaned_data["reason"])  # fmt: skip
    messages.success(request, _("Duplicate cluster updated."))
    return redirect("consolidation:plan_detail", slug)


@login_required
@explain_denials
@require_POST
def plan_report_overdue(request: HttpRequest, slug: str) -> HttpResponse:
    province, plan = _manage(request, slug)
    sent = plans.report_overdue(plan=_require_plan(plan), actor=signed_in_user(request))
    messages.success(request, _("%(n)d overdue item(s) reported to the O&M funding authority.") % {"n": sent})
    return redirect("consolidation:plan_detail", slug)

"""Pages of spot-check campaigns (抽查检测) and self-inspection campaigns (自查自评).

Deny by default: campaigns are visible to the national office and the testing bodies (self-inspections also
to the provincial offices for their province); a drawn app's page and a self-inspection return are visible
to whoever may see the app. Objects a user may not see are 404, actions not allowed 403; a refused action
re-shows its form with the reason and the field items, HTTP 400, nothing lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govapp.accounts.models import Role
from govapp.core.calendar import countdown
from govapp.core.spreadsheet import CSV_TYPE, XLSX_TYPE
from govapp.registry.services import WorkflowError
from govapp.registry.views.access import explain_denials

from . import export as campaign_export_module
from . import report as spot_report
from . import selfcheck
from . import spot_check as spot
from .forms import AnswerForm, OrdersForm, PackageForm, ScopeForm, SpotCheckForm
from .models import SelfInspectionCampaign, SelfInspectionReturn, SpotCheckCampaign, SpotCheckItem

ITEMS_PER_PAGE = 200


def _items(exc: WorkflowError) -> list[dict[str, str]]:
    return [{"label": str(item.label), "message": item.message} for item in exc.items]


def _field_errors(form: Any, exc: WorkflowError) -> None:
    for item in exc.items:
        name = item.field if item.field in form.fields else None
        form.add_error(name, item.message)


def _left(due: dt.date, today: dt.date | None = None) -> str:
    """Working days to a campaign deadline, as the work queues word it."""
    clock = countdown(due, today=today)
    left = clock.days_left
    if clock.overdue:
        text = ngettext("%(n)d working day overdue", "%(n)d working days overdue", clock.overdue_days) % {
            "n": clock.overdue_days
        }
    elif left == 0:
        text = _("due today")
    else:
        text = ngettext("%(n)d working day left", "%(n)d working days left", left) % {"n": left}
    return text + (" · " + _("provisional") if clock.provisional else "")


def _require(allowed: bool, reason: str) -> None:
    if not allowed:
        raise PermissionDenied(reason)


def _campaign(request: HttpRequest, pk: int) -> SpotCheckCampaign:
    campaign = get_object_or_404(SpotCheckCampaign.objects.select_related("created_by"), pk=pk)
    if not spot.can_view(request.user):
        raise Http404(_("No such campaign."))
    return campaign


def _item(request: HttpRequest, pk: int) -> SpotCheckItem:
    item = get_object_or_404(
        SpotCheckItem.objects.select_related("campaign", "app__unit", "app__current_number", "scan", "order"),
        pk=pk,
    )
    if not request.user.has_perm("registry.view_app", item.app):
        raise Http404(_("No such spot-check request."))
    return item


# ---------------------------------------------------------------- spot checks


@login_required
@require_GET
@explain_denials
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require(
        spot.can_view(request.user), _("Spot checks are run by the national office and the testing bodies.")
    )
    campaigns = SpotCheckCampaign.objects.select_related("created_by")[:200]
    rows = [(c, spot_report.campaign_progress(c)) for c in campaigns]
    return render(
        request, "supervision/campaign/list.html", {"rows": rows, "can_manage": spot.can_manage(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
@explain_denials
def campaign_new(request: HttpRequest) -> HttpResponse:
    _require(spot.can_manage(request.user), _("Only the national office can start a spot-check campaign."))
    form = SpotCheckForm(request.POST or None)
    error = None
    items: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = spot.campaign_create(
                actor=request.user, title=data["title"], provinces=data["provinces"], unit_levels=data["unit_levels"],
                app_kinds=data["app_kinds"], size=data["size"], method=data["method"], seed=data["seed"],
            )  # fmt: skip
        except WorkflowError as exc:
            error, items = exc.message, _items(exc)
            _field_errors(form, exc)
        else:
            messages.success(request, _("%(n)d apps drawn with seed %(seed)s; their units were asked for the packages.")
                             % {"n": campaign.items.count(), "seed": campaign.seed})  # fmt: skip
            return redirect("supervision:campaign_detail", pk=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/campaign/new.html", {"form": form, "error": error, "items": items},
                  status=status)  # fmt: skip


def _detail_context(request: HttpRequest, campaign: SpotCheckCampaign) -> dict[str, Any]:
    # A national campaign has up to 10,000 apps: the page lists them in pages, the export has them all.
    items = campaign.items.select_related("app__unit", "scan", "order").order_by("position")
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    return {
        "campaign": campaign,
        "items": page.object_list,
        "page": page,
        "progress": spot_report.campaign_progress(campaign),
        "reproduces": spot.sample_reproduces(campaign),
        "can_manage": spot.can_manage(request.user) and campaign.is_open,
        "left": _left(campaign.due),
    }


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return render(request, "supervision/campaign/detail.html", _detail_context(request, campaign))


@login_required
@require_GET
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel alone: htmx polls it while technical tests are queued or running."""
    campaign = _campaign(request, pk)
    return render(request, "supervision/campaign/_progress.html", _detail_context(request, campaign))


@login_required
@require_GET
def campaign_export(request: HttpRequest, pk: int, table: str, fmt: str) -> HttpResponse:
    """The drawn apps or the report as an Excel workbook or CSV (Chinese headers, dates as dates)."""
    campaign = _campaign(request, pk)
    if table not in ("items", "report") or fmt not in ("xlsx", "csv"):
        raise Http404(_("No such export."))
    data = (
        campaign_export_module.items_export if table == "items" else campaign_export_module.report_export
    )(campaign, fmt)
    content_type = CSV_TYPE if fmt == "csv" else XLSX_TYPE
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{campaign.reference}-{table}.{fmt}"'
    return response


@login_required
@require_POST
@explain_denials
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        spot.campaign_close(campaign=campaign, actor=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:campaign_detail", pk=campaign.pk)
    messages.success(request, _("The spot check is closed."))
    return redirect("supervision:campaign_report", pk=campaign.pk)


def _order_choices(report: spot_report.Report) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for violation in report.violations:
        item = violation.item
        if not item.order_id and item.pk not in seen:
            seen[item.pk] = f"{item.app.name} ({item.app.unit.name})"
    return list(seen.items())


@login_required
@require_http_methods(["GET", "POST"])
@explain_denials
def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts by category and province, violations with evidence, overdue units; violations -> orders."""
    campaign = _campaign(request, pk)
    report = spot_report.campaign_report(campaign)
    can_order = spot.can_manage(request.user)
    form = OrdersForm(request.POST or None, choices=_order_choices(report)) if can_order else None
    error, items, status = None, [], 200
    if request.method == "POST":
        _require(can_order, _("Only the national office can order rectification from a spot check."))
        assert form is not None
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                issued = spot.campaign_issue_orders(
                    campaign=campaign, actor=request.user, item_ids=data["items"],
                    required_actions=data["required_actions"], workdays=data["workdays"],
                )  # fmt: skip
            except WorkflowError as exc:
                error, items = exc.message, _items(exc)
            else:
                messages.success(request, _("%(n)d rectification orders issued.") % {"n": len(issued)})
                return redirect("supervision:campaign_report", pk=campaign.pk)
    return render(request, "supervision/campaign/report.html", {
        "campaign": campaign, "report": report, "form": form, "error": error, "items": items,
    }, status=status)  # fmt: skip


@login_required
@require_GET
def campaign_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    can_upload = request.user.has_perm("registry.edit_filing", item.app) and item.campaign.is_open
    return render(request, "supervision/campaign/item.html", {
        "item": item, "form": PackageForm() if can_upload else None, "can_upload": can_upload,
        "left": _left(item.campaign.due), "violations": spot_report.scan_violations(item),
    })  # fmt: skip


@login_required
@require_POST
@explain_denials
def campaign_item_upload(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    _require(request.user.has_perm("registry.edit_filing", item.app),
             _("Only a filer of the sponsoring unit can send the package for a spot check."))  # fmt: skip
    form = PackageForm(request.POST, request.FILES)
    error, items = None, []
    if form.is_valid():
        try:
            spot.item_upload(item=item, actor=request.user, uploaded_file=form.cleaned_data["package"])
        except WorkflowError as exc:
            error, items = exc.message, _items(exc)
        else:
            messages.success(request, _("Package received; the national office will run the technical test."))
            return redirect("supervision:campaign_item", pk=item.pk)
    item.refresh_from_db()
    return render(request, "supervision/campaign/item.html", {
        "item": item, "form": form, "can_upload": True, "error": error, "items": items,
        "left": _left(item.campaign.due), "violations": [],
    }, status=400)  # fmt: skip


@login_required
@require_GET
@explain_denials
def campaign_mine(request: HttpRequest) -> HttpResponse:
    """A unit's open requests: packages for spot checks and self-inspection questionnaires."""
    user: Any = request.user
    _require(
        user.role == Role.FILER and bool(user.unit_id),
        _("This page lists the requests to a sponsoring unit."),
    )
    requests = spot.requests_for(user).order_by("-campaign__created_at", "position")[:200]
    returns = selfcheck.visible_returns(user).order_by("-campaign__created_at", "app__name")[:200]
    today = timezone.localdate()
    return render(request, "supervision/campaign/mine.html", {
        "requests": [(r, _left(r.campaign.due, today)) for r in requests],
        "returns": [(r, _left(r.campaign.due, today)) for r in returns],
    })  # fmt: skip


# ---------------------------------------------------------------- self-inspection


def _selfcheck_campaign(request: HttpRequest, pk: int) -> SelfInspectionCampaign:
    campaign = get_object_or_404(SelfInspectionCampaign.objects.select_related("created_by"), pk=pk)
    if not selfcheck.visible_campaigns(request.user).filter(pk=campaign.pk).exists():
        raise Http404(_("No such self-inspection."))
    return campaign


def _return(request: HttpRequest, pk: int) -> SelfInspectionReturn:
    item = get_object_or_404(
        SelfInspectionReturn.objects.select_related("campaign", "app__unit", "submitted_by"), pk=pk
    )
    if not request.user.has_perm("registry.view_app", item.app):
        raise Http404(_("No such self-inspection return."))
    return item


@login_required
@require_GET
@explain_denials
def selfcheck_list(request: HttpRequest) -> HttpResponse:
    _require(selfcheck.can_list(request.user), _("Self-inspection roll-ups are for the supervising offices."))
    campaigns = selfcheck.visible_campaigns(request.user).select_related("created_by")[:200]
    return render(request, "supervision/selfcheck/list.html", {
        "campaigns": campaigns, "can_launch": selfcheck.can_launch(request.user),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
@explain_denials
def selfcheck_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _require(selfcheck.can_launch(user), _("Only the national office or a provincial office can launch a "
                                            "self-inspection."))  # fmt: skip
    form = ScopeForm(request.POST or None)
    provincial = user.role == Role.PROVINCIAL_REVIEWER
    if provincial:
        del form.fields["provinces"]
    error, items = None, []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = selfcheck.selfcheck_launch(
                actor=user, title=data["title"], provinces=data.get("provinces") or [],
                unit_levels=data["unit_levels"], app_kinds=data["app_kinds"],
            )  # fmt: skip
        except WorkflowError as exc:
            error, items = exc.message, _items(exc)
            _field_errors(form, exc)
        else:
            messages.success(
                request, _("Self-inspection launched for %(n)d apps.") % {"n": campaign.returns.count()}
            )
            return redirect("supervision:selfcheck_detail", pk=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/selfcheck/new.html", {
        "form": form, "error": error, "items": items, "provincial": provincial,
    }, status=status)  # fmt: skip


@login_required
@require_GET
def selfcheck_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The roll-up: per province who has answered, who has not (by unit), contradictions flagged."""
    campaign = _selfcheck_campaign(request, pk)
    flagged = [
        r
        for r in selfcheck.visible_returns(request.user).filter(campaign=campaign, submitted_at__isnull=False)
        if r.flags
    ]
    user: Any = request.user
    return render(request, "supervision/selfcheck/detail.html", {
        "campaign": campaign, "rollup": selfcheck.rollup(campaign, user), "flagged": flagged,
        "left": _left(campaign.due),
        "can_close": campaign.is_open and selfcheck.can_launch(user)
        and (user.role == Role.NATIONAL_REVIEWER or campaign.created_by_id == user.pk),
    })  # fmt: skip


@login_required
@require_POST
@explain_denials
def selfcheck_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _selfcheck_campaign(request, pk)
    try:
        selfcheck.selfcheck_close(campaign=campaign, actor=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The self-inspection is closed."))
    return redirect("supervision:selfcheck_detail", pk=campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
@explain_denials
def selfcheck_return(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit answers the questionnaire; supervisors read the answers and the flags."""
    item = _return(request, pk)
    can_answer = request.user.has_perm("registry.edit_filing", item.app) and item.campaign.is_open
    if request.method == "POST":
        _require(can_answer and request.user.has_perm("registry.edit_filing", item.app),
                 _("Only a filer of the sponsoring unit can answer its self-inspection."))  # fmt: skip
    initial = {**AnswerForm.initial_from(item.answers), "monthly_active_users": item.monthly_active_users,
               "evidence": item.evidence}  # fmt: skip
    form = AnswerForm(request.POST or None, request.FILES or None, initial=initial) if can_answer else None
    error, items, status = None, [], 200
    if request.method == "POST":
        assert form is not None
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                selfcheck.selfcheck_answer(
                    item=item, actor=request.user, answers=form.answers(),
                    monthly_active_users=data["monthly_active_users"], evidence=data["evidence"],
                    attachment=data.get("attachment"),
                )  # fmt: skip
            except WorkflowError as exc:
                error, items = exc.message, _items(exc)
            else:
                messages.success(request, _("Self-inspection answers recorded."))
                return redirect("supervision:selfcheck_return", pk=item.pk)
        else:
            error = _("The self-inspection is incomplete; answer every marked question.")
    answers = [(q, item.answers.get(q.id, {})) for q in selfcheck.QUESTIONS]
    return render(request, "supervision/selfcheck/return.html", {
        "item": item, "form": form, "answers": answers, "error": error, "items": items,
        "left": _left(item.campaign.due),
    }, status=status)  # fmt: skip


@login_required
@require_GET
def selfcheck_attachment(request: HttpRequest, pk: int) -> FileResponse:
    item = _return(request, pk)
    if not item.attachment:
        raise Http404(_("No supporting document."))
    return FileResponse(
        item.attachment.open("rb"), as_attachment=True, filename=item.attachment_name or "document"
    )

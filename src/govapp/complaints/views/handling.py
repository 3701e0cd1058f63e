"""Complaint handling for the cyberspace offices (login): the list with working-day clocks, one complaint,
its actions and attachments. Deny by default: complaints a user may not see are 404, actions 403;
units never have access, not even to complaints about their own apps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from govapp.core.calendar import Countdown, countdown
from govapp.registry.models import App
from govapp.registry.services import WorkflowError

from .. import services
from ..choices import OPEN_STATUSES, ComplaintCategory, ComplaintStatus
from ..forms import AssignForm, NoteForm, OutcomeForm, RectifyForm, RejectForm
from ..models import Complaint, ComplaintAttachment
from ..privacy import redacted

PAGE_SIZE = 30


def _visible(request: HttpRequest, pk: int) -> Complaint:
    complaint = get_object_or_404(
        Complaint.objects.select_related("app__unit", "app__current_number", "assigned_to"), pk=pk
    )
    if not request.user.has_perm("complaints.view_complaint", complaint):
        raise Http404(_("No such complaint."))
    return complaint


def _require_office(request: HttpRequest) -> None:
    if not request.user.has_perm("complaints.list_complaints"):
        raise PermissionDenied(_("Complaints are handled by the cyberspace offices only."))


def clock_of(complaint: Complaint, today: dt.date | None = None) -> Countdown | None:
    if not complaint.is_open:
        return None
    return countdown(complaint.due, today=today, provisional=complaint.due_provisional)


FILTERS: dict[str, Any] = {
    "open": {"status__in": OPEN_STATUSES},
    "overdue": {"status__in": OPEN_STATUSES, "due__lt": None},  # due filled in per request
    "closed": {"status__in": [ComplaintStatus.CLOSED, ComplaintStatus.REJECTED]},
    "all": {},
}


@login_required
@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    show = request.GET.get("show", "open")
    if show not in FILTERS:
        show = "open"
    lookup = dict(FILTERS[show])
    if "due__lt" in lookup:
        lookup["due__lt"] = timezone.localdate()
    rows = (
        services.visible_complaints(request.user).filter(**lookup).select_related("app__unit", "assigned_to")
    )
    category = request.GET.get("category", "")
    if category in ComplaintCategory.values:
        rows = rows.filter(category=category)
    else:
        category = ""
    page = Paginator(rows.order_by("due", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    context = {
        "page": page,
        "rows": [{"c": c, "clock": clock_of(c, today)} for c in page.object_list],
        "show": show,
        "category": category,
        "categories": ComplaintCategory.choices,
        "filters": [
            ("open", pgettext("complaints not yet closed", "Open")),
            ("overdue", _("Overdue")),
            ("closed", _("Closed")),
            ("all", _("All")),
        ],
    }
    return render(request, "complaints/list.html", context)


@dataclass(frozen=True)
class Action:
    slug: str
    label: str | Promise
    form: type[forms.Form]
    states: tuple[str, ...]
    danger: bool = False
    help: str | Promise = ""


ACTIONS: dict[str, Action] = {
    a.slug: a
    for a in (
        Action(
            "assign", gettext_lazy("Assign"), AssignForm, (ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED)
        ),
        Action(
            "handle",
            gettext_lazy("Add a handling note"),
            NoteForm,
            tuple(OPEN_STATUSES),
            help=gettext_lazy("Internal: what was checked or done. The first note starts the handling."),
        ),
        Action(
            "rectify",
            gettext_lazy("Order rectification"),
            RectifyForm,
            tuple(OPEN_STATUSES),
            help=gettext_lazy(
                "The unit of the app is ordered to rectify; it receives the finding only, never "
                "the complaint, the receipt or the complainant."
            ),
        ),
        Action("close", gettext_lazy("Close with outcome"), OutcomeForm, tuple(OPEN_STATUSES)),
        Action(
            "reject", gettext_lazy("Reject as out of scope"), RejectForm, tuple(OPEN_STATUSES), danger=True
        ),
    )
}


def available_actions(user: Any, complaint: Complaint) -> list[Action]:
    if not user.has_perm("complaints.handle_complaint", complaint):
        return []
    actions = [a for a in ACTIONS.values() if complaint.status in a.states]
    if complaint.app is None or complaint.app.state not in (App.State.FILED, App.State.RECTIFYING):
        actions = [a for a in actions if a.slug != "rectify"]
    return actions


@login_required
@require_GET
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = _visible(request, pk)
    user = request.user
    context = {
        "c": complaint,
        "clock": clock_of(complaint),
        "can_handle": user.has_perm("complaints.handle_complaint", complaint),
        "show_contact": user.has_perm("complaints.view_contact", complaint),
        "can_view_app": complaint.app is not None and user.has_perm("registry.view_app", complaint.app),
        "candidates": App.objects.filter(pk__in=complaint.candidates).select_related("unit")
        if complaint.candidates
        else [],
        "attachments": complaint.attachments.all(),
        "events": complaint.events.select_related("actor"),
        "actions": available_actions(user, complaint),
        "open_for_app": services.open_complaint_counts([complaint.app_id]).get(complaint.app_id, 0)
        if complaint.app_id
        else 0,
    }
    return render(request, "complaints/detail.html", context)


def _initial(action: Action, complaint: Complaint) -> dict[str, Any]:
    if action.slug == "rectify":
        # The finding is the handler's own wording for the unit: never the complainant's text verbatim.
        return {"finding": "", "article": services.article_for(complaint.category)}
    return {}


def _make_form(action: Action, complaint: Complaint, data: Any = None) -> forms.Form:
    kwargs: dict[str, Any] = {"initial": _initial(action, complaint)}
    if action.form is AssignForm:
        kwargs["staff"] = services.office_staff(complaint.province).order_by("username")
    return action.form(data, **kwargs) if data is not None else action.form(**kwargs)


RUNNERS: dict[str, Callable[[Complaint, Any, dict[str, Any]], Any]] = {
    "assign": lambda c, u, d: services.complaint_assign(
        complaint=c, actor=u, assignee=d["assignee"], note=d.get("note", "")
    ),
    "handle": lambda c, u, d: services.complaint_handle(complaint=c, actor=u, note=d["note"]),
    "rectify": lambda c, u, d: services.complaint_order_rectification(
        complaint=c,
        actor=u,
        finding=d["finding"],
        required_actions=d["required_actions"],
        article=d["article"],
        workdays=d.get("workdays"),
        confirm_duplicate=bool(d.get("confirm_duplicate")),
    ),
    "close": lambda c, u, d: services.complaint_close(complaint=c, actor=u, outcome=d["outcome"]),
    "reject": lambda c, u, d: services.complaint_reject(complaint=c, actor=u, reason=d["reason"]),
}

DONE = {
    "assign": gettext_lazy("The complaint was assigned."),
    "handle": gettext_lazy("The note was recorded."),
    "rectify": gettext_lazy("Rectification was ordered; the unit has been notified of the finding."),
    "close": gettext_lazy("The complaint was closed; the complainant can read the outcome."),
    "reject": gettext_lazy(
        "The complaint was rejected as out of scope; the complainant can read the reason."
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def complaint_action(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    complaint = _visible(request, pk)
    action = ACTIONS.get(slug)
    if action is None:
        raise Http404(_("No such action."))
    if not request.user.has_perm("complaints.handle_complaint", complaint):
        return render(
            request,
            "errors/403.html",
            {
                "reason": _("Only the handling office (%(office)s) can act on this complaint.")
                % {"office": complaint.office_label}
            },
            status=403,
        )
    context: dict[str, Any] = {
        "c": complaint,
        "action": action,
        "not_now": complaint.status not in action.states,
        # The complaint as the handler may quote it: the complainant's name and contact masked.
        "quote": redacted(complaint.description, complaint) if slug == "rectify" else "",
    }
    if request.method == "POST":
        form = _make_form(action, complaint, request.POST)
        status = 400
        if form.is_valid():
            try:
                RUNNERS[slug](complaint, request.user, form.cleaned_data)
            except WorkflowError as exc:
                context["error"] = exc.message
                context["error_items"] = exc.items
            except PermissionDenied as exc:
                return render(request, "errors/403.html", {"reason": str(exc)}, status=403)
            else:
                messages.success(request, str(DONE[slug]))
                return redirect("complaints:detail", pk=complaint.pk)
    else:
        form = _make_form(action, complaint)
        status = 200
    context["form"] = form
    return render(request, "complaints/action.html", context, status=status)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    complaint = _visible(request, pk)
    attachment = get_object_or_404(ComplaintAttachment, pk=file_pk, complaint=complaint)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The stored file is missing; ask the administrator to restore it.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response

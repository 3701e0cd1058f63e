"""Pages of rectification orders, suspension notices and typical-problem notices.

Deny by default: objects a user may not see are 404, actions a user may not take are 403; a refused
action re-shows its form with the reason and the field items, HTTP 400, nothing changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from govapp.accounts.auth import signed_in_user
from govapp.accounts.models import Role
from govapp.core.calendar import Countdown, countdown
from govapp.registry.services import WorkflowError, visible_apps
from govapp.registry.views.access import explain_denials, visible_app

from . import notices, rectification, suspension
from .forms import (
    AcceptForm,
    AnswerForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    FindingFormSet,
    NoticeComposeForm,
    NoticeEditForm,
    OrderIssueForm,
    RejectForm,
    RevokeForm,
)
from .models import RUNNING_ORDER_STATES, RectificationOrder, SuspensionNotice, TypicalProblemNotice
from .pdf import pdf_response


def _items(exc: WorkflowError) -> list[dict[str, str]]:
    return [{"label": str(item.label), "message": item.message} for item in exc.items]


def visible_orders(user: Any) -> QuerySet[RectificationOrder]:
    return RectificationOrder.objects.filter(app__in=visible_apps(user)).select_related(
        "app__unit", "issued_by"
    )


def _visible_order(request: HttpRequest, pk: int) -> RectificationOrder:
    order = get_object_or_404(
        RectificationOrder.objects.select_related("app__unit", "issued_by", "scan"), pk=pk
    )
    if not request.user.has_perm("registry.view_app", order.app):
        raise Http404(_("No such rectification order."))
    return order


# ---------------------------------------------------------------- orders


def _countdown(order: RectificationOrder, today: dt.date) -> Countdown | None:
    """The unit's deadline while it runs (issued, or rejected with a new date); None once answered."""
    if order.state not in RUNNING_ORDER_STATES:
        return None
    return countdown(order.due, today=today, provisional=order.due_provisional)


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    orders = visible_orders(request.user)
    state = request.GET.get("state", "")
    if state in RectificationOrder.State.values:
        orders = orders.filter(state=state)
    today = timezone.localdate()
    rows = [(order, _countdown(order, today)) for order in orders[:500]]
    return render(
        request, "supervision/rectification_list.html",
        {"rows": rows, "states": RectificationOrder.State.choices, "state": state},
    )  # fmt: skip


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest, app_pk: int) -> HttpResponse:
    app = visible_app(request, app_pk)
    if not rectification.can_issue(request.user, app):
        raise PermissionDenied(
            _("Only the national office or the app's provincial reviewers can order rectification.")
        )
    post = request.method == "POST"
    form = OrderIssueForm(request.POST if post else None)
    formset = FindingFormSet(request.POST if post else None, prefix="findings")
    error, error_items, status = "", [], 200
    if post:
        if form.is_valid() and formset.is_valid():
            findings = [f for f in (sub.finding() for sub in formset) if f is not None]
            data = form.cleaned_data
            try:
                order = rectification.rectification_order_issue(
                    app=app, actor=request.user, source=data["source"], findings=findings,
                    required_actions=data["required_actions"], article=data["article"], article_note=data["article_note"],
                    workdays=data["workdays"],
                    complaint=data["complaint_case"] or None, confirm_duplicate=data["confirm_duplicate"],
                )  # fmt: skip
            except WorkflowError as exc:
                error, error_items, status = exc.message, _items(exc), 400
            else:
                messages.success(request, _("Rectification ordered; the unit has been notified."))
                return redirect("supervision:order_detail", order.pk)
        else:
            error, status = _("Correct the fields marked below."), 400
    context = {"app": app, "form": form, "formset": formset, "error": error, "error_items": error_items}
    return render(request, "supervision/rectification_new.html", context, status=status)


@login_required
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _visible_order(request, pk)
    user = request.user
    answers = list(order.answers.select_related("scan", "package", "submitted_by"))
    extensions = list(order.extensions.select_related("requested_by", "decided_by"))
    actions = [(slug, a.label) for slug, a in ORDER_ACTIONS.items() if a.available(user, order)]
    context = {
        "order": order, "app": order.app, "answers": answers, "extensions": extensions,
        "events": order.events.select_related("actor"), "actions": actions,
        "clock": _countdown(order, timezone.localdate()),
        "pending_extension": order.pending_extension(),
        "can_decide": rectification.can_decide(user, order),
    }  # fmt: skip
    return render(request, "supervision/rectification_detail.html", context)


@dataclass(frozen=True)
class OrderAction:
    label: Any
    form: type[forms.Form]
    allowed: Callable[[Any, RectificationOrder], bool]
    states: tuple[str, ...]
    run: Callable[[HttpRequest, RectificationOrder, dict[str, Any]], Any]
    done: Any
    danger: bool = False

    def available(self, user: Any, order: RectificationOrder) -> bool:
        return order.state in self.states and self.allowed(user, order)


def _answer(request: HttpRequest, order: RectificationOrder, data: dict[str, Any]) -> Any:
    return rectification.rectification_answer(
        order=order, actor=request.user, statement=data["statement"], package_file=data.get("package"),
        attachment=data.get("attachment"),
    )  # fmt: skip


def _extension(request: HttpRequest, order: RectificationOrder, data: dict[str, Any]) -> Any:
    return rectification.extension_request(
        order=order, actor=request.user, reason=data["reason"], wanted_due=data["wanted_due"]
    )


def _decide_extension(request: HttpRequest, order: RectificationOrder, data: dict[str, Any]) -> Any:
    pending = order.pending_extension()
    if pending is None:
        raise WorkflowError(_("There is no request for more time waiting for a decision."))
    return rectification.extension_decide(
        request=pending,
        actor=request.user,
        grant=data["decision"] == "grant",
        note=data["note"],
        due=data["due"],
    )


ORDER_ACTIONS: dict[str, OrderAction] = {
    "answer": OrderAction(
        gettext_lazy("Answer the order"), AnswerForm, rectification.can_answer, ("issued", "rejected"), _answer,
        gettext_lazy("Answer submitted; the reviewers have been notified."),
    ),
    "extension": OrderAction(
        gettext_lazy("Ask for more time"), ExtensionRequestForm, rectification.can_answer, ("issued", "rejected"),
        _extension, gettext_lazy("Request sent."),
    ),
    "decide-extension": OrderAction(
        gettext_lazy("Decide on more time"), ExtensionDecisionForm,
        lambda u, o: rectification.can_decide(u, o) and o.pending_extension() is not None, ("issued", "rejected"),
        _decide_extension, gettext_lazy("Decision recorded."),
    ),
    "accept": OrderAction(
        gettext_lazy("Accept the rectification"), AcceptForm, rectification.can_accept, ("answered",),
        lambda r, o, d: rectification.rectification_accept(order=o, actor=r.user, note=d["note"]),
        gettext_lazy("Rectification accepted."),
    ),
    "reject": OrderAction(
        gettext_lazy("Reject the answer"), RejectForm, rectification.can_decide, ("answered",),
        lambda r, o, d: rectification.rectification_reject(order=o, actor=r.user, reasons=d["reasons"],
                                                           new_due=d["new_due"]),
        gettext_lazy("Answer rejected; the unit has been notified."), danger=True,
    ),
    "revoke": OrderAction(
        gettext_lazy("Revoke the filing"), RevokeForm, lambda u, o: rectification.can_revoke(u, o.app),
        ("issued", "answered", "rejected", "overdue"),
        lambda r, o, d: rectification.rectification_revoke(order=o, actor=r.user, reason=d["reason"]),
        gettext_lazy("Filing revoked; suspension notices were sent."), danger=True,
    ),
}  # fmt: skip


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    order = _visible_order(request, pk)
    spec = ORDER_ACTIONS.get(action)
    if spec is None:
        raise Http404(_("No such action."))
    if not spec.allowed(request.user, order):
        raise PermissionDenied(_("You may not “%(action)s” here.") % {"action": spec.label})
    post = request.method == "POST"
    form = spec.form(request.POST if post else None, request.FILES if post else None)
    error, error_items, status = "", [], 200
    if post:
        if form.is_valid():
            try:
                with transaction.atomic():
                    spec.run(request, order, form.cleaned_data)
            except WorkflowError as exc:
                error, error_items, status = exc.message, _items(exc), 400
            else:
                messages.success(request, str(spec.done))
                return redirect("supervision:order_detail", order.pk)
        else:
            error, status = _("Correct the fields marked below."), 400
    context = {
        "order": order, "app": order.app, "action": spec, "slug": action, "form": form, "error": error,
        "error_items": error_items, "not_now": order.state not in spec.states,
        "pending_extension": order.pending_extension() if action == "decide-extension" else None,
    }  # fmt: skip
    return render(request, "supervision/rectification_action.html", context, status=status)


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def app_revoke(request: HttpRequest, app_pk: int) -> HttpResponse:
    """Direct revocation with its consequences (not from an order)."""
    app = visible_app(request, app_pk)
    if not rectification.can_revoke(request.user, app):
        raise PermissionDenied(_("Only the national office can revoke a filing."))
    post = request.method == "POST"
    form = RevokeForm(request.POST if post else None)
    error, error_items, status = "", [], 200
    if post:
        if form.is_valid():
            try:
                suspension.revocation_with_consequences(
                    app=app,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    basis=form.cleaned_data["basis"],
                )
            except WorkflowError as exc:
                error, error_items, status = exc.message, _items(exc), 400
            else:
                messages.success(request, _("Filing revoked; suspension notices were sent."))
                return redirect("registry:app_detail", app.pk)
        else:
            error, status = _("Correct the fields marked below."), 400
    context = {"app": app, "form": form, "error": error, "error_items": error_items}
    return render(request, "supervision/suspension_revoke.html", context, status=status)


# ---------------------------------------------------------------- suspension notices


def _visible_suspension(request: HttpRequest, pk: int) -> SuspensionNotice:
    notice = get_object_or_404(SuspensionNotice.objects.select_related("app", "unit", "addressee"), pk=pk)
    if not suspension.can_view_notice(request.user, notice):
        raise Http404(_("No such suspension notice."))
    return notice


@login_required
@require_GET
def suspension_inbox(request: HttpRequest) -> HttpResponse:
    notices_qs = suspension.visible_notices(request.user)
    national = signed_in_user(request).role == Role.NATIONAL_REVIEWER
    return render(
        request, "supervision/suspension_inbox.html", {"notices": notices_qs[:500], "national": national}
    )


def _suspension_context(notice: SuspensionNotice) -> dict[str, Any]:
    return {
        "notice": notice,
        "orders": notice.orders.select_related("app"),
        "national": suspension.national_office(),
    }


@login_required
@require_GET
def suspension_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _visible_suspension(request, pk)
    context = _suspension_context(notice)
    # The national office forwards what nobody at the authority can read; the PDF itself carries no marker.
    context["no_account"] = (
        signed_in_user(request).role == Role.NATIONAL_REVIEWER
        and notice.authority_registered
        and not suspension.addressee_has_account(notice)
    )
    return render(request, "supervision/suspension_print.html", context)


@login_required
@require_GET
def suspension_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _visible_suspension(request, pk)
    return pdf_response(request, "supervision/suspension_print.html", _suspension_context(notice),
                        f"{notice.reference}.pdf")  # fmt: skip


# ---------------------------------------------------------------- typical-problem notices


def _published(pk: int) -> TypicalProblemNotice:
    return get_object_or_404(TypicalProblemNotice, pk=pk, status=TypicalProblemNotice.Status.PUBLISHED)


@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    published = TypicalProblemNotice.objects.filter(status=TypicalProblemNotice.Status.PUBLISHED)
    return render(request, "supervision/notice_list.html", {"notices": published[:200]})


@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "supervision/notice_print.html", {"notice": _published(pk)})


@require_GET
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _published(pk)
    return pdf_response(
        request, "supervision/notice_print.html", {"notice": notice}, f"notice-{notice.pk}.pdf"
    )


def _require_composer(request: HttpRequest) -> None:
    if not notices.can_compose(request.user):
        raise PermissionDenied(_("Only the national office composes typical-problem notices."))


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def notice_manage(request: HttpRequest) -> HttpResponse:
    """Drafts and published notices, and the form to compose a new one from cases."""
    _require_composer(request)
    post = request.method == "POST"
    form = NoticeComposeForm(request.POST if post else None)
    error, error_items, status = "", [], 200
    if post:
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = notices.notice_compose(
                    actor=request.user, orders=list(data["orders"]), complaint_cases=data["complaint_cases"],
                    title=data["title"],
                )  # fmt: skip
            except WorkflowError as exc:
                error, error_items, status = exc.message, _items(exc), 400
            else:
                return redirect("supervision:notice_edit", notice.pk)
        else:
            error, status = _("Correct the fields marked below."), 400
    context = {
        "form": form, "error": error, "error_items": error_items,
        "all_notices": TypicalProblemNotice.objects.all()[:200],
    }  # fmt: skip
    return render(request, "supervision/notice_manage.html", context, status=status)


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_composer(request)
    notice = get_object_or_404(TypicalProblemNotice, pk=pk)
    post = request.method == "POST"
    form = NoticeEditForm(
        request.POST if post else None, initial={"title": notice.title, "body": notice.body}
    )
    error, error_items, status = "", [], 200
    if post:
        if form.is_valid():
            try:
                notices.notice_edit(notice=notice, actor=request.user, **form.cleaned_data)
                if request.POST.get("publish"):
                    notices.notice_publish(notice=notice, actor=request.user)
            except WorkflowError as exc:
                error, error_items, status = exc.message, _items(exc), 400
            else:
                if request.POST.get("publish"):
                    messages.success(request, _("Notice published."))
                    return redirect("supervision:notice_detail", notice.pk)
                messages.success(request, _("Draft saved."))
                return redirect("supervision:notice_edit", notice.pk)
        else:
            error, status = _("Correct the fields marked below."), 400
    context = {"notice": notice, "form": form, "error": error, "error_items": error_items,
               "preview_url": reverse("supervision:notice_detail", args=[notice.pk])}  # fmt: skip
    return render(request, "supervision/notice_edit.html", context, status=status)

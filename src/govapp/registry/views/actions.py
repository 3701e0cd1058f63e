"""Workflow actions on filings and apps: one table of actions, one GET/POST view that runs them.

GET shows the action's form (the filing page links to it); POST validates it and calls the service.
A refused action (WorkflowError) re-shows the form with the reason and the items, HTTP 400, state unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govapp.core.htmx import HtmxHttpRequest

from .. import marks, services
from ..choices import PRE_FILING, AttachmentKind, FilingState
from ..forms import (
    MAX_DEFICIENCY_ITEMS,
    DeficiencyFormSet,
    DeregisterForm,
    ExtendForm,
    NoteForm,
    ReasonForm,
    RequestSupplementForm,
    ReturnForm,
    RevokeForm,
    ShutdownForm,
    SupplementForm,
    WithdrawForm,
    deficiencies_from,
    deficiency_initial,
    store_attachment,
)
from ..materials import Deficiency, missing_materials
from ..models import App, Filing
from .access import explain_denials, visible_app, visible_filing
from .clock import deregistration_clock, filing_clock
from .presentation import linked_items

Tone = Literal["primary", "secondary", "danger"]
Runner = Callable[[HttpRequest, Any, dict[str, Any], list[Deficiency]], str]


class EmptyForm(forms.Form):
    """Actions that need nothing but the click (and the CSRF token)."""


@dataclass(frozen=True)
class Action:
    slug: str
    label: str | Promise
    perms: tuple[str, ...]  # any one of them allows the action
    states: tuple[str, ...]
    form: type[forms.Form]
    run: Runner
    done: str | Promise
    deficiencies: bool = False
    # primary: a step forward (approve, forward, submit); danger: a refusal or an end (return, revoke,
    # withdraw); secondary: neither (extend). Decision buttons must not all look alike.
    tone: Tone = "primary"
    inline: bool = False  # no input: the filing page posts it directly
    help: str | Promise = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # A condition beyond the state (e.g. "the last procedure ended without a filing").
    when: Callable[[Any], bool] | None = None

    @property
    def button_class(self) -> str:
        """The class of the button or link that takes this action (static/govapp/app.css)."""
        return f"btn-{self.tone}"

    def allowed(self, user: Any, obj: Any) -> bool:
        return any(user.has_perm(p, obj) for p in self.perms)

    def available(self, user: Any, obj: Any) -> bool:
        return obj.state in self.states and (self.when is None or self.when(obj)) and self.allowed(user, obj)


def _detail(filing: Filing) -> str:
    return reverse("registry:filing_detail", args=[filing.pk])


def _app_detail(app: App) -> str:
    return reverse("registry:app_detail", args=[app.pk])


# ---------------------------------------------------------------- runners


def _submit(request: HttpRequest, filing: Filing, data: dict[str, Any], items: list[Deficiency]) -> str:
    return _detail(services.filing_submit(filing=filing, actor=request.user))


def _withdraw(request: HttpRequest, filing: Filing, data: dict[str, Any], items: list[Deficiency]) -> str:
    return _detail(services.filing_withdraw(filing=filing, actor=request.user, reason=data.get("note", "")))


def _supplement(request: HttpRequest, filing: Filing, data: dict[str, Any], items: list[Deficiency]) -> str:
    attachments = []
    if data.get("document"):
        attachments.append(
            store_attachment(
                filing=filing, kind=AttachmentKind.SUPPLEMENT, upload=data["document"], actor=request.user
            )
        )
    services.filing_supplement(
        filing=filing, actor=request.user, statement=data["statement"], attachments=attachments
    )
    return _detail(filing)


def _forward(request: HttpRequest, filing: Filing, data: dict[str, Any], items: list[Deficiency]) -> str:
    return _detail(services.filing_forward(filing=filing, actor=request.user, note=data.get("note", "")))


def _return(request: HttpRequest, filing: Filing, data: dict[str, Any], items: list[Deficiency]) -> str:
    services.filing_return_incomplete(
        filing=filing, actor=request.user, items=items, note=data.get("note", ""), marks_seen=data["marks"]
    )
    return _detail(filing)


def _approve(request: HttpRequest, filing: Filing, data: dict[str, Any], items: list[Deficiency]) -> str:
    return _detail(services.filing_approve(filing=filing, actor=request.user, note=data.get("note", "")))


def _request_supplement(
    request: HttpRequest, filing: Filing, data: dict[str, Any], items: list[Deficiency]
) -> str:
    services.filing_request_supplement(
        filing=filing, actor=request.user, items=items, note=data.get("note", ""),
        test_failed=bool(data.get("test_failed")), marks_seen=data["marks"],
    )  # fmt: skip
    return _detail(filing)


def _extend(request: HttpRequest, filing: Filing, data: dict[str, Any], items: list[Deficiency]) -> str:
    services.filing_extend(
        filing=filing, actor=request.user, reason=data["reason"], expected_date=data["expected_date"]
    )
    return _detail(filing)


def _change(request: HttpRequest, app: App, data: dict[str, Any], items: list[Deficiency]) -> str:
    filing = services.change_start(app=app, actor=request.user)
    return reverse("registry:filing_edit", args=[filing.pk, "change"])


def _start_again(request: HttpRequest, app: App, data: dict[str, Any], items: list[Deficiency]) -> str:
    filing = services.filing_start_again(app=app, actor=request.user)
    return reverse("registry:filing_edit", args=[filing.pk, "basic"])


def _refile(request: HttpRequest, app: App, data: dict[str, Any], items: list[Deficiency]) -> str:
    filing = services.refiling_start(app=app, actor=request.user)
    return reverse("registry:filing_edit", args=[filing.pk, "basic"])


def _shutdown(request: HttpRequest, app: App, data: dict[str, Any], items: list[Deficiency]) -> str:
    attachments = []
    if data.get("document"):
        holder = app.approved_filing or app.filings.order_by("-created_at").first()
        assert holder is not None
        attachments.append(
            store_attachment(filing=holder, kind=AttachmentKind.SHUTDOWN_NOTICE, upload=data["document"],
                             actor=request.user)
        )  # fmt: skip
    services.shutdown_announce(
        app=app,
        actor=request.user,
        notice=data["notice"],
        offline_date=data["offline_date"],
        attachments=attachments,
    )
    return _app_detail(app)


def _deregister(request: HttpRequest, app: App, data: dict[str, Any], items: list[Deficiency]) -> str:
    services.app_deregister(app=app, actor=request.user, report=data["report"])
    return _app_detail(app)


def _rectify(request: HttpRequest, app: App, data: dict[str, Any], items: list[Deficiency]) -> str:
    services.app_order_rectification(app=app, actor=request.user, reason=data["reason"])
    return _app_detail(app)


def _accept_rectification(
    request: HttpRequest, app: App, data: dict[str, Any], items: list[Deficiency]
) -> str:
    services.app_accept_rectification(app=app, actor=request.user, note=data.get("note", ""))
    return _app_detail(app)


def _revoke(request: HttpRequest, app: App, data: dict[str, Any], items: list[Deficiency]) -> str:
    services.app_revoke(app=app, actor=request.user, reason=data["reason"], basis=data.get("basis", ""))
    return _app_detail(app)


# ---------------------------------------------------------------- the tables

S = FilingState
FILING_ACTIONS: dict[str, Action] = {
    a.slug: a
    for a in (
        Action("submit", gettext_lazy("Submit"), ("registry.edit_filing",), (S.DRAFT, S.RETURNED), EmptyForm,
               _submit, gettext_lazy("Submitted. The review clock has started."), inline=True,
               help=gettext_lazy("Submits the filing for review. Every required item must be complete.")),
        Action("withdraw", gettext_lazy("Withdraw"), ("registry.edit_filing",), tuple(PRE_FILING), WithdrawForm,
               _withdraw, gettext_lazy("The filing was withdrawn."), tone="danger",
               help=gettext_lazy("Withdrawing ends this procedure for good; the record is kept.")),
        Action("supplement", gettext_lazy("Submit supplement"), ("registry.edit_filing",), (S.AWAITING_SUPPLEMENT,),
               SupplementForm, _supplement,
               gettext_lazy("Supplement submitted. Review and technical test run again."),
               help=gettext_lazy("First correct the materials in the form, then explain here what was added or "
                                 "changed for each item.")),
        Action("forward", gettext_lazy("Forward to the national office"), ("registry.review_provincial",),
               (S.PROVINCIAL_REVIEW,), NoteForm, _forward, gettext_lazy("Forwarded to the national office."),
               help=gettext_lazy("The materials are complete (完备性审核 passed).")),
        Action("return", gettext_lazy("Return as incomplete"), ("registry.review_provincial",), (S.PROVINCIAL_REVIEW,),
               ReturnForm, _return, gettext_lazy("Returned to the unit with the deficiency list."), deficiencies=True,
               tone="danger",
               help=gettext_lazy("List everything that is missing in one go (一次性告知): the unit completes all "
                                 "items and submits again.")),
        Action("approve", gettext_lazy("Approve and issue the filing number"), ("registry.review_national",),
               (S.NATIONAL_REVIEW,), NoteForm, _approve, gettext_lazy("Filed. The filing number was issued.")),
        Action("request_supplement", gettext_lazy("Request supplement"), ("registry.review_national",),
               (S.NATIONAL_REVIEW,), RequestSupplementForm, _request_supplement,
               gettext_lazy("Supplement requested; the unit was notified."), deficiencies=True, tone="danger",
               help=gettext_lazy("The unit has N3 working days to answer; without an answer the filing is deemed "
                                 "abandoned.")),
        Action("extend", gettext_lazy("Extend the review period"), ("registry.review_national",),
               (S.NATIONAL_REVIEW,), ExtendForm, _extend, gettext_lazy("Review period extended; the unit was told."),
               tone="secondary",
               help=gettext_lazy("For a complex case: the unit is told the reason and the expected date.")),
    )
}  # fmt: skip

APP_ACTIONS: dict[str, Action] = {
    a.slug: a
    for a in (
        Action("change", gettext_lazy("Start a change filing"), ("registry.edit_filing",), (S.FILED,), EmptyForm,
               _change, gettext_lazy("Change filing started from the approved materials."), inline=True,
               help=gettext_lazy("File a change at least N4 working days before it takes effect.")),
        Action("shutdown", gettext_lazy("Announce shutdown"), ("registry.edit_filing",), (S.FILED,), ShutdownForm,
               _shutdown, gettext_lazy("Shutdown announced. Report within N5 working days after going offline."),
               tone="danger"),
        Action("deregister", gettext_lazy("Report offline and deregister"), ("registry.edit_filing",),
               (S.SHUTDOWN_NOTICED,), DeregisterForm, _deregister,
               gettext_lazy("Deregistered. The filing number stays resolvable as deregistered."), tone="danger"),
        Action("start_again", gettext_lazy("File this app again"), ("registry.edit_filing",), (S.DRAFT,),
               EmptyForm, _start_again, gettext_lazy("A new filing was started from the last materials."),
               inline=True, when=services.can_start_again,
               help=gettext_lazy("The last filing was deemed abandoned or withdrawn: file the same app again "
                                 "rather than a new one.")),
        Action("refile", gettext_lazy("Start re-filing"), ("registry.edit_filing",), (S.REVOKED,), EmptyForm,
               _refile, gettext_lazy("Re-filing started from the last approved materials."), inline=True),
        Action("rectify", gettext_lazy("Order rectification"),
               ("registry.review_national", "registry.review_provincial"), (S.FILED,),
               ReasonForm, _rectify, gettext_lazy("Rectification ordered; the unit was notified."), tone="danger"),
        Action("accept_rectification", gettext_lazy("Accept rectification"), ("registry.review_national",),
               (S.RECTIFYING,), NoteForm, _accept_rectification, gettext_lazy("Rectification accepted.")),
        Action("revoke", gettext_lazy("Revoke the filing"), ("registry.review_national",),
               (S.FILED, S.RECTIFYING, S.CHANGE_REVIEW), RevokeForm, _revoke,
               gettext_lazy("Filing revoked; the unit was notified."), tone="danger",
               help=gettext_lazy("撤销备案: the number resolves as revoked; project approvals and O&M funding are "
                                 "suspended until the app is filed again.")),
    )
}  # fmt: skip


@dataclass(frozen=True)
class ActionLink:
    action: Action
    url: str


def available_actions(user: Any, obj: Filing | App) -> list[ActionLink]:
    """The actions this user may take on this filing or app now, with the URL of each."""
    scope, table = ("filing", FILING_ACTIONS) if isinstance(obj, Filing) else ("app", APP_ACTIONS)
    return [
        ActionLink(a, reverse(f"registry:{scope}_{a.slug}", args=[obj.pk]))
        for a in table.values()
        if a.available(user, obj)
    ]


# ---------------------------------------------------------------- the view


def _initial_items(action: Action, filing: Filing, current: list[Any]) -> list[dict[str, str]]:
    """The list starts from the fields marked deficient on the filing page; a return adds what is missing
    for the fields nobody marked."""
    items = marks.marks_as_items(current)
    if action.slug == "return":
        marked = {i.field for i in items}
        items += [i for i in missing_materials(filing) if i.field not in marked]
    return deficiency_initial(items)


def _posted_rows(data: Any) -> list[dict[str, str]]:
    """The rows of the posted list as typed, unvalidated (bounded like the formset)."""
    try:
        total = int(data.get("items-TOTAL_FORMS", "0"))
    except ValueError:
        total = 0
    return [
        {key: str(data.get(f"items-{i}-{key}", "")) for key in ("field", "phrase", "message")}
        for i in range(max(0, min(total, MAX_DEFICIENCY_ITEMS)))
    ]


def _list_shown_again(
    request: HttpRequest, action: Action, phrases: list[Any], rows: list[dict[str, str]], marks_token: str
) -> tuple[forms.Form, Any]:
    """The list page again from what was posted, not validated (nothing was decided): unbound forms
    seeded with the posted note and rows, one empty row more, and the marks the rows now start from."""
    initial: dict[str, Any] = {
        name: request.POST[name] for name in action.form.base_fields if name in request.POST
    }
    initial["marks"] = marks_token
    formset = DeficiencyFormSet(prefix="items", form_kwargs={"phrases": phrases}, initial=rows)
    formset.extra = 1
    return action.form(initial=initial), formset


def _run_action(request: HtmxHttpRequest, obj: Filing | App, action: Action) -> HttpResponse:
    if not action.allowed(request.user, obj):
        raise PermissionDenied(_("You may not “%(action)s” here.") % {"action": action.label})
    is_filing = isinstance(obj, Filing)
    post = request.method == "POST"
    form = action.form(request.POST if post else None, request.FILES if post else None)
    formset = None
    phrases: list[Any] = []
    if action.deficiencies:
        assert isinstance(obj, Filing)
        phrases = list(marks.phrases_of(marks.office_of(request.user), get_language()))
        if post:
            formset = DeficiencyFormSet(request.POST, prefix="items", form_kwargs={"phrases": phrases})
        else:
            current = list(marks.current_marks(obj))
            form = action.form(initial={"marks": marks.marks_token(current)})
            formset = DeficiencyFormSet(prefix="items", form_kwargs={"phrases": phrases},
                                        initial=_initial_items(action, obj, current))  # fmt: skip
    error, error_items, status = "", [], 200
    if post and action.deficiencies and "add_item" in request.POST:
        # "Add item": the same list with a row more; the marks the page started from stay as they were.
        form, formset = _list_shown_again(
            request, action, phrases, _posted_rows(request.POST), str(request.POST.get("marks", ""))
        )
    elif post:
        if form.is_valid() and (formset is None or formset.is_valid()):
            items = deficiencies_from(formset) if formset is not None else []
            try:
                with transaction.atomic():
                    target = action.run(request, obj, form.cleaned_data, items)
            except marks.MarksChanged as exc:
                # Nothing is lost: the marks written since the page was opened join the list, to check.
                rows = [r for r in _posted_rows(request.POST) if any(r.values())]
                rows += [{"field": m.field, "phrase": "", "message": m.message} for m in exc.unseen]
                form, formset = _list_shown_again(
                    request, action, phrases, rows, marks.marks_token(exc.current)
                )
                error, status, error_items = exc.message, 400, exc.items
            except services.WorkflowError as exc:
                error, status = exc.message, 400
                error_items = exc.items
            else:
                messages.success(request, str(action.done))
                return redirect(target)
        else:
            error, status = _("Correct the fields marked below."), 400
    context: dict[str, Any] = {
        "action": action,
        "form": form,
        "formset": formset,
        "error": error,
        "error_items": linked_items(obj, error_items) if isinstance(obj, Filing) and error_items else
        [{"label": str(i.label), "message": i.message} for i in error_items],
        "not_now": obj.state not in action.states,
        "action_url": request.path,
        "phrases_url": reverse("registry:phrase_list") if formset is not None and marks.office_of(request.user)
        else "",
    }  # fmt: skip
    if is_filing:
        assert isinstance(obj, Filing)
        context.update(filing=obj, app=obj.app, clock=filing_clock(obj), back=_detail(obj))
        if action.slug == "approve":
            context["approval_blockers"] = services.approval_blockers(obj)
    else:
        assert isinstance(obj, App)
        context.update(app=obj, back=_app_detail(obj), deregistration_clock=deregistration_clock(obj))
        if action.slug == "shutdown":
            from django.conf import settings

            context["n5_days"] = settings.GOVAPP_LIMITS["N5"]
    if request.htmx and status == 400:
        response = render(request, "registry/_action_form.html", context, status=status)
        return response
    return render(request, "registry/action.html", context, status=status)


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def filing_action(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    filing = visible_filing(request, pk)
    return _run_action(request, filing, FILING_ACTIONS[action])


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def app_action(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    app = visible_app(request, pk)
    return _run_action(request, app, APP_ACTIONS[action])

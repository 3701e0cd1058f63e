"""The national office's decisions on what the technical test found: per-finding decisions, an accepted
signing-key change, identity conflicts; and the per-rule precision those decisions measure.

Deny by default as the rest of the technical test: what the user may not see answers 404, a decision
the user may not take 403 with its reason.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from govapp.registry.models import App
from govapp.registry.services import WorkflowError

from .conflicts import conflict_refuse, conflict_transfer
from .key_change import key_change_accept
from .services import can_request_rescan
from .verdicts import finding_decide, rule_precision
from .views import _filing_url, _refusals, _visible_filing, _visible_scan


class DecisionForm(forms.Form):
    rule = forms.CharField(max_length=80)
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("false_positive", gettext_lazy("False positive")),
            ("exception_accepted", gettext_lazy("Exception accepted (security or emergency scenario)")),
        ],
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=2000, widget=forms.Textarea
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=2000, widget=forms.Textarea
    )
    other_app = forms.IntegerField(required=False)


def _require_national(request: HttpRequest) -> None:
    if not getattr(request.user, "is_national_role", False):
        raise PermissionDenied(_("Only the national office decides on the technical test's findings."))


def _outcome(request: HttpRequest, error: WorkflowError | None, done: str, target: str) -> HttpResponse:
    if error is not None:
        messages.error(request, error.message)
        return render(
            request, "inspection/refused.html", {"reason": error.message, "back": target}, status=400
        )
    messages.success(request, done)
    return redirect(target)


@login_required
@require_POST
@_refusals
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision on one violation of a scan (false positive / exception accepted)."""
    scan = _visible_scan(request, pk)
    _require_national(request)
    form = DecisionForm(request.POST)
    target = reverse("inspection:report", args=[scan.pk])
    error: WorkflowError | None = None
    if not form.is_valid():
        error = WorkflowError(_("Choose a decision for the finding."))
    else:
        try:
            finding_decide(
                scan=scan, rule=form.cleaned_data["rule"], decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"], actor=request.user,
            )  # fmt: skip
        except WorkflowError as exc:
            error = exc
    return _outcome(request, error, _("The decision is recorded in the filing's history."), target)


@login_required
@require_POST
@_refusals
def key_change(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _visible_filing(request, pk)
    _require_national(request)
    form = ReasonForm(request.POST)
    form.is_valid()
    error: WorkflowError | None = None
    try:
        key_change_accept(filing=filing, actor=request.user, reason=form.cleaned_data.get("reason") or "")
    except WorkflowError as exc:
        error = exc
    return _outcome(
        request,
        error,
        _("The new signing key is accepted; the package is tested again."),
        _filing_url(filing),
    )


@login_required
@require_POST
@_refusals
def conflict_resolve(request: HttpRequest, pk: int, outcome: str) -> HttpResponse:
    """The national office resolves an identity conflict: transfer the held app, or refuse this filing."""
    filing = _visible_filing(request, pk)
    _require_national(request)
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason") or ""
    error: WorkflowError | None = None
    try:
        if outcome == "transfer":
            other = get_object_or_404(App, pk=form.cleaned_data.get("other_app") or 0)
            conflict_transfer(filing=filing, other_app=other, actor=request.user, reason=reason)
            done = _("The app was transferred; this filing is closed.")
        else:
            conflict_refuse(filing=filing, actor=request.user, reason=reason)
            done = _("The filing is refused and closed.")
    except WorkflowError as exc:
        error, done = exc, ""
    return _outcome(request, error, done, _filing_url(filing))


@login_required
@require_GET
@_refusals
def precision(request: HttpRequest) -> HttpResponse:
    """Per rule: violations raised on distinct packages, reviewers' false positives and accepted exceptions."""
    if not can_request_rescan(request.user):
        raise PermissionDenied(_("Only the national office or a testing body can see the rules' precision."))
    return render(request, "inspection/precision.html", {"rows": rule_precision()})

"""Marking materials deficient on the filing page, and the offices' standard phrases (plain POST + redirect
back to the field, so that it works without JavaScript)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from govapp.accounts.auth import signed_in_user
from govapp.accounts.divisions import PROVINCE_CHOICES
from govapp.accounts.models import Role

from .. import marks
from ..models import DeficiencyPhrase, Filing
from ..workflow import WorkflowError
from .access import explain_denials, visible_filing
from .filings import filing_detail_context


class MarkForm(forms.Form):
    field = forms.CharField(
        max_length=40, error_messages={"required": gettext_lazy("Say which item is marked.")}
    )
    phrase = forms.IntegerField(required=False, min_value=1)
    remark = forms.CharField(required=False, max_length=marks.MAX_REMARK, strip=True)
    save_phrase = forms.BooleanField(required=False)


def field_anchor(filing: Filing, field: str) -> str:
    return f"{reverse('registry:filing_detail', args=[filing.pk])}#field-{field}"


def _refused(
    request: HttpRequest, filing: Filing, *, field: str, message: str, remark: str = ""
) -> HttpResponse:
    """The filing page again, HTTP 400, with the refusal beside the field (the form's text kept)."""
    context = filing_detail_context(request, filing)
    context["mark_error"] = {
        "field": field,
        "known": field in marks.markable_fields(filing),
        "label": marks.item_label(field),
        "message": message,
        "remark": remark,
    }
    return render(request, "registry/filing_detail.html", context, status=400)


@login_required
@explain_denials
@require_POST
def filing_mark(request: HttpRequest, pk: int) -> HttpResponse:
    filing = visible_filing(request, pk)
    marks.require_marker(request.user, filing)
    form = MarkForm(request.POST)
    field = str(request.POST.get("field", ""))[:60]
    remark = str(request.POST.get("remark", ""))
    if not form.is_valid():
        _name, errors = next(iter(form.errors.items()))
        return _refused(request, filing, field=field, remark=remark,
                        message=_("%(item)s: %(error)s") % {"item": marks.item_label(field), "error": " ".join(map(str, errors))})  # fmt: skip
    data = form.cleaned_data
    phrase_text = ""
    if data.get("phrase"):
        phrase = (
            marks.phrases_of(marks.office_of(request.user), get_language()).filter(pk=data["phrase"]).first()
        )
        if phrase is None:
            return _refused(request, filing, field=field, remark=remark,
                            message=_("The standard phrase chosen is not in your office's list; choose another."))  # fmt: skip
        phrase_text = phrase.text
    message = " ".join(part for part in (phrase_text, data.get("remark", "")) if part)
    try:
        # The mark and the phrase kept from it are saved together or not at all.
        with transaction.atomic():
            marks.mark_set(filing=filing, actor=request.user, field=data["field"], message=message)
            if data.get("save_phrase") and data.get("remark"):
                marks.phrase_add(actor=request.user, text=data["remark"], language=get_language())
    except WorkflowError as error:
        return _refused(request, filing, field=field, remark=remark, message=error.message)
    messages.success(
        request, _("“%(item)s” is marked deficient.") % {"item": marks.item_label(data["field"])}
    )
    return redirect(field_anchor(filing, data["field"]))


@login_required
@explain_denials
@require_POST
def filing_mark_clear(request: HttpRequest, pk: int) -> HttpResponse:
    filing = visible_filing(request, pk)
    marks.require_marker(request.user, filing)
    field = str(request.POST.get("field", ""))[:60]
    try:
        cleared = marks.mark_clear(filing=filing, actor=request.user, field=field)
    except WorkflowError as error:
        return _refused(request, filing, field=field, message=error.message)
    if cleared:
        messages.success(request, _("The mark on “%(item)s” is cleared.") % {"item": marks.item_label(field)})
    else:
        messages.info(request, _("“%(item)s” was not marked.") % {"item": marks.item_label(field)})
    return redirect(field_anchor(filing, field))


# ---------------------------------------------------------------- standard phrases


class PhraseForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Phrase"),
        max_length=marks.MAX_PHRASE,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Write the phrase.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No ":" after the label, as on the other forms (a half-width colon inside Chinese text).
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


OFFICE_CHOICES = [(DeficiencyPhrase.NATIONAL_OFFICE, gettext_lazy("National office")), *PROVINCE_CHOICES]


def _office_for_page(request: HttpRequest) -> str:
    """The reviewer's own office; an administrator chooses any (``?office=``, national by default)."""
    user = signed_in_user(request)
    if user.role == Role.ADMIN:
        chosen = str(
            request.GET.get("office") or request.POST.get("office") or DeficiencyPhrase.NATIONAL_OFFICE
        )
        if chosen not in dict(OFFICE_CHOICES):
            raise Http404(_("There is no office “%(office)s”.") % {"office": chosen[:20]})
        return chosen
    office = marks.office_of(user)
    if office is None:
        raise PermissionDenied(
            _("Standard phrases are kept by the national office and the provincial offices.")
        )
    return office


def phrases_url(office: str | None = None) -> str:
    url = reverse("registry:phrase_list")
    return f"{url}?office={office}" if office else url


@login_required
@explain_denials
@require_http_methods(["GET", "POST"])
def phrase_list(request: HttpRequest) -> HttpResponse:
    office = _office_for_page(request)
    language = get_language()
    form = PhraseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                added = marks.phrase_add(
                    actor=request.user, text=form.cleaned_data["text"], language=language, office=office
                )
            except WorkflowError as error:
                form.add_error("text", error.message)
            else:
                if added.created:
                    messages.success(request, _("The phrase is added to the office's list."))
                else:
                    messages.info(request, _("The office's list already has this phrase."))
                return redirect(phrases_url(office if signed_in_user(request).role == Role.ADMIN else None))
        status = 400
    phrases = list(marks.phrases_of(office, language).select_related("created_by"))
    context = {
        "office": office,
        "office_name": dict(OFFICE_CHOICES)[office],
        "offices": OFFICE_CHOICES if signed_in_user(request).role == Role.ADMIN else None,
        "rows": [{"phrase": p, "retirable": marks.may_retire(request.user, p)} for p in phrases],
        "form": form,
    }
    return render(request, "registry/phrases.html", context, status=status)


@login_required
@explain_denials
@require_POST
def phrase_retire(request: HttpRequest, pk: int) -> HttpResponse:
    phrase = get_object_or_404(DeficiencyPhrase, pk=pk, active=True)
    office = _office_for_page(request) if signed_in_user(request).role != Role.ADMIN else phrase.office
    if phrase.office != office:
        raise PermissionDenied(_("This phrase belongs to another office's list."))
    try:
        marks.phrase_retire(actor=request.user, phrase=phrase)
    except WorkflowError as error:
        raise PermissionDenied(error.message) from None
    messages.success(request, _("The phrase is removed from the office's list."))
    return redirect(phrases_url(office if signed_in_user(request).role == Role.ADMIN else None))

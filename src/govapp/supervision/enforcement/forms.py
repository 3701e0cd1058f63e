"""Forms of rectification, suspension and typical-problem notices; every error names the field and the fix."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govapp.registry.choices import DIRECT_REVOCATION_BASES, FormalismCategory
from govapp.registry.forms import MAX_DAYS_AHEAD

from .articles import article_choices
from .models import OrderSource, RectificationOrder
from .rectification import ATTACHMENT_MAX_BYTES, MAX_WORKDAYS, default_workdays

CATEGORY_CHOICES = [*FormalismCategory.choices, ("unfiled_app", _("Unfiled app")), ("other", _("Other"))]
# App packages are limited by the inspection upload service itself (its own size limit and format check).
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FindingForm(forms.Form):
    category = forms.ChoiceField(label=_("category"), choices=CATEGORY_CHOICES)
    description = forms.CharField(
        label=_("what was found"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = forms.CharField(label=_("evidence: file"), max_length=300, required=False)
    location = forms.CharField(label=_("evidence: location"), max_length=200, required=False)
    snippet = forms.CharField(label=_("evidence: snippet"), max_length=500, required=False)

    def finding(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data or not data.get("description", "").strip():
            return None
        evidence = {
            key: data[key].strip() for key in ("file", "location", "snippet") if data.get(key, "").strip()
        }
        return {
            "category": data["category"],
            "description": data["description"].strip(),
            "evidence": evidence,
        }


FindingFormSet = forms.formset_factory(FindingForm, extra=2, max_num=10)


class OrderIssueForm(forms.Form):
    source = forms.ChoiceField(label=_("source"), choices=OrderSource.choices, initial=OrderSource.REVIEWER)
    article = forms.ChoiceField(label=_("article breached"), choices=())
    article_note = forms.CharField(label=_("note on the article (optional)"), max_length=200, required=False)
    required_actions = forms.CharField(label=_("required actions"), widget=forms.Textarea(attrs={"rows": 4}))
    workdays = forms.IntegerField(
        label=_("working days to rectify"), min_value=1, max_value=MAX_WORKDAYS,
        error_messages={"min_value": _("Enter at least 1 working day."),
                        "max_value": _("Enter at most %(limit_value)s working days.")},
    )  # fmt: skip
    complaint_case = forms.CharField(label=_("complaint case number (if any)"), max_length=40, required=False)
    confirm_duplicate = forms.BooleanField(
        label=_("issue another order anyway"), required=False,
        help_text=_("Only when an open order for the same complaint and category exists and a second is meant."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workdays"].initial = default_workdays()
        # Labels in the language of the page: 第十三条第二项 or Art. 13(2).
        self.fields["article"].choices = article_choices()  # type: ignore[attr-defined]


def _bounded_future(value: dt.date | None, field: str) -> dt.date | None:
    """A due date after today and at most a year ahead, as registry dates are: a date centuries away
    (9999-12-31) would make every page counting its working days slow, or overflow the calendar."""
    if value is None:
        return value
    if value <= timezone.localdate():
        raise forms.ValidationError(_("Choose a date after today."), code="past")
    latest = timezone.localdate() + dt.timedelta(days=MAX_DAYS_AHEAD)
    if value > latest:
        raise forms.ValidationError(
            _("A due date may be at most one year ahead: choose a date no later than %(latest)s."),
            code="too_far",
            params={"latest": latest.isoformat()},
        )
    return value


class AnswerForm(forms.Form):
    statement = forms.CharField(label=_("rectification statement"), widget=forms.Textarea(attrs={"rows": 5}))
    package = forms.FileField(
        label=_("new app package (where code changed)"), required=False,
        help_text=_("It is re-tested automatically; the result is shown next to the answer."),
    )  # fmt: skip
    attachment = forms.FileField(
        label=_("supporting document"), required=False, help_text=_("PDF, PNG or JPEG, at most 10 MB.")
    )

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if upload is not None and upload.size > ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 10 MB; upload a smaller scan."), code="size"
            )
        return upload


class ExtensionRequestForm(forms.Form):
    reason = forms.CharField(label=_("why more time is needed"), widget=forms.Textarea(attrs={"rows": 3}))
    wanted_due = forms.DateField(label=_("requested due date"), widget=DATE_WIDGET)

    def clean_wanted_due(self) -> dt.date | None:
        return _bounded_future(self.cleaned_data.get("wanted_due"), "wanted_due")


class AcceptForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(forms.Form):
    reasons = forms.CharField(
        label=_("why the rectification is not sufficient"), widget=forms.Textarea(attrs={"rows": 3})
    )
    new_due = forms.DateField(
        label=_("new due date (only if granted)"), required=False, widget=DATE_WIDGET,
        help_text=_("Leave empty to keep the current due date."),
    )  # fmt: skip

    def clean_new_due(self) -> dt.date | None:
        return _bounded_future(self.cleaned_data.get("new_due"), "new_due")


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("grant", _("Grant")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    due = forms.DateField(
        label=_("new due date"), required=False, widget=DATE_WIDGET,
        help_text=_("Empty: the date the unit asked for."),
    )  # fmt: skip
    note = forms.CharField(label=_("decision note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_due(self) -> dt.date | None:
        return _bounded_future(self.cleaned_data.get("due"), "due")


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("reason for revocation"), widget=forms.Textarea(attrs={"rows": 3}))
    basis = forms.ChoiceField(
        label=_("legal basis of a direct revocation"),
        choices=[("", _("— not needed after a failed rectification —")),
                 *((b.value, b.label) for b in DIRECT_REVOCATION_BASES)],
        required=False,
        help_text=_("The Measures revoke after a rectification that failed. Revoking a filed app without one "
                    "needs a legal basis from this list; it is recorded in the app's history."),
    )  # fmt: skip


class NoticeComposeForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    orders = forms.ModelMultipleChoiceField(
        label=_("rectification orders and revocations"), required=False,
        queryset=RectificationOrder.objects.select_related("app__unit").order_by("-issued_on", "-id"),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    complaint_cases = forms.CharField(
        label=_("complaint case numbers"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One case number per line (C2026-000123)."),
    )  # fmt: skip

    def clean_complaint_cases(self) -> list[str]:
        raw = self.cleaned_data.get("complaint_cases", "")
        return [line.strip().upper() for line in raw.splitlines() if line.strip()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("orders") and not data.get("complaint_cases"):
            raise forms.ValidationError(
                _("Select at least one case (an order, a revocation or a complaint).")
            )
        return data


class NoticeEditForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    body = forms.CharField(label=_("body"), widget=forms.Textarea(attrs={"rows": 12}))

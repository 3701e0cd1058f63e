"""The complaint form (public page and API share its rules) and the handling actions' forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from govapp.accounts.divisions import PROVINCE_CHOICES
from govapp.accounts.models import User

from .choices import CATEGORY_EXAMPLES, ComplaintCategory
from .models import Complaint
from .uploads import MAX_FILES, check_upload

MIN_DESCRIPTION = 10
MAX_DESCRIPTION = 5000

phone_validator = RegexValidator(
    r"^[0-9+\-() ]{7,20}$",
    _("Enter a telephone number of 7 to 20 digits (spaces, +, - and brackets allowed)."),
)


def category_choices_text() -> str:
    return ", ".join(ComplaintCategory.values)


class ComplaintForm(forms.Form):
    """What every complaint needs, wherever it comes from."""

    app_name = forms.CharField(
        label=_("App name"),
        required=False,
        max_length=100,
        help_text=_("As shown on the phone, e.g. 浙政钉. Give the name or the filing number, or both."),
        error_messages={"max_length": _("An app name has at most 100 characters.")},
    )
    filing_number = forms.CharField(
        label=_("Filing number"),
        required=False,
        max_length=40,
        help_text=_("If the app shows one, e.g. 浙政备2026000001A."),
        error_messages={"max_length": _("A filing number has at most 40 characters; check what you typed.")},
    )
    province = forms.ChoiceField(
        label=_("Province where the app is used"),
        required=False,
        choices=[("", _("Not sure / not given")), *PROVINCE_CHOICES],
        help_text=_("Optional. Helps route a complaint about an app that is not in the register."),
        error_messages={"invalid_choice": _("Choose a province from the list, or leave it empty.")},
    )
    category = forms.ChoiceField(
        label=_("What is the app used to force?"),
        choices=ComplaintCategory.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the complaint is about."),
            "invalid_choice": format_lazy(
                "{} {}.", _("“%(value)s” is not a complaint category; use one of:"), category_choices_text()
            ),
        },
    )
    description = forms.CharField(
        label=_("What happened"),
        min_length=MIN_DESCRIPTION,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Who requires what, since when, and how it is enforced. 10 to 5000 characters."),
        error_messages={
            "required": _("Describe what happened (at least 10 characters)."),
            "min_length": _("Describe what happened in at least 10 characters (you wrote %(show_value)d)."),
            "max_length": _("Shorten the description to at most 5000 characters (you wrote %(show_value)d)."),
        },
    )
    anonymous = forms.BooleanField(
        label=_("Complain anonymously"),
        required=False,
        initial=True,
        help_text=_(
            "Anonymous complaints are handled the same way. Without a contact, only the tracking page "
            "tells you the outcome."
        ),
    )
    contact_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=50,
        error_messages={"max_length": _("A name has at most 50 characters.")},
    )
    contact_phone = forms.CharField(
        label=_("Telephone"), required=False, max_length=20, validators=[phone_validator]
    )
    contact_email = forms.EmailField(
        label=_("E-mail"), required=False, error_messages={"invalid": _("Enter a valid e-mail address.")}
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        named = (data.get("app_name") or "").strip() or (data.get("filing_number") or "").strip()
        if not named and "app_name" not in self.errors and "filing_number" not in self.errors:
            self.add_error(
                "app_name",
                _("Give the app's name or its filing number, so the office knows which app you mean."),
            )
        if not data.get("anonymous"):
            if not (data.get("contact_name") or "").strip() and "contact_name" not in self.errors:
                self.add_error("contact_name", _("Give your name, or tick “Complain anonymously”."))
            if (
                not data.get("contact_phone")
                and not data.get("contact_email")
                and "contact_phone" not in self.errors
                and "contact_email" not in self.errors
            ):
                self.add_error(
                    "contact_phone",
                    _("Give a telephone number or an e-mail address, or tick “Complain anonymously”."),
                )
        return data

    def submit(self) -> Complaint:
        """Receive the valid complaint (web page and API alike); the returned one carries its receipt."""
        from .services import complaint_submit

        data = self.cleaned_data
        return complaint_submit(
            category=data["category"],
            description=data["description"],
            app_name=data["app_name"],
            filing_number=data["filing_number"],
            anonymous=data["anonymous"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            complainant_province=data["province"],
            attachments=data.get("attachments") or (),
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ComplaintWebForm(ComplaintForm):
    """The public page adds attachments and the consent line."""

    attachments = MultipleFileField(
        label=_("Photos or documents"),
        required=False,
        help_text=_(
            "Optional. Up to 3 files, JPEG, PNG or PDF, at most 5 MB each. They are never shown to the "
            "unit complained about."
        ),
    )
    consent = forms.BooleanField(
        label=_(
            "I confirm that the complaint is true to the best of my knowledge, and agree that the handling "
            "office processes it under the Measures."
        ),
        error_messages={"required": _("Tick the confirmation to send the complaint.")},
    )

    field_order = [
        "app_name",
        "filing_number",
        "province",
        "category",
        "description",
        "attachments",
        "anonymous",
        "contact_name",
        "contact_phone",
        "contact_email",
        "consent",
    ]

    def category_options(self) -> list[dict[str, Any]]:
        """The radio list with the example line of each category."""
        return [
            {"widget": widget, "example": CATEGORY_EXAMPLES.get(widget.data["value"], "")}
            for widget in self["category"]
        ]

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("Attach at most %(max)d files (you chose %(n)d).") % {"max": MAX_FILES, "n": len(files)}
            )
        errors: list[ValidationError] = []
        for upload in files:
            try:
                check_upload(upload)
            except ValidationError as exc:
                errors.append(exc)
        if errors:
            raise ValidationError(errors)
        return files


class TrackForm(forms.Form):
    receipt = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        help_text=_("As shown when you sent the complaint, e.g. TS-7KQ2-M9XD-4HRP."),
        error_messages={
            "required": _("Enter the receipt code you were given."),
            "max_length": _("A receipt code has 17 characters, e.g. TS-7KQ2-M9XD-4HRP."),
        },
    )


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Handler"),
        queryset=None,
        error_messages={"required": _("Choose the reviewer who handles it.")},
    )
    note = forms.CharField(label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Never shown to the complainant or the unit."),
        error_messages={"required": _("Write the note: what was checked or done.")},
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_DESCRIPTION,
        help_text=_("Published to the complainant on the tracking page. Do not name the complainant."),
        error_messages={"required": _("Write the outcome the complainant will read.")},
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_DESCRIPTION,
        help_text=_("Why the complaint is outside the Measures; published to the complainant."),
        error_messages={"required": _("Give the reason why the complaint is out of scope.")},
    )


class RectifyForm(forms.Form):
    finding = forms.CharField(
        label=_("Finding"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=2000,
        help_text=_(
            "Sent to the unit as the violation to rectify. Remove anything that could identify the "
            "complainant."
        ),
        error_messages={
            "required": _("Write the finding the unit must rectify."),
            "max_length": _("Shorten the finding to at most 2000 characters (you wrote %(show_value)d)."),
        },
    )
    required_actions = forms.CharField(
        label=_("Required actions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what the unit must change.")},
    )
    article = forms.CharField(
        label=_("Article breached"),
        max_length=50,
        error_messages={"required": _("Name the article of the Measures.")},
    )
    workdays = forms.IntegerField(
        label=_("Working days to rectify"),
        required=False,
        min_value=1,
        max_value=120,
        help_text=_("Empty: the default rectification period."),
        error_messages={
            "min_value": _("Enter a whole number from 1 to 120."),
            "max_value": _("Enter a whole number from 1 to 120."),
            "invalid": _("Enter a whole number from 1 to 120."),
        },
    )
    confirm_duplicate = forms.BooleanField(
        label=_("issue another order anyway"),
        required=False,
        help_text=_(
            "Only when an open order for the same complaint and category exists and a second is meant."
        ),
    )

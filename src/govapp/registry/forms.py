"""Forms of the registry UI: the filing's step forms, document uploads and the reviewers' action forms.

Each step of the filing form is a ModelForm over a subset of Filing fields. ``FIELD_STEP`` is the one
mapping from a material field to its step: the step forms are built from it and the deficiency lists
link each missing item to the step where it is filled in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.forms import formset_factory
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    DIRECT_REVOCATION_BASES,
    AppKind,
    AttachmentKind,
    FormalismCategory,
    Platform,
    ProcedureKind,
)
from .marks import MarkVersion, parse_marks_token
from .materials import ATTACHMENTS, OTHER, Deficiency, deficiency_item_choices, filing_field_label, item_label
from .models import Attachment, Filing, attachment_path
from .steps import CHANGE_FIELDS, MATERIAL_STEPS

# Step slug -> (title, fields): the material steps of registry.steps, then the pages of their own.
STEPS: dict[str, tuple[Any, tuple[str, ...]]] = {
    **MATERIAL_STEPS,
    "documents": (_("Documents"), (ATTACHMENTS,)),
    "change": (_("Change"), CHANGE_FIELDS),
    "review": (_("Review and submit"), ()),
}

FIELD_STEP: dict[str, str] = {name: step for step, (_title, names) in STEPS.items() for name in names}
# The step forms that hold model fields (documents and review are pages of their own).
FORM_STEPS = (*MATERIAL_STEPS, "change")


def steps_for(filing: Filing) -> list[str]:
    """The steps this filing shows: the change step only for change filings."""
    return [s for s in STEPS if s != "change" or filing.procedure == ProcedureKind.CHANGE]


def step_title(step: str) -> str:
    return str(STEPS[step][0])


# ---------------------------------------------------------------- step forms


class StepForm(forms.ModelForm):
    """A subset of the materials; saving stores the draft whatever the other steps contain."""

    required_css_class = "required"
    error_css_class = "error"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # Django capitalises a model field's name for its label: "iOS Bundle ID" would read "IOS Bundle
            # ID". A name that starts with a lower-case brand keeps its spelling.
            if name not in (self._meta.fields or ()) or not field.label:
                continue
            first = filing_field_label(name).split(" ")[0]
            if first[:1].islower() and any(c.isupper() for c in first[1:]):
                field.label = filing_field_label(name)

    def _update_errors(self, errors: ValidationError) -> None:
        # Filing.clean() checks fields of several steps; a step reports only its own fields, the
        # others are listed by the completeness check on the review step.
        if hasattr(errors, "error_dict"):
            kept = {k: v for k, v in errors.error_dict.items() if k in self.fields or k == NON_FIELD_ERRORS}
            if not kept:
                return
            errors = ValidationError(kept)
        # django-stubs does not declare this private hook of BaseModelForm.
        super()._update_errors(errors)  # type: ignore[misc]


def _checkboxes(
    choices: Sequence[tuple[str, Any]], label: Any, help_text: Any = ""
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple, help_text=help_text
    )


class BasicForm(StepForm):
    platforms = _checkboxes(Platform.choices, _("platforms"), _("Tick every platform the app runs on."))
    # Wider than the stored 64 characters: keytool prints the fingerprint with colons.
    android_cert_sha256 = forms.CharField(
        label=_("Android signing certificate SHA-256"),
        max_length=200,
        required=False,
        help_text=_("64 hexadecimal characters; the colon-separated form printed by keytool is accepted."),
    )

    class Meta:
        model = Filing
        fields = STEPS["basic"][1]
        widgets = {"below_county_justification": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Regulation §1: the justification is asked only of units below county level.
        if not self.instance.app.unit.is_below_county:
            del self.fields["below_county_justification"]
        self.fields["app_name"].required = True
        self.fields["app_kind"].required = True

    def clean_app_name(self) -> str:
        name = self.cleaned_data["app_name"].strip()
        if not name:
            raise ValidationError(_("Enter the app name as users see it."))
        return name

    def clean_android_cert_sha256(self) -> str:
        # Certificates are often copied from keytool as colon-separated upper-case hex.
        value = self.cleaned_data["android_cert_sha256"].replace(":", "").strip().lower()
        # Refused here with the hint's own words: the model's message ("without colons") would contradict it.
        if value and not re.fullmatch(r"[0-9a-f]{64}", value):
            raise forms.ValidationError(
                _("Enter 64 hexadecimal characters; the colons keytool prints between pairs may stay.")
            )
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("app_kind")
        platforms = set(data.get("platforms") or [])
        mini = {Platform.WECHAT, Platform.ALIPAY, Platform.BAIDU, Platform.DOUYIN}
        if kind == AppKind.APP and platforms & mini:
            self.add_error(
                "platforms",
                _(
                    "A native app does not run on mini-program platforms; untick them or "
                    "change the app kind to mini-program."
                ),
            )
        if kind == AppKind.MINI_PROGRAM and platforms & {Platform.ANDROID, Platform.IOS, Platform.HARMONYOS}:
            self.add_error(
                "platforms",
                _(
                    "A mini-program runs on its platform (WeChat, Alipay, …), not directly "
                    "on Android, iOS or HarmonyOS; untick those."
                ),
            )
        return data


class ApprovalForm(StepForm):
    class Meta:
        model = Filing
        fields = STEPS["approval"][1]


class FunctionsForm(StepForm):
    declared_categories = _checkboxes(
        FormalismCategory.choices,
        _("declared special-scenario features"),
        _("Only under a declared security or emergency scenario: tick the features it requires."),
    )

    class Meta:
        model = Filing
        fields = STEPS["functions"][1]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("declared_categories") and not data.get("special_scenario"):
            self.add_error(
                "special_scenario",
                _(
                    "Declared features are allowed only under a security or "
                    "emergency scenario: choose the scenario or untick the features."
                ),
            )
        if (
            FormalismCategory.CHECKIN in (data.get("declared_categories") or [])
            and not (data.get("checkin_functions") or "").strip()
        ):
            self.add_error(
                "checkin_functions",
                _("A declared check-in feature must be explained here, with its reason and basis."),
            )
        return data


class OperationsForm(StepForm):
    class Meta:
        model = Filing
        fields = STEPS["operations"][1]


class AcceptanceForm(StepForm):
    class Meta:
        model = Filing
        fields = STEPS["acceptance"][1]


class DeclarationsForm(StepForm):
    class Meta:
        model = Filing
        fields = STEPS["declarations"][1]
        widgets = {"commitment_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_commitment_date(self) -> dt.date | None:
        value = self.cleaned_data.get("commitment_date")
        if value and value > timezone.localdate():
            raise ValidationError(
                _("The commitment date cannot be in the future; enter the date it was signed.")
            )
        if value and value < dt.date(2026, 1, 25):
            raise ValidationError(
                _("The commitment must be signed under the Measures: on or after 2026-01-25.")
            )
        return value


class ChangeForm(StepForm):
    class Meta:
        model = Filing
        fields = STEPS["change"][1]
        widgets = {"change_effective_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_change_effective_date(self) -> dt.date | None:
        value = self.cleaned_data.get("change_effective_date")
        if value and value <= timezone.localdate():
            raise ValidationError(_("The change must take effect after today; enter a future date."))
        return value


STEP_FORMS: dict[str, type[StepForm]] = {
    "basic": BasicForm,
    "approval": ApprovalForm,
    "functions": FunctionsForm,
    "operations": OperationsForm,
    "acceptance": AcceptanceForm,
    "declarations": DeclarationsForm,
    "change": ChangeForm,
}


class FilingCreateForm(forms.Form):
    app_name = forms.CharField(label=_("app name"), max_length=100)
    app_kind = forms.ChoiceField(label=_("app kind"), choices=AppKind.choices)

    def clean_app_name(self) -> str:
        name = self.cleaned_data["app_name"].strip()
        if not name:
            raise ValidationError(_("Enter the app name as users see it."))
        return name


# ---------------------------------------------------------------- documents

DOCUMENT_EXTENSIONS = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".ofd": "application/ofd",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FILER_ATTACHMENT_KINDS = [
    (k, label) for k, label in AttachmentKind.choices
    if k not in (AttachmentKind.SHUTDOWN_NOTICE, AttachmentKind.SUPPLEMENT)
]  # fmt: skip


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def _zip_members(upload: UploadedFile) -> set[str]:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()
    finally:
        upload.seek(0)


def _content_matches(ext: str, upload: UploadedFile) -> bool:
    """Magic bytes agree with the extension (a renamed executable is not a PDF)."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if ext == ".pdf":
        return head.startswith(b"%PDF-")
    if ext in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext == ".doc":
        return head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    if ext in (".docx", ".ofd"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        members = _zip_members(upload)
        if ext == ".docx":
            return "[Content_Types].xml" in members and any(m.startswith("word/") for m in members)
        return any(m.upper().endswith("OFD.XML") for m in members)
    return False


def validate_document(upload: UploadedFile) -> None:
    """Only PDF, JPEG, PNG, OFD and Word documents within the size limit, checked by content as well."""
    name = upload.name or ""
    ext = _extension(name)
    if ext not in DOCUMENT_EXTENSIONS:
        raise ValidationError(
            _("“%(name)s” is not an accepted document: upload PDF, JPEG, PNG, OFD, DOC or DOCX."),
            params={"name": name},
        )
    limit = settings.GOVAPP_MAX_DOCUMENT_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; documents may be at most %(limit)s. Compress or split it."),
            params={"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty; choose the document itself."), params={"name": name})
    if not _content_matches(ext, upload):
        raise ValidationError(
            _("The content of “%(name)s” is not a %(ext)s file; export the document again as %(ext)s."),
            params={"name": name, "ext": ext[1:].upper()},
        )


def store_attachment(*, filing: Filing, kind: str, upload: UploadedFile, actor: Any) -> Attachment:
    """Hash the upload chunk by chunk and store it once under its SHA-256 (content-addressed)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    ext = _extension(upload.name or "")
    attachment = Attachment(
        filing=filing,
        kind=kind,
        original_name=(upload.name or "document")[-255:],
        content_type=DOCUMENT_EXTENSIONS.get(ext, "application/octet-stream"),
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    path = attachment_path(attachment, attachment.original_name)
    if default_storage.exists(path):
        attachment.file.name = path
    else:
        attachment.file.save(attachment.original_name, upload, save=False)
    attachment.save()
    return attachment


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("document"), choices=FILER_ATTACHMENT_KINDS)
    file = forms.FileField(
        label=_("file"), help_text=_("PDF, JPEG, PNG, OFD, DOC or DOCX."), validators=[validate_document]
    )


class OptionalDocumentField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("validators", [validate_document])
        kwargs.setdefault("help_text", _("Optional. PDF, JPEG, PNG, OFD, DOC or DOCX."))
        super().__init__(**kwargs)


# ---------------------------------------------------------------- actions


def _item_choices() -> list[tuple[str, str]]:
    # An empty row shows no item rather than the first field of the form.
    return [("", "—"), *deficiency_item_choices()]


class DeficiencyItemForm(forms.Form):
    field = forms.ChoiceField(label=_("item"), choices=_item_choices, required=False)
    phrase = forms.TypedChoiceField(label=_("standard phrase"), coerce=int, required=False, empty_value=None)
    message = forms.CharField(
        label=_("what the unit must provide"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args: Any, phrases: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.phrases = {p.pk: p.text for p in phrases}
        if self.phrases:
            phrase = self.fields["phrase"]
            assert isinstance(phrase, forms.ChoiceField)
            phrase.choices = [("", "—"), *self.phrases.items()]
        else:
            del self.fields["phrase"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.item_message() and not data.get("field"):
            self.add_error("field", _("Choose which item this message is about."))
        return data

    def item_message(self) -> str:
        """The standard phrase picked (if any) followed by the reviewer's own words."""
        data = getattr(self, "cleaned_data", None) or {}
        phrase = self.phrases.get(data.get("phrase") or 0, "")
        return " ".join(part for part in (phrase, (data.get("message") or "").strip()) if part)


MAX_DEFICIENCY_ITEMS = 300


class BaseDeficiencyFormSet(forms.BaseFormSet):
    # A list may name every material field several times over; the bound stops a forged TOTAL_FORMS
    # from making Django build (and render) an unbounded number of forms.
    default_error_messages = {
        "too_many_forms": _("A deficiency list holds at most %(num)d items; merge some of them."),
        "missing_management_form": _("The form was incomplete; reload the page and enter the items again."),
    }


DeficiencyFormSet = formset_factory(
    DeficiencyItemForm,
    formset=BaseDeficiencyFormSet,
    extra=2,
    max_num=MAX_DEFICIENCY_ITEMS,
    validate_max=True,
    absolute_max=MAX_DEFICIENCY_ITEMS,
)


def deficiencies_from(formset: Any) -> list[Deficiency]:
    """The filled rows of a valid deficiency formset (empty rows are skipped)."""
    items = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        message = form.item_message()
        if message and data.get("field"):
            items.append(Deficiency(data["field"], item_label(data["field"]), message))
    return items


def deficiency_initial(items: Sequence[Deficiency]) -> list[dict[str, str]]:
    known = dict(deficiency_item_choices())
    return [{"field": i.field if i.field in known else OTHER, "message": i.message} for i in items]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConfirmForm(NoteForm):
    confirm = forms.BooleanField(
        label=_("I confirm this action"),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )


class WithdrawForm(ConfirmForm):
    note = forms.CharField(
        label=_("reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeficiencyListForm(NoteForm):
    """The note of a deficiency list, and (hidden) the marks the page was built from: sending is refused
    while a mark exists that the page did not show (``marks.require_marks_seen``)."""

    marks = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20000, strip=True)

    def clean_marks(self) -> frozenset[MarkVersion]:
        try:
            return parse_marks_token(self.cleaned_data.get("marks") or "")
        except ValueError:
            raise ValidationError(
                _(
                    "The page's record of the marked items is unreadable; open the list again from the filing page."
                )
            ) from None


class ReturnForm(DeficiencyListForm):
    pass


class RequestSupplementForm(DeficiencyListForm):
    test_failed = forms.BooleanField(label=_("The technical test failed"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason; it is recorded and shown to the unit.")},
    )


# Dates a user types that start a working-day clock: a year ahead is plenty for an extended review or a
# planned shutdown, and a date centuries away would make every page showing the clock count for seconds
# (or overflow the calendar at 9999-12-31).
MAX_DAYS_AHEAD = 366


def _not_too_far(value: dt.date, message: Any) -> dt.date:
    latest = timezone.localdate() + dt.timedelta(days=MAX_DAYS_AHEAD)
    if value > latest:
        raise ValidationError(message, params={"latest": latest.isoformat()})
    return value


class ExtendForm(ReasonForm):
    expected_date = forms.DateField(
        label=_("expected decision date"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Enter the expected decision date."),
                        "invalid": _("Enter the expected decision date as YYYY-MM-DD.")},
    )  # fmt: skip

    def clean_expected_date(self) -> dt.date:
        return _not_too_far(
            self.cleaned_data["expected_date"],
            _("An extension reaches at most one year ahead: choose a date no later than %(latest)s."),
        )


class SupplementForm(forms.Form):
    statement = forms.CharField(
        label=_("supplement or rectification statement"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For each item of the deficiency list: what was added or changed."),
        error_messages={"required": _("Write the statement: what was added or changed for each item.")},
    )  # fmt: skip
    document = OptionalDocumentField(label=_("supporting document"))


class RevokeForm(ReasonForm):
    basis = forms.ChoiceField(
        label=_("legal basis of a direct revocation"),
        choices=[("", _("— not needed after a failed rectification —")),
                 *((b.value, b.label) for b in DIRECT_REVOCATION_BASES)],
        required=False,
        help_text=_("The Measures revoke after a rectification that failed. Revoking a filed app without one "
                    "needs a legal basis from this list; it is recorded in the app's history."),
    )  # fmt: skip
    confirm = forms.BooleanField(
        label=_("I confirm the revocation of this filing"),
        required=True,
        error_messages={"required": _("Tick the box to confirm the revocation.")},
    )


class ShutdownForm(forms.Form):
    notice = forms.CharField(
        label=_("shutdown notice"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The text of the public notice, or where it was published."),
        error_messages={"required": _("Give the text or the address of the public shutdown notice.")},
    )  # fmt: skip
    offline_date = forms.DateField(
        label=_("offline date"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Enter the date the app goes offline."),
                        "invalid": _("Enter the offline date as YYYY-MM-DD.")},
    )  # fmt: skip
    document = OptionalDocumentField(label=_("notice document"))

    def clean_offline_date(self) -> dt.date:
        value = self.cleaned_data["offline_date"]
        if value < timezone.localdate():
            raise ValidationError(
                _("The offline date cannot be in the past: a notice comes before the shutdown.")
            )
        return _not_too_far(
            value, _("Announce a shutdown at most one year ahead: choose a date no later than %(latest)s.")
        )


class DeregisterForm(forms.Form):
    report = forms.CharField(
        label=_("offline report"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("When the app went offline and how users were informed."),
        error_messages={"required": _("Write the offline report: when the app went offline and how users were "
                                      "informed.")},
    )  # fmt: skip

"""Apps, their filing procedures, filing numbers and the append-only event record.

Two state machines (together exactly the lifecycle of regulation.md §7):

* ``App.state`` — the app's standing in the register: draft (never filed), filed, change_review,
  rectifying, revoked, shutdown_noticed, deregistered.
* ``Filing.state`` — one procedure (new filing, change filing, re-filing after revocation):
  draft, provincial_review, returned, national_review, awaiting_supplement, filed, abandoned, withdrawn.

States change only through the transition methods here (django-fsm protected fields), called by
``registry.services`` which also writes the event, the clock and the notifications.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from govapp.accounts.models import Unit
from govapp.core.append_only import RecordedEvent

from .choices import (
    AppKind,
    AttachmentKind,
    EventAction,
    FilingState,
    ProcedureKind,
    SpecialScenario,
)

sha256_validator = RegexValidator(
    r"^[0-9a-f]{64}$",
    _("Enter the SHA-256 fingerprint as 64 lowercase hexadecimal characters, without colons."),
)
android_package_validator = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$",
    _("Enter a package name such as cn.gov.example.app (letters, digits, underscores, at least one dot)."),
)
appid_validator = RegexValidator(
    r"^[A-Za-z0-9_\-]{6,40}$",
    _("Enter the mini-program appid as given by its platform, e.g. wx1234567890abcdef."),
)
phone_validator = RegexValidator(
    r"^[0-9+\-() ]{7,20}$",
    _("Enter a telephone number of 7 to 20 digits (spaces, +, - and brackets allowed)."),
)


class AppQuerySet(models.QuerySet["App"]):
    def publicly_listed(self) -> AppQuerySet:
        """Apps that hold or held a filing number (the public register keeps revoked and deregistered)."""
        return self.exclude(current_number__isnull=True)


class App(FSMModelMixin, models.Model):
    """A government app and its standing in the register."""

    class State(models.TextChoices):
        DRAFT = FilingState.DRAFT.value, _("Not yet filed")
        FILED = FilingState.FILED.value, FilingState.FILED.label
        CHANGE_REVIEW = FilingState.CHANGE_REVIEW.value, FilingState.CHANGE_REVIEW.label
        RECTIFYING = FilingState.RECTIFYING.value, FilingState.RECTIFYING.label
        REVOKED = FilingState.REVOKED.value, FilingState.REVOKED.label
        SHUTDOWN_NOTICED = FilingState.SHUTDOWN_NOTICED.value, FilingState.SHUTDOWN_NOTICED.label
        DEREGISTERED = FilingState.DEREGISTERED.value, FilingState.DEREGISTERED.label

    unit = models.ForeignKey(
        Unit, verbose_name=_("sponsoring unit"), on_delete=models.PROTECT, related_name="apps"
    )
    name = models.CharField(_("app name"), max_length=100)
    kind = models.CharField(_("app kind"), max_length=20, choices=AppKind.choices)
    state = FSMField(_("status"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    current_number = models.OneToOneField(
        "FilingNumber",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filing number"),
    )
    approved_filing = models.ForeignKey(
        "Filing",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved filing"),
    )
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    changed_at = models.DateTimeField(_("last change"), null=True, blank=True)
    # Shutdown (Art. 10): the notice, then the report within N5 working days of going offline.
    offline_date = models.DateField(_("offline date"), null=True, blank=True)
    deregistration_due = models.DateField(_("deregistration report due"), null=True, blank=True)
    deregistration_due_provisional = models.BooleanField(default=False)
    # Identifiers copied from the approved filing, indexed for app-store look-ups.
    android_package = models.CharField(max_length=200, blank=True, db_index=True)
    android_cert_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    harmony_bundle = models.CharField(max_length=200, blank=True, db_index=True)
    ios_bundle = models.CharField(max_length=200, blank=True, db_index=True)
    miniprogram_appid = models.CharField(max_length=40, blank=True, db_index=True)
    quickapp_package = models.CharField(max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppQuerySet.as_manager()

    class Meta:
        verbose_name = _("app")
        verbose_name_plural = _("apps")
        ordering = ["-created_at"]
        # The public register's order (newest filing first) over the apps it lists: a page is an index scan.
        # Its search has trigram indexes on PostgreSQL (migration register_order_and_search_indexes, docs/public.md).
        indexes = [
            models.Index(
                F("filed_at").desc(), F("id").desc(), name="app_register_order",
                condition=Q(current_number__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    # Transitions of the register. Side effects live in registry.services.
    @transition(field=state, source=[State.DRAFT, State.REVOKED, State.CHANGE_REVIEW], target=State.FILED)
    def mark_filed(self) -> None:
        pass

    @transition(field=state, source=State.FILED, target=State.CHANGE_REVIEW)
    def start_change_review(self) -> None:
        pass

    @transition(field=state, source=State.CHANGE_REVIEW, target=State.FILED)
    def end_change_review(self) -> None:
        """A change procedure ended without approval: the approved record stands."""

    @transition(field=state, source=State.FILED, target=State.RECTIFYING)
    def order_rectification(self) -> None:
        pass

    @transition(field=state, source=State.RECTIFYING, target=State.FILED)
    def accept_rectification(self) -> None:
        pass

    @transition(
        field=state, source=[State.RECTIFYING, State.FILED, State.CHANGE_REVIEW], target=State.REVOKED
    )
    def revoke(self) -> None:
        pass

    @transition(field=state, source=State.FILED, target=State.SHUTDOWN_NOTICED)
    def announce_shutdown(self) -> None:
        pass

    @transition(field=state, source=State.SHUTDOWN_NOTICED, target=State.DEREGISTERED)
    def deregister(self) -> None:
        pass


class Filing(FSMModelMixin, models.Model):
    """One filing procedure (备案申请) with the materials of regulation.md §4."""

    State = FilingState

    app = models.ForeignKey(App, on_delete=models.PROTECT, related_name="filings", verbose_name=_("app"))
    procedure = models.CharField(
        _("procedure"), max_length=20, choices=ProcedureKind.choices, default=ProcedureKind.NEW
    )
    state = FSMField(
        _("status"), default=FilingState.DRAFT, choices=FilingState.choices, protected=True, db_index=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The running working-day clock (regulation §4): which limit, from when, until when.
    clock_limit = models.CharField(_("time limit"), max_length=4, blank=True)  # "N1", "N2", "N3"
    clock_start = models.DateField(_("clock started"), null=True, blank=True)
    clock_due = models.DateField(_("due"), null=True, blank=True, db_index=True)
    clock_provisional = models.BooleanField(
        _("provisional deadline"),
        default=False,
        help_text=_("The official calendar for a year the deadline needs is not loaded yet."),
    )
    # Who works on the case now; each change is an "assign" event (registry/assignment.py).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned reviewer"),
    )
    extended = models.BooleanField(_("review period extended"), default=False)
    extension_reason = models.TextField(_("extension reason"), blank=True)

    # 1. Basic information.
    app_name = models.CharField(_("app name"), max_length=100)
    app_kind = models.CharField(_("app kind"), max_length=20, choices=AppKind.choices)
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    android_package = models.CharField(
        _("Android package name"), max_length=200, blank=True, validators=[android_package_validator]
    )
    android_cert_sha256 = models.CharField(
        _("Android signing certificate SHA-256"), max_length=64, blank=True, validators=[sha256_validator]
    )
    harmony_bundle = models.CharField(
        _("HarmonyOS bundle name"), max_length=200, blank=True, validators=[android_package_validator]
    )
    ios_bundle = models.CharField(
        _("iOS bundle ID"), max_length=200, blank=True, validators=[android_package_validator]
    )
    miniprogram_appid = models.CharField(
        _("mini-program appid"), max_length=40, blank=True, validators=[appid_validator]
    )
    quickapp_package = models.CharField(
        _("quick app package name"), max_length=200, blank=True, validators=[android_package_validator]
    )
    responsible_name = models.CharField(_("responsible person"), max_length=50, blank=True)
    responsible_post = models.CharField(_("post of the responsible person"), max_length=100, blank=True)
    responsible_phone = models.CharField(
        _("telephone of the responsible person"), max_length=20, blank=True, validators=[phone_validator]
    )
    responsible_email = models.EmailField(_("e-mail of the responsible person"), blank=True)
    below_county_justification = models.TextField(
        _("justification for a unit below county level"),
        blank=True,
        help_text=_(
            "Units below county level should in principle not build government apps (regulation §1)."
        ),
    )

    # 2. Project approval (立项).
    approval_basis = models.TextField(_("approval basis"), blank=True)
    approval_content = models.TextField(_("approved content"), blank=True)
    approval_result = models.TextField(_("approval result"), blank=True)
    approval_doc_number = models.CharField(_("approval document number"), max_length=100, blank=True)

    # 3. Function configuration.
    main_functions = models.TextField(_("main functions"), blank=True)
    grassroots_functions = models.TextField(
        _("functions aimed at grassroots users, with reason and basis"), blank=True
    )
    checkin_functions = models.TextField(_("check-in-type functions, with reason and basis"), blank=True)
    special_scenario = models.CharField(
        _("special scenario"), max_length=20, choices=SpecialScenario.choices, blank=True, default=""
    )
    special_scenario_justification = models.TextField(_("special-scenario justification"), blank=True)
    declared_categories = models.JSONField(
        _("declared special-scenario features"),
        default=list,
        blank=True,
        help_text=_("Formalism categories the app needs under the declared security or emergency scenario."),
    )

    # 4. O&M and security.
    om_team = models.TextField(_("O&M team"), blank=True)
    om_rules = models.TextField(_("O&M rules"), blank=True)
    technical_plan = models.TextField(_("technical plan"), blank=True)
    security_testing = models.TextField(_("security testing"), blank=True)
    mlps_level = models.CharField(
        _("MLPS level"),
        max_length=10,
        blank=True,
        choices=[("1", _("Level 1")), ("2", _("Level 2")), ("3", _("Level 3")), ("4", _("Level 4"))],
    )
    mlps_assessment = models.TextField(_("MLPS assessment"), blank=True)
    security_rules = models.TextField(_("security management rules"), blank=True)

    # 5. Acceptance.
    acceptance_requirements = models.TextField(_("acceptance requirements"), blank=True)
    acceptance_content = models.TextField(_("acceptance content"), blank=True)
    acceptance_result = models.TextField(_("acceptance result"), blank=True)
    acceptance_opinion = models.TextField(_("acceptance opinion"), blank=True)

    # 6. Same-kind apps the unit already uses (duplication self-declaration).
    same_kind_apps = models.TextField(
        _("same-kind apps already in use"),
        blank=True,
        help_text=_(
            "Name each app of the same kind the unit uses and why this one does not duplicate it; "
            "write “none” if there is none."
        ),
    )

    # 7. Commitment.
    commitment_signed_by = models.CharField(_("commitment signed by"), max_length=50, blank=True)
    commitment_date = models.DateField(_("commitment date"), null=True, blank=True)
    commitment_confirmed = models.BooleanField(_("materials are true and complete"), default=False)

    # Change filing (Art. 9).
    change_description = models.TextField(_("description of the change"), blank=True)
    change_effective_date = models.DateField(_("date the change takes effect"), null=True, blank=True)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "clock_due"])]

    def __str__(self) -> str:
        return f"{self.app_name} ({self.get_procedure_display()})"

    @property
    def unit(self) -> Unit:
        return self.app.unit

    @property
    def is_central(self) -> bool:
        return self.app.unit.is_central

    # Transitions of the procedure. Side effects live in registry.services.
    @transition(
        field=state, source=[FilingState.DRAFT, FilingState.RETURNED], target=FilingState.PROVINCIAL_REVIEW
    )
    def submit_to_province(self) -> None:
        pass

    @transition(field=state, source=FilingState.DRAFT, target=FilingState.NATIONAL_REVIEW)
    def submit_to_national(self) -> None:
        """Central departments file directly with the national office."""

    @transition(field=state, source=FilingState.PROVINCIAL_REVIEW, target=FilingState.RETURNED)
    def return_incomplete(self) -> None:
        pass

    @transition(field=state, source=FilingState.PROVINCIAL_REVIEW, target=FilingState.NATIONAL_REVIEW)
    def forward_to_national(self) -> None:
        pass

    @transition(field=state, source=FilingState.NATIONAL_REVIEW, target=FilingState.NATIONAL_REVIEW)
    def extend(self) -> None:
        self.extended = True

    @transition(field=state, source=FilingState.NATIONAL_REVIEW, target=FilingState.AWAITING_SUPPLEMENT)
    def request_supplement(self) -> None:
        pass

    @transition(field=state, source=FilingState.AWAITING_SUPPLEMENT, target=FilingState.NATIONAL_REVIEW)
    def supplement(self) -> None:
        # Review and technical test run again in full: a fresh N2 clock, no carried extension.
        self.extended = False
        self.extension_reason = ""

    @transition(field=state, source=FilingState.NATIONAL_REVIEW, target=FilingState.FILED)
    def approve(self) -> None:
        pass

    @transition(field=state, source=FilingState.AWAITING_SUPPLEMENT, target=FilingState.ABANDONED)
    def abandon(self) -> None:
        pass

    @transition(
        field=state,
        source=[
            FilingState.DRAFT,
            FilingState.PROVINCIAL_REVIEW,
            FilingState.RETURNED,
            FilingState.NATIONAL_REVIEW,
            FilingState.AWAITING_SUPPLEMENT,
        ],
        target=FilingState.WITHDRAWN,
    )
    def withdraw(self) -> None:
        pass

    def identifiers(self) -> dict[str, str]:
        return {
            "android_package": self.android_package,
            "android_cert_sha256": self.android_cert_sha256,
            "harmony_bundle": self.harmony_bundle,
            "ios_bundle": self.ios_bundle,
            "miniprogram_appid": self.miniprogram_appid,
            "quickapp_package": self.quickapp_package,
        }

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.special_scenario and not self.special_scenario_justification.strip():
            errors["special_scenario_justification"] = _(
                "Explain why the security or emergency scenario requires these features."
            )
        if self.change_effective_date and self.change_effective_date < dt.date(2026, 1, 25):
            errors["change_effective_date"] = _(
                "The date a change takes effect cannot be before the Measures."
            )
        if errors:
            raise ValidationError(errors)


# Material fields of regulation.md §4, in form order; compared between approved and change filings.
def attachment_path(instance: Attachment, filename: str) -> str:
    # Content-addressed names: an uploaded file's name is never trusted as a path.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(_("document"), max_length=30, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Once the filing has been submitted a document is never deleted: withdrawing it keeps the file
    # and the row, marks it here and records a "document withdrawn" event (registry/documents.py).
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["kind", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class FilingNumber(models.Model):
    """A filing number ever issued. Numbers are never deleted or reused."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Valid")
        REVOKED = "revoked", _("Revoked")
        DEREGISTERED = "deregistered", _("Deregistered")
        SUPERSEDED = "superseded", _("Replaced by a newer number")

    number = models.CharField(_("filing number"), max_length=40, unique=True)
    app = models.ForeignKey(App, on_delete=models.PROTECT, related_name="numbers")
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="+")
    region = models.CharField(max_length=4)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("filing number")
        verbose_name_plural = _("filing numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year", "sequence"], name="filing_number_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return self.number


class NumberSequence(models.Model):
    """The last sequence issued per (region, year); rows are locked while a number is issued."""

    region = models.CharField(max_length=4)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="number_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.region} {self.year}: {self.last}"


class FilingEvent(RecordedEvent):
    """Append-only record of every decision: who, when, what, from which state to which, why."""

    app = models.ForeignKey(App, on_delete=models.PROTECT, related_name="events")
    filing = models.ForeignKey(Filing, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=30, choices=EventAction.choices)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # Structured detail: deficiency items, clock, number issued, change diff, extension date...
    data = models.JSONField(default=dict, blank=True)
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="events")

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"


class ReviewOpinion(RecordedEvent):
    """One department's opinion in the joint provincial completeness review (append-only)."""

    class Department(models.TextChoices):
        CYBERSPACE_OFFICE = "cyberspace_office", _("Cyberspace office")
        GOV_SERVICE_ADMIN = "gov_service_admin", _("Government-service administration")

    class Verdict(models.TextChoices):
        COMPLETE = "complete", _("Materials complete")
        INCOMPLETE = "incomplete", _("Materials incomplete")

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="opinions")
    department = models.CharField(_("department"), max_length=30, choices=Department.choices)
    verdict = models.CharField(_("opinion"), max_length=20, choices=Verdict.choices)
    text = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("review opinion")
        verbose_name_plural = _("review opinions")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["filing", "department", "at"])]

    def __str__(self) -> str:
        return f"{self.get_department_display()}: {self.get_verdict_display()}"


class DeficiencyMark(models.Model):
    """A reviewer's draft item of the next deficiency list: one field marked deficient, with the remark.

    Shared by the office holding the case at its stage (a colleague who takes the case over continues the
    same list); the drafts of a stage are deleted when the filing leaves it (``workflow.transition``).
    """

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="deficiency_marks")
    # The review stage the mark belongs to (provincial_review or national_review): a mark of the
    # completeness review never shows in the national review.
    stage = models.CharField(_("stage"), max_length=30)
    field = models.CharField(_("item"), max_length=40)
    message = models.TextField(_("remark"), max_length=1000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("deficiency mark")
        verbose_name_plural = _("deficiency marks")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "stage", "field"], name="deficiency_mark_once_per_field"
            )
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.message[:40]}"


class DeficiencyPhrase(models.Model):
    """A standard remark of a reviewing office (the national office or a province), in one language."""

    NATIONAL_OFFICE = "national"

    # "national" or a province code (accounts.divisions).
    office = models.CharField(_("office"), max_length=8, db_index=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    text = models.CharField(_("phrase"), max_length=300)
    active = models.BooleanField(_("in use"), default=True)
    # Empty for the phrases every office starts with.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("standard phrase")
        verbose_name_plural = _("standard phrases")
        ordering = ["office", "language", "id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "language", "text"], name="deficiency_phrase_unique")
        ]

    def __str__(self) -> str:
        return self.text

"""Supervision after filing: rectification orders (整改通知), the suspension notices that follow a
revocation (撤销备案), typical-problem notices (通报) and the append-only supervision record.

States change only through the transition methods here (django-fsm protected fields), called by
``supervision.enforcement.rectification`` / ``suspension`` / ``notices``, which also write the event and notify.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from govapp.accounts.models import Unit
from govapp.core.append_only import RecordedEvent
from govapp.registry.models import App, Filing


class OrderSource(models.TextChoices):
    SPOT_CHECK = "spot_check", _("Spot check")
    COMPLAINT = "complaint", _("Complaint")
    SELF_INSPECTION = "self_inspection", _("Self-inspection")
    REVIEWER = "reviewer", _("Reviewer's finding")


class OrderState(models.TextChoices):
    ISSUED = "issued", _("Issued, awaiting the unit's answer")
    ANSWERED = "answered", _("Answered, awaiting the decision")
    ACCEPTED = "accepted", _("Rectified and accepted")
    REJECTED = "rejected", _("Answer rejected, rectify again")
    OVERDUE = "overdue", _("Overdue")
    REVOKED = "revoked", _("Closed by revocation of the filing")


# Orders that still bind the unit: the app stays "rectifying" while one of these exists.
def english() -> bool:
    return (get_language() or "").startswith("en")


OPEN_ORDER_STATES = (OrderState.ISSUED, OrderState.ANSWERED, OrderState.REJECTED, OrderState.OVERDUE)
# Orders whose due date runs: the overdue rule looks only at these.
RUNNING_ORDER_STATES = (OrderState.ISSUED, OrderState.REJECTED)


class RectificationOrderQuerySet(models.QuerySet["RectificationOrder"]):
    def open(self) -> RectificationOrderQuerySet:
        return self.filter(state__in=OPEN_ORDER_STATES)


class RectificationOrder(FSMModelMixin, models.Model):
    """An order to a unit to remove a violation from a filed app within a working-day deadline."""

    State = OrderState

    app = models.ForeignKey(
        App, on_delete=models.PROTECT, related_name="rectification_orders", verbose_name=_("app")
    )
    source = models.CharField(_("source"), max_length=20, choices=OrderSource.choices)
    state = FSMField(
        _("status"), default=OrderState.ISSUED, choices=OrderState.choices, protected=True, db_index=True
    )
    # [{category, article, description, evidence: {scan, rule, file, location, snippet} | {complaint}}]
    findings = models.JSONField(_("findings"), default=list)
    required_actions = models.TextField(_("required actions"))
    # The article as data ("13", "13.2"), rendered 第十三条第二项 / Art. 13(2) by language (articles.py).
    article_ref = models.CharField(_("article breached"), max_length=8)
    article_note = models.CharField(_("note on the article"), max_length=200, blank=True)
    workdays = models.PositiveSmallIntegerField(_("working days to rectify"))
    issued_on = models.DateField(_("issued on"))
    due = models.DateField(_("due"), db_index=True)
    due_provisional = models.BooleanField(
        _("provisional deadline"),
        default=False,
        help_text=_("The official calendar for a year the deadline needs is not loaded yet."),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    # The complaint is referred to by its case number (never the complainant's receipt code), so that
    # supervision does not depend on complaints' tables.
    complaint_case = models.CharField(_("complaint case number"), max_length=40, blank=True)
    scan = models.ForeignKey(
        "inspection.Scan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scan"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = RectificationOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification order")
        verbose_name_plural = _("rectification orders")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.app.name}"

    @property
    def reference(self) -> str:
        return f"ZG-{self.issued_on.year}-{self.pk:05d}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ORDER_STATES

    @property
    def article(self) -> str:
        """The article breached in the active language, with the reviewer's note if any."""
        from .articles import article_text

        label = article_text(self.article_ref)
        if not self.article_note:
            return label
        return f"{label} ({self.article_note})" if english() else f"{label}（{self.article_note}）"

    def is_past_due(self, today: dt.date) -> bool:
        return self.state in RUNNING_ORDER_STATES and today > self.due

    def latest_answer(self) -> RectificationAnswer | None:
        return self.answers.order_by("-submitted_at", "-id").first()

    def pending_extension(self) -> ExtensionRequest | None:
        return self.extensions.filter(status=ExtensionRequest.Status.PENDING).first()

    @transition(field=state, source=[OrderState.ISSUED, OrderState.REJECTED], target=OrderState.ANSWERED)
    def answer(self) -> None:
        pass

    @transition(field=state, source=OrderState.ANSWERED, target=OrderState.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(field=state, source=OrderState.ANSWERED, target=OrderState.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=state, source=RUNNING_ORDER_STATES, target=OrderState.OVERDUE)
    def mark_overdue(self) -> None:
        pass

    @transition(field=state, source=OPEN_ORDER_STATES, target=OrderState.REVOKED)
    def close_by_revocation(self) -> None:
        pass


def answer_attachment_path(instance: RectificationAnswer, filename: str) -> str:
    # Content-addressed: the uploaded name is never part of a path.
    return f"supervision/answers/{instance.attachment_sha256[:2]}/{instance.attachment_sha256}"


class RectificationAnswer(models.Model):
    """The unit's statement of what it changed; a new package is re-tested automatically."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.PROTECT, related_name="answers")
    statement = models.TextField(_("rectification statement"))
    package = models.ForeignKey(
        "inspection.Package", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("new app package"),
    )  # fmt: skip
    scan = models.ForeignKey(
        "inspection.Scan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("re-test"),
    )
    attachment = models.FileField(
        _("supporting document"), upload_to=answer_attachment_path, max_length=200, blank=True
    )
    attachment_name = models.CharField(_("file name"), max_length=255, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rectification answer")
        verbose_name_plural = _("rectification answers")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.order} @ {self.submitted_at:%Y-%m-%d}"


class ExtensionRequest(models.Model):
    """The unit asks for more time; a reviewer grants (new due date) or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    order = models.ForeignKey(RectificationOrder, on_delete=models.PROTECT, related_name="extensions")
    reason = models.TextField(_("reason"))
    wanted_due = models.DateField(_("requested due date"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    granted_due = models.DateField(_("granted due date"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(status="pending"), name="one_pending_extension_per_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} → {self.wanted_due}"


class AuthorityKind(models.TextChoices):
    IT_APPROVAL = "it_approval", _("IT-project approval")
    OM_FUNDING = "om_funding", _("O&M funding")


class SuspensionNotice(models.Model):
    """After a revocation: the authority must suspend the unit's IT-project approvals or O&M funding
    until the app is filed again (regulation §5)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        LIFTED = "lifted", _("Lifted: the app is filed again")

    app = models.ForeignKey(
        App, on_delete=models.PROTECT, related_name="suspension_notices", verbose_name=_("app")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="suspension_notices", verbose_name=_("sponsoring unit")
    )
    kind = models.CharField(_("suspension"), max_length=20, choices=AuthorityKind.choices)
    # The authority of the unit's province, else the national one, else the national office (flagged).
    addressee = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="received_suspension_notices",
        verbose_name=_("addressed to"),
    )  # fmt: skip
    authority_registered = models.BooleanField(_("authority registered"), default=True)
    revocation_reason = models.TextField(_("reason for revocation"))
    revoked_at = models.DateTimeField(_("revoked at"))
    orders = models.ManyToManyField(RectificationOrder, blank=True, related_name="suspension_notices")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by_filing = models.ForeignKey(
        Filing, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("re-filing")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suspension notice")
        verbose_name_plural = _("suspension notices")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"ZT-{self.revoked_at.year}-{self.pk:05d}"


class TypicalProblemNotice(models.Model):
    """A notice (通报) of typical problems composed by the national office from selected cases."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    # Facts captured when composing, so the published text does not change if a case moves on:
    # [{kind: order|revocation|complaint, ref, unit, province, app, article, finding, outcome}]
    cases = models.JSONField(_("cases"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("typical-problem notice")
        verbose_name_plural = _("typical-problem notices")
        ordering = ["-published_at", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SupervisionAction(models.TextChoices):
    ISSUE = "issue", _("Rectification ordered")
    ANSWER = "answer", _("Rectification answered")
    RETEST = "retest", _("Re-test requested")
    ACCEPT = "accept", _("Rectification accepted")
    REJECT = "reject", _("Answer rejected")
    EXTENSION_REQUEST = "extension_request", _("Extension requested")
    EXTENSION_GRANT = "extension_grant", _("Extension granted")
    EXTENSION_REFUSE = "extension_refuse", _("Extension refused")
    OVERDUE = "overdue", _("Deadline passed")
    REVOKE = "revoke", _("Filing revoked")
    SUSPEND = "suspend", _("Suspension notices issued")
    LIFT = "lift", _("Suspension lifted")
    NOTICE_PUBLISH = "notice_publish", _("Notice published")


class SupervisionEvent(RecordedEvent):
    """Append-only record of every supervision step: who, when, what, why, with structured detail."""

    app = models.ForeignKey(App, on_delete=models.PROTECT, related_name="supervision_events")
    order = models.ForeignKey(
        RectificationOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=30, choices=SupervisionAction.choices)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("supervision event")
        verbose_name_plural = _("supervision events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    # The states by name on the pages (已下发 → 已答复), never their codes (issued → answered).
    @property
    def from_label(self) -> str:
        return (
            str(OrderState(self.from_state).label)
            if self.from_state in OrderState.values
            else self.from_state
        )

    @property
    def to_label(self) -> str:
        return str(OrderState(self.to_state).label) if self.to_state in OrderState.values else self.to_state

"""Complaints (投诉举报) from the public and grassroots staff, their attachments and the append-only record.

A complaint's status changes only through the transition methods here (protected django-fsm field), called
by ``complaints.services``, which also writes the event and the notifications. The complainant's contact
and the internal notes are never part of anything public; units never see complaints at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from govapp.accounts.divisions import PROVINCE_CHOICES
from govapp.core.append_only import RecordedEvent
from govapp.registry.models import App

from .choices import OPEN_STATUSES, AppMatch, ComplaintAction, ComplaintCategory, ComplaintStatus


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def open(self) -> ComplaintQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Complaint(models.Model):
    Status = ComplaintStatus

    # Staff refer to a complaint by its case number; the complainant's receipt code is a secret shown
    # once and kept only as a keyed hash (complaints/receipts.py) beside its first group, for lookups.
    case_number = models.CharField(_("case number"), max_length=20, unique=True)
    receipt_hash = models.CharField(max_length=64, unique=True)
    receipt_prefix = models.CharField(max_length=4, db_index=True)
    category = models.CharField(_("category"), max_length=30, choices=ComplaintCategory.choices)
    description = models.TextField(_("description"))
    # What the complainant typed, kept as given; ``app`` is the register's app it was matched to.
    app_name = models.CharField(_("app name given"), max_length=100, blank=True)
    filing_number = models.CharField(_("filing number given"), max_length=40, blank=True)
    app = models.ForeignKey(
        App, verbose_name=_("app"), null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    match = models.CharField(_("app matched"), max_length=20, choices=AppMatch.choices, default=AppMatch.NONE)
    candidates = models.JSONField(default=list, blank=True)  # app ids when several names matched
    unfiled = models.BooleanField(_("app used without filing"), default=False)
    complainant_province = models.CharField(
        _("province named by the complainant"), max_length=2, choices=PROVINCE_CHOICES, blank=True
    )
    # The handling office: the cyberspace office of this province, or the national office when empty.
    province = models.CharField(_("handling office"), max_length=2, choices=PROVINCE_CHOICES, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status = FSMField(
        _("status"),
        default=ComplaintStatus.RECEIVED,
        choices=ComplaintStatus.choices,
        protected=True,
        db_index=True,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    due = models.DateField(_("handling due"), db_index=True)
    due_provisional = models.BooleanField(default=False)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)  # published to the complainant

    objects = ComplaintQuerySet.as_manager()

    # The receipt code in clear: set on the instance that complaint_submit returns, never stored.
    receipt: str = ""

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["province", "status"])]

    def __str__(self) -> str:
        return self.case_number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_national(self) -> bool:
        return not self.province

    @property
    def office_label(self) -> str:
        if not self.province:
            return str(_("National cyberspace office"))
        return _("Cyberspace office of %(province)s") % {"province": self.get_province_display()}

    @property
    def app_label(self) -> str:
        if self.app is not None:
            return self.app.name
        return self.app_name or self.filing_number

    @transition(
        field=status,
        source=[ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED],
        target=ComplaintStatus.ASSIGNED,
    )
    def assign(self) -> None:
        pass

    @transition(
        field=status,
        source=[ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED],
        target=ComplaintStatus.IN_HANDLING,
    )
    def start_handling(self) -> None:
        pass

    @transition(field=status, source=list(OPEN_STATUSES), target=ComplaintStatus.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=status, source=list(OPEN_STATUSES), target=ComplaintStatus.REJECTED)
    def reject(self) -> None:
        pass


def complaint_file_path(instance: ComplaintAttachment, filename: str) -> str:
    # Content-addressed: the uploaded name is never used as a path.
    return f"complaints/{instance.sha256[:2]}/{instance.sha256}"


class ComplaintAttachment(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=complaint_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("complaint attachment")
        verbose_name_plural = _("complaint attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class ComplaintEvent(RecordedEvent):
    """Append-only record of a complaint: who, when, what, from which status to which, and the text."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=30, choices=ComplaintAction.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    # Statuses by name on the pages (已受理 → 已分派), never their codes (received → assigned).
    @property
    def from_label(self) -> str:
        known = self.from_status in ComplaintStatus.values
        return str(ComplaintStatus(self.from_status).label) if known else self.from_status

    @property
    def to_label(self) -> str:
        return (
            str(ComplaintStatus(self.to_status).label)
            if self.to_status in ComplaintStatus.values
            else self.to_status
        )

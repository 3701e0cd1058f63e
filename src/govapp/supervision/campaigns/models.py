"""Spot-check campaigns (抽查检测) and self-inspection campaigns (自查自评): who was drawn or asked, what
they sent or answered, and an append-only record of every step.

Writes go through ``supervision.campaigns.spot_check`` and ``supervision.campaigns.selfcheck``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govapp.accounts.divisions import BY_CODE
from govapp.core.append_only import RecordedEvent
from govapp.registry.models import App

__all__ = [
    "CampaignAction",
    "CampaignEvent",
    "CampaignStatus",
    "SamplingMethod",
    "SelfInspectionCampaign",
    "SelfInspectionReturn",
    "SpotCheckCampaign",
    "SpotCheckItem",
    "SpotCheckPopulation",
]


class SamplingMethod(models.TextChoices):
    RANDOM = "random", _("Simple random sample")
    STRATIFIED = "stratified", _("Stratified by province")
    RISK = "risk", _("Risk-based (complaints, violations, rectifications, scan age)")


class CampaignStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("campaign status", "Open")
    CLOSED = "closed", pgettext_lazy("campaign status", "Closed")


class CampaignScope(models.Model):
    """Which filed apps a campaign covers; an empty list means no restriction on that dimension."""

    title = models.CharField(_("title"), max_length=200)
    provinces = models.JSONField(_("provinces"), default=list, blank=True)
    unit_levels = models.JSONField(_("unit levels"), default=list, blank=True)
    app_kinds = models.JSONField(_("app kinds"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_on = models.DateField(_("started on"))
    due = models.DateField(_("due"), db_index=True)
    due_provisional = models.BooleanField(
        _("provisional deadline"),
        default=False,
        help_text=_("The official calendar for a year the deadline needs is not loaded yet."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN


class SpotCheckCampaign(CampaignScope):
    """A spot check of filed apps: the sample, how it was drawn (reproducibly) and the package deadline."""

    method = models.CharField(_("sampling method"), max_length=20, choices=SamplingMethod.choices)
    size = models.PositiveIntegerField(_("sample size"))
    seed = models.CharField(_("seed"), max_length=40)
    # How many filed apps the sample was drawn from; the snapshot itself is SpotCheckPopulation.
    population_size = models.PositiveIntegerField(_("population size"), default=0)

    class Meta(CampaignScope.Meta):
        verbose_name = _("spot-check campaign")
        verbose_name_plural = _("spot-check campaigns")

    @property
    def reference(self) -> str:
        return f"CC-{self.started_on.year}-{self.pk:04d}"

    @property
    def population(self) -> list[dict[str, Any]]:
        """The recorded population snapshot ([{id, province, score}]); one query, read only to redraw."""
        snapshot = SpotCheckPopulation.objects.filter(campaign=self).values_list("rows", flat=True).first()
        return list(snapshot or [])


class SpotCheckPopulation(models.Model):
    """The population snapshot a spot check's sample was drawn from: sorted app ids with the facts sampling
    used ([{id, province, score}]), so the draw can be repeated and checked later.

    Its own table, because a national population is megabytes of JSON: reading a campaign or an item (pages,
    the tick, queues) must never load it.
    """

    campaign = models.OneToOneField(
        SpotCheckCampaign, on_delete=models.PROTECT, primary_key=True, related_name="population_snapshot"
    )
    rows = models.JSONField(_("population snapshot"), default=list)

    class Meta:
        verbose_name = _("spot-check population snapshot")
        verbose_name_plural = _("spot-check population snapshots")

    def __str__(self) -> str:
        return f"{self.campaign_id}: {len(self.rows)}"


class SpotCheckItem(models.Model):
    """One drawn app: the package request, the package the unit sent, its scan and any rectification order."""

    campaign = models.ForeignKey(SpotCheckCampaign, on_delete=models.PROTECT, related_name="items")
    app = models.ForeignKey(
        App, on_delete=models.PROTECT, related_name="spot_check_items", verbose_name=_("app")
    )
    # Facts at the time of the draw (the app's unit or standing may change later).
    province = models.CharField(_("province"), max_length=2, blank=True)
    stratum = models.CharField(_("stratum"), max_length=40, blank=True)
    risk_score = models.FloatField(_("risk score"), default=0)
    risk_detail = models.JSONField(_("risk detail"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("draw order"))
    package = models.ForeignKey(
        "inspection.Package", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("app package"),
    )  # fmt: skip
    package_name = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("package received at"), null=True, blank=True)
    scan = models.ForeignKey(
        "inspection.Scan", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("technical test"),
    )  # fmt: skip
    overdue = models.BooleanField(_("package overdue"), default=False)
    overdue_on = models.DateField(_("marked overdue on"), null=True, blank=True)
    reminded_on = models.DateField(_("reminded on"), null=True, blank=True)
    order = models.ForeignKey(
        "supervision.RectificationOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("rectification order"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("spot-check item")
        verbose_name_plural = _("spot-check items")
        ordering = ["campaign", "position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "app"], name="spot_check_app_once")]
        # The tick reads only the items still waiting for a package: this index shrinks as packages arrive.
        indexes = [
            models.Index(
                fields=["campaign", "reminded_on"], name="spot_check_item_waiting",
                condition=models.Q(package__isnull=True, overdue=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.app_id}"

    @property
    def stratum_label(self) -> str:
        """The stratum as people name it: the province, or the central units (never "32" or "central")."""
        return stratum_label(self.stratum)

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS.get(self.outcome, self.outcome))

    @property
    def outcome(self) -> str:
        """awaiting / overdue / received / scanning / pass / violation / failed."""
        if self.scan is not None:
            if self.scan.is_pending:
                return "scanning"
            if self.scan.status == "failed":
                return "failed"
            return "violation" if self.scan.verdict == "violation" else "pass"
        if self.package_id:
            return "received"
        return "overdue" if self.overdue else "awaiting"


OUTCOME_LABELS = {
    "awaiting": _("Awaiting package"),
    "overdue": _("Package overdue"),
    "received": _("Package received"),
    "scanning": _("Testing"),
    "pass": _("No violation"),
    "violation": _("Violation"),
    "failed": _("Could not analyse"),
}


def stratum_label(stratum: str) -> str:

    if stratum in BY_CODE:
        return BY_CODE[stratum].name
    if stratum == "central" or not stratum:
        return str(_("Central units"))
    return stratum


class SelfInspectionCampaign(CampaignScope):
    """Units answer the self-inspection questionnaire for each of their filed apps in scope by the due date."""

    class Meta(CampaignScope.Meta):
        verbose_name = _("self-inspection campaign")
        verbose_name_plural = _("self-inspection campaigns")

    @property
    def reference(self) -> str:
        return f"ZC-{self.started_on.year}-{self.pk:04d}"


def selfcheck_attachment_path(instance: SelfInspectionReturn, filename: str) -> str:
    # Content-addressed: the uploaded name is never part of a path.
    return f"supervision/selfcheck/{instance.attachment_sha256[:2]}/{instance.attachment_sha256}"


class SelfInspectionReturn(models.Model):
    """One app's answers in a self-inspection campaign, with the contradictions found when submitted."""

    campaign = models.ForeignKey(SelfInspectionCampaign, on_delete=models.PROTECT, related_name="returns")
    app = models.ForeignKey(
        App, on_delete=models.PROTECT, related_name="self_inspections", verbose_name=_("app")
    )
    province = models.CharField(_("province"), max_length=2, blank=True)
    # {question id: {"answer": "yes" | "no", "note": str}}
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    monthly_active_users = models.PositiveIntegerField(_("monthly active users"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    attachment = models.FileField(
        _("supporting document"), upload_to=selfcheck_attachment_path, max_length=200, blank=True
    )
    attachment_name = models.CharField(_("file name"), max_length=255, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    # [{question, kind: scan|complaint|self_reported|usage, message, scan?, receipts?}]
    flags = models.JSONField(_("flags"), default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    overdue_on = models.DateField(_("marked overdue on"), null=True, blank=True)
    reminded_on = models.DateField(_("reminded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("self-inspection return")
        verbose_name_plural = _("self-inspection returns")
        ordering = ["campaign", "province", "app__unit__name", "app__name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "app"], name="self_inspection_app_once")]
        # The tick reads only the returns still unanswered: this index shrinks as units answer.
        indexes = [
            models.Index(
                fields=["campaign", "reminded_on"], name="self_inspection_unanswered",
                condition=models.Q(submitted_at__isnull=True, overdue=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.app_id}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def contradiction_count(self) -> int:
        return sum(1 for flag in self.flags if flag.get("kind") in ("scan", "complaint"))


class CampaignAction(models.TextChoices):
    DRAW = "draw", _("Sample drawn and packages requested")
    UPLOAD = "upload", _("Package received")
    SCAN = "scan", _("Technical tests started")
    ORDER = "order", _("Rectification ordered")
    PACKAGE_OVERDUE = "package_overdue", _("Package not sent in time")
    REMIND = "remind", _("Reminder sent")
    LAUNCH = "launch", _("Self-inspection launched")
    ANSWER = "answer", _("Self-inspection answered")
    ANSWER_OVERDUE = "answer_overdue", _("Self-inspection not answered in time")
    CLOSE = "close", _("Campaign closed")


class CampaignEvent(RecordedEvent):
    """Append-only record of every campaign step: who, when, what, with structured detail."""

    spot_check = models.ForeignKey(
        SpotCheckCampaign, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    self_inspection = models.ForeignKey(
        SelfInspectionCampaign, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    app = models.ForeignKey(App, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=30, choices=CampaignAction.choices)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

"""立项审核 duplication checks and the province's consolidation (瘦身) plan, with its append-only events.

A project review is itself a decision and never changes once recorded. A plan item holds the decision
in force for one app; every decision on it (and every notice sent about it) is a ``ConsolidationEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govapp.accounts.divisions import PROVINCE_CHOICES
from govapp.accounts.models import Unit
from govapp.core.append_only import AppendOnlyModel, RecordedEvent
from govapp.registry.choices import AppKind
from govapp.registry.models import App

# A merge target, or the app a project should join, must hold a valid filing and not be closing.
MERGE_TARGET_STATES = (App.State.FILED, App.State.CHANGE_REVIEW, App.State.RECTIFYING)


class Opinion(models.TextChoices):
    APPROVE = "approve", _("Approve the project")
    MERGE = "merge", _("Merge into an existing app")
    MODULE = "module", _("Build as a module of an existing app")
    REFUSE = "refuse", _("Refuse the project")


class ProjectReview(AppendOnlyModel):
    """An IT-project approval authority's duplication check (立项审核) and its opinion, once."""

    number = models.CharField(_("opinion number"), max_length=30, unique=True)
    authority = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="project_reviews_given",
        verbose_name=_("approval authority"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="project_reviews", verbose_name=_("applicant unit")
    )
    project_name = models.CharField(_("project name"), max_length=100)
    functions = models.TextField(_("proposed functions"))
    kind = models.CharField(_("app kind"), max_length=20, choices=AppKind.choices, blank=True)
    budget_line = models.CharField(_("budget line"), max_length=200, blank=True)
    opinion = models.CharField(_("opinion"), max_length=10, choices=Opinion.choices)
    target_app = models.ForeignKey(
        App, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("existing app")
    )
    reason = models.TextField(_("reason"))
    similar = models.JSONField(_("similar apps at the time of the check"), default=list, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project review")
        verbose_name_plural = _("project reviews")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return self.number


class Decision(models.TextChoices):
    KEEP = "keep", _("Keep")
    MERGE = "merge", _("Merge into another app")
    CLOSE = "close", pgettext_lazy("consolidation decision", "Close")


class ConsolidationPlan(models.Model):
    """One province's plan (``province`` empty: the central ministries' plan, kept by the national office)."""

    province = models.CharField(
        _("province"), max_length=2, choices=PROVINCE_CHOICES, blank=True, unique=True
    )
    title = models.CharField(_("title"), max_length=200)
    # The funding lever (regulation §8): overdue items are reported to the O&M funding authority.
    notify_funding = models.BooleanField(
        _("report overdue items to the O&M funding authority"), default=False
    )
    baseline = models.JSONField(_("apps at the start, by level"), default=dict, blank=True)
    # The office's edits of the computed duplicate clusters: app id -> cluster label ("" = in none).
    clusters = models.JSONField(_("duplicate clusters as edited"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consolidation plan")
        verbose_name_plural = _("consolidation plans")
        ordering = ["province"]

    def __str__(self) -> str:
        return self.title


class PlanItem(models.Model):
    """The decision in force for one app of the plan; its history is in ``ConsolidationEvent``."""

    plan = models.ForeignKey(ConsolidationPlan, on_delete=models.PROTECT, related_name="items")
    app = models.ForeignKey(App, on_delete=models.PROTECT, related_name="plan_items", verbose_name=_("app"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    target = models.ForeignKey(
        App, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("merge target")
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    cluster = models.CharField(_("duplicate cluster"), max_length=40, blank=True)
    funding_notified_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["deadline", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "app"], name="one_plan_item_per_app")]

    def __str__(self) -> str:
        return f"{self.app} → {self.decision}"


class EventKind(models.TextChoices):
    PROJECT_REVIEW = "project_review", _("Project review opinion recorded")
    PLAN_CREATED = "plan_created", _("Consolidation plan started")
    DECISION = "decision", _("Decision recorded")
    CLUSTER = "cluster", _("Duplicate cluster edited")
    FUNDING_NOTIFIED = "funding_notified", _("Overdue item reported to the O&M funding authority")
    SETTINGS = "settings", _("Plan settings changed")


class ConsolidationEvent(RecordedEvent):
    """Append-only record of every consolidation decision: who, when, what, why."""

    kind = models.CharField(_("action"), max_length=20, choices=EventKind.choices)
    plan = models.ForeignKey(
        ConsolidationPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    item = models.ForeignKey(PlanItem, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    review = models.ForeignKey(
        ProjectReview, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    app = models.ForeignKey(App, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("consolidation event")
        verbose_name_plural = _("consolidation events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


__all__ = [
    "MERGE_TARGET_STATES", "ConsolidationEvent", "ConsolidationPlan", "Decision", "EventKind", "Opinion", "PlanItem",
    "ProjectReview",
]  # fmt: skip

"""Shared tables: the official working-day calendar and its deadline revisions, notifications, scheduled runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govapp.core.append_only import AppendOnlyModel

from .translatable import Text


class CalendarDay(models.Model):
    """One day of the official calendar where it differs from the plain Monday–Friday week.

    Only exceptions are stored: public holidays that fall on weekdays and make-up working days
    (调休上班) on weekends. A year counts as covered only when a ``CalendarYear`` row says so.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'day off'} {self.name}"


class CalendarYear(models.Model):
    """A year whose official holiday arrangement has been loaded (State Council notice)."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=300)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class Notification(models.Model):
    """An in-app message; e-mail copies are sent by the notification service.

    ``subject_msg``/``body_msg`` hold the sentence as msgid and parameters (``core.translatable.Text``) and
    are rendered in the reader's language; ``subject``/``body`` keep the text as written, for the e-mail
    copy and for rows written before messages were stored that way.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    subject_msg = models.JSONField(_("subject (msgid and parameters)"), default=dict, blank=True)
    body_msg = models.JSONField(_("body (msgid and parameters)"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject

    @property
    def subject_text(self) -> str:
        """The subject in the active language (the reader's)."""
        return Text.from_json(self.subject_msg).render() if self.subject_msg else self.subject

    @property
    def body_text(self) -> str:
        """The body in the active language (the reader's)."""
        return Text.from_json(self.body_msg).render() if self.body_msg else self.body


class ScheduledRun(models.Model):
    """One row per (job, period): several workers may race to run a periodic job, only one wins."""

    name = models.CharField(max_length=100)
    period = models.CharField(max_length=40)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "period"], name="scheduled_run_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.period}"


class DeadlineRevision(AppendOnlyModel):
    """A provisional deadline recounted when the official calendar of its year was imported."""

    owner = models.CharField(_("clock of"), max_length=60)  # "app_label.Model"
    object_id = models.PositiveBigIntegerField()
    limit = models.CharField(_("limit"), max_length=20)
    old_due = models.DateField(_("previous due date"))
    new_due = models.DateField(_("new due date"))
    provisional = models.BooleanField(_("still provisional"), default=False)
    years = models.CharField(_("imported years"), max_length=40)
    source = models.CharField(_("source"), max_length=300)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("deadline revision")
        verbose_name_plural = _("deadline revisions")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["owner", "object_id"])]

    def __str__(self) -> str:
        return f"{self.owner}#{self.object_id} {self.limit}: {self.old_due} → {self.new_due}"


class WorkerHeartbeat(models.Model):
    """A running `govapp worker`, on whatever machine: it refreshes ``beat_at`` while it lives.

    A task still "running" under a worker whose beat is older than the lease was abandoned (the
    worker was killed or its machine lost) and is handed to another worker (core/leases.py).
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.worker_id} {self.beat_at:%H:%M:%S}"

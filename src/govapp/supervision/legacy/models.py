"""Apps that were online before the Measures (存量应用) and the reminders about their 6-month deadline.

A legacy app is registered by its unit (or by provincial staff for the units of their province); once a
filing starts it points at the registry ``App``, whose standing then decides its status
(``supervision.legacy.services``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govapp.accounts.models import Unit
from govapp.registry.choices import AppKind
from govapp.registry.models import App, android_package_validator, appid_validator

__all__ = ["LegacyApp", "LegacyReminder", "MEASURES_ISSUED", "LEGACY_DEADLINE", "IDENTIFIER_FIELDS"]

# Regulation §4: apps already online when the Measures were issued (2026-01-25) had 6 months to file.
MEASURES_ISSUED = dt.date(2026, 1, 25)
LEGACY_DEADLINE = dt.date(2026, 7, 25)

# The identifiers by which a re-import finds the row it updates (one unit never lists one twice).
IDENTIFIER_FIELDS: tuple[str, ...] = (
    "android_package", "harmony_bundle", "ios_bundle", "miniprogram_appid", "quickapp_package",
)  # fmt: skip


class LegacyApp(models.Model):
    """An app online before 2026-01-25 that must be filed by 2026-07-25."""

    class Source(models.TextChoices):
        FORM = "form", _("Entered on the form")
        IMPORT = "import", _("Imported from a spreadsheet")

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="legacy_apps", verbose_name=_("sponsoring unit")
    )
    name = models.CharField(_("app name"), max_length=100)
    kind = models.CharField(_("app kind"), max_length=20, choices=AppKind.choices)
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    android_package = models.CharField(
        _("Android package name"), max_length=200, blank=True, validators=[android_package_validator]
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
    online_since = models.DateField(_("online since"))
    monthly_active_users = models.PositiveIntegerField(_("monthly active users"), null=True, blank=True)
    contact = models.CharField(
        _("contact"), max_length=200, blank=True,
        help_text=_("Name and telephone of the person who answers for this app."),
    )  # fmt: skip
    app = models.OneToOneField(
        App,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legacy_entry",
        verbose_name=_("app in the register"),
    )
    source = models.CharField(_("entered by"), max_length=10, choices=Source.choices, default=Source.FORM)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    filing_started_at = models.DateTimeField(_("filing started"), null=True, blank=True)

    class Meta:
        verbose_name = _("legacy app")
        verbose_name_plural = _("legacy apps")
        ordering = ["unit__province", "unit__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", name], condition=~Q(**{name: ""}), name=f"legacy_unique_{name}_per_unit"
            )
            for name in IDENTIFIER_FIELDS
        ]

    def __str__(self) -> str:
        return self.name

    def identifiers(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in IDENTIFIER_FIELDS if getattr(self, name)}

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not self.identifiers():
            errors["android_package"] = _(
                "Give at least one identifier (Android package, HarmonyOS bundle, iOS bundle ID, mini-program "
                "appid or quick app package) so the app can be recognised."
            )
        if self.online_since and self.online_since >= MEASURES_ISSUED:
            errors["online_since"] = _(
                "Only apps online before 2026-01-25 are legacy apps; an app launched later must be filed "
                "before it goes online (start a normal filing instead)."
            )
        if errors:
            raise ValidationError(errors)


class LegacyReminder(models.Model):
    """One reminder sent for one scope and period: the unique row makes the reminder rule idempotent."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly reminder to the unit")
        MONTHLY = "monthly", _("Monthly summary to the provincial office")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    period = models.CharField(max_length=10)  # "2026-W31" or "2026-08"
    scope = models.CharField(max_length=40)  # "app:<pk>" or "province:<code>" / "province:central"
    legacy_app = models.ForeignKey(
        LegacyApp, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    recipients = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "scope"], name="legacy_reminder_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.scope}"

"""Forms of the legacy-app pages: single entry, spreadsheet upload, list filters."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govapp.accounts.divisions import PROVINCE_CHOICES
from govapp.accounts.models import Unit
from govapp.registry.choices import Platform

from .models import IDENTIFIER_FIELDS, LegacyApp
from .services import STATUS_CHOICES, registrable_units

_CHINESE_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*$")
_NUMERIC_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*$")


def parse_date_text(text: str) -> dt.date | None:
    """2025-03-01, 2025/3/1, 2025.3.1 or 2025年3月1日; None when the text is none of these."""
    match = _CHINESE_DATE.match(text) or _NUMERIC_DATE.match(text)
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


class FlexibleDateField(forms.DateField):
    """A date written the ISO way or the Chinese way (2025年3月1日)."""

    default_error_messages = {
        "invalid": gettext_lazy("Enter a date such as 2025-03-01 or 2025年3月1日."),
    }

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if value in self.empty_values:
            return None
        parsed = parse_date_text(str(value))
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class LegacyAppForm(forms.ModelForm):
    """One legacy app. ``unit`` given: that unit (a filer's own, or resolved by the importer); otherwise the
    user chooses among the units they may register for."""

    platforms = forms.MultipleChoiceField(
        label=gettext_lazy("platforms"),
        choices=Platform.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    online_since = FlexibleDateField(
        label=gettext_lazy("online since"),
        help_text=gettext_lazy("The day the app first went online; before 2026-01-25."),
    )

    class Meta:
        model = LegacyApp
        fields = [
            "unit", "name", "kind", "platforms", "android_package", "harmony_bundle", "ios_bundle",
            "miniprogram_appid", "quickapp_package", "online_since", "monthly_active_users", "contact",
        ]  # fmt: skip

    def __init__(self, *args: Any, user: Any, unit: Unit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_unit = unit
        if unit is not None:
            del self.fields["unit"]
            self.instance.unit = unit
        else:
            units: QuerySet[Unit] = registrable_units(user).order_by("name")
            field = self.fields["unit"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units
            if self.instance.pk is None and units.count() == 1:
                field.initial = units.get().pk
        for name in IDENTIFIER_FIELDS:
            self.fields[name].required = False

    def clean_name(self) -> str:
        name = str(self.cleaned_data.get("name", "")).strip()
        if not name:
            raise ValidationError(_("Enter the app's name as users see it."))
        return name

    def clean_online_since(self) -> dt.date:
        value = self.cleaned_data["online_since"]
        if value < dt.date(2000, 1, 1):
            raise ValidationError(_("Enter the real date the app went online (a date from 2000 onwards)."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        unit = self.fixed_unit or data.get("unit")
        if unit is None:
            return data
        others = LegacyApp.objects.filter(unit=unit).exclude(pk=self.instance.pk)
        for name in IDENTIFIER_FIELDS:
            value = (data.get(name) or "").strip()
            if value and name not in self.errors:
                clash = others.filter(**{name: value}).first()
                if clash is not None:
                    self.add_error(
                        name,
                        _(
                            "The unit's legacy app “%(other)s” already has this identifier; edit that entry instead."
                        )
                        % {"other": clash.name},
                    )
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        help_text=gettext_lazy("Use the template: one app per row, headers in Chinese or in English."),
    )


class LegacyFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("All"))] + STATUS_CHOICES
    )
    province = forms.ChoiceField(
        label=gettext_lazy("Province"),
        required=False,
        choices=[("", gettext_lazy("All")), ("central", gettext_lazy("Central"))] + list(PROVINCE_CHOICES),
    )
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)

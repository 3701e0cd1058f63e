"""Forms of spot-check and self-inspection campaigns; every error names the field and the fix."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from govapp.accounts.divisions import PROVINCE_CHOICES
from govapp.accounts.models import UnitLevel
from govapp.registry.choices import AppKind

from .models import SamplingMethod
from .selfcheck import NO, QUESTIONS, YES
from .spot_check import MAX_SAMPLE


class ScopeForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200,
        error_messages={"required": _("Give the campaign a title, e.g. “2026 second-quarter spot check”.")},
    )  # fmt: skip
    provinces = forms.MultipleChoiceField(
        label=_("Provinces"), choices=PROVINCE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None selected: every province and the central units."),
        error_messages={"invalid_choice": _("“%(value)s” is not a province code of the list.")},
    )  # fmt: skip
    unit_levels = forms.MultipleChoiceField(
        label=_("Unit levels"), choices=UnitLevel.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None selected: every level."),
        error_messages={"invalid_choice": _("“%(value)s” is not a unit level of the list.")},
    )  # fmt: skip
    app_kinds = forms.MultipleChoiceField(
        label=_("App kinds"), choices=AppKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None selected: every kind."),
        error_messages={"invalid_choice": _("“%(value)s” is not an app kind of the list.")},
    )  # fmt: skip


class SpotCheckForm(ScopeForm):
    method = forms.ChoiceField(
        label=_("Sampling method"), choices=SamplingMethod.choices, initial=SamplingMethod.RANDOM,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a sampling method."),
                        "invalid_choice": _("Choose random, stratified or risk-based sampling.")},
    )  # fmt: skip
    size = forms.IntegerField(
        label=_("Sample size"), min_value=1, max_value=MAX_SAMPLE,
        error_messages={"required": _("Enter how many apps to draw."),
                        "invalid": _("Enter the sample size as a whole number."),
                        "min_value": _("Draw at least one app."),
                        "max_value": _("Draw at most %(limit_value)s apps in one campaign.")},
    )  # fmt: skip
    seed = forms.CharField(
        label=_("Seed"), max_length=40, required=False,
        help_text=_("Leave empty for a random seed. The seed is recorded: the same seed and population give the "
                    "same sample."),
        error_messages={"max_length": _("Use a seed of at most %(limit_value)d characters.")},
    )  # fmt: skip


class OrdersForm(forms.Form):
    items = forms.TypedMultipleChoiceField(
        label=_("Apps"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Select at least one app with violations."),
                        "invalid_choice": _("Select only apps with violations listed here.")},
    )  # fmt: skip
    required_actions = forms.CharField(
        label=_("Required actions"), widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("Remove the prohibited functions found by the spot check and submit a rectification statement "
                  "with the corrected package."),
        error_messages={"required": _("Say what the units must change.")},
    )  # fmt: skip
    workdays = forms.IntegerField(
        label=_("Working days to rectify"), min_value=1, max_value=120, required=False,
        help_text=_("Empty: the default rectification limit."),
        error_messages={"invalid": _("Enter a whole number of working days."),
                        "min_value": _("Allow at least one working day."),
                        "max_value": _("Allow at most %(limit_value)s working days.")},
    )  # fmt: skip

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = self.fields["items"]
        assert isinstance(items, forms.TypedMultipleChoiceField)
        items.choices = choices


class PackageForm(forms.Form):
    package = forms.FileField(
        label=_("App package"),
        help_text=_("The package currently in use: APK, HarmonyOS HAP or .app, WeChat .wxapkg, quick app .rpk, or "
                    "mini-program source as a zip."),
        error_messages={"required": _("Choose the app package file to upload."),
                        "empty": _("The file is empty; upload the package itself.")},
    )  # fmt: skip


ANSWER_CHOICES = [(YES, _("Yes")), (NO, _("No"))]


class AnswerForm(forms.Form):
    """The questionnaire: an answer and a note per question, usage figures, evidence and a document."""

    monthly_active_users = forms.IntegerField(
        label=_("Monthly active users"), min_value=0,
        error_messages={"required": _("Enter the number of monthly active users (0 if none)."),
                        "invalid": _("Enter the number of monthly active users as a whole number."),
                        "min_value": _("The number of users cannot be negative.")},
    )  # fmt: skip
    evidence = forms.CharField(
        label=_("How the answers were checked"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        error_messages={"required": _("Describe how the answers were checked (who, when, which functions).")},
    )  # fmt: skip
    attachment = forms.FileField(
        label=_("Supporting document"), required=False, help_text=_("Optional: PDF, PNG or JPEG, at most 10 MB."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            self.fields[f"answer_{question.id}"] = forms.ChoiceField(
                label=question.text, choices=ANSWER_CHOICES, widget=forms.RadioSelect,
                error_messages={"required": _("Answer yes or no."), "invalid_choice": _("Answer yes or no.")},
            )  # fmt: skip
            self.fields[f"note_{question.id}"] = forms.CharField(
                label=_("Explanation"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
            )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for question in QUESTIONS:
            if (
                data.get(f"answer_{question.id}") == question.problem
                and not (data.get(f"note_{question.id}") or "").strip()
            ):
                self.add_error(
                    f"note_{question.id}", _("Explain the situation and what the unit will change.")
                )
        return data

    def answers(self) -> dict[str, dict[str, str]]:
        return {
            q.id: {
                "answer": self.cleaned_data[f"answer_{q.id}"],
                "note": self.cleaned_data.get(f"note_{q.id}", ""),
            }
            for q in QUESTIONS
        }

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(q, self[f"answer_{q.id}"], self[f"note_{q.id}"]) for q in QUESTIONS]

    @staticmethod
    def initial_from(answers: dict[str, dict[str, str]]) -> dict[str, str]:
        initial = {}
        for question_id, value in answers.items():
            initial[f"answer_{question_id}"] = value.get("answer", "")
            initial[f"note_{question_id}"] = value.get("note", "")
        return initial

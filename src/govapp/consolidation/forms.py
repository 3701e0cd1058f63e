"""Forms of the duplication check, the project review opinion and the consolidation plan."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govapp.accounts.divisions import PROVINCE_CHOICES
from govapp.accounts.models import Unit
from govapp.registry.choices import AppKind
from govapp.registry.models import App

from .models import MERGE_TARGET_STATES, Decision, Opinion


class SimilarSearchForm(forms.Form):
    name = forms.CharField(label=_("App or project name"), max_length=100)
    functions = forms.CharField(label=_("Main functions"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                max_length=2000)  # fmt: skip
    province = forms.ChoiceField(label=_("Province"), choices=[("", "—"), *PROVINCE_CHOICES], required=False)
    kind = forms.ChoiceField(label=_("App kind"), choices=[("", "—"), *AppKind.choices], required=False)


class ProjectCheckForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Applicant unit"), queryset=Unit.objects.none())
    project_name = forms.CharField(label=_("Project name"), max_length=100)
    functions = forms.CharField(label=_("Proposed functions"), widget=forms.Textarea(attrs={"rows": 3}),
                                max_length=2000)  # fmt: skip
    kind = forms.ChoiceField(label=_("App kind"), choices=[("", "—"), *AppKind.choices], required=False)
    budget_line = forms.CharField(label=_("Budget line"), max_length=200, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


def filed_apps() -> Any:
    return App.objects.filter(state__in=MERGE_TARGET_STATES).select_related("unit").order_by("name")


class OpinionForm(ProjectCheckForm):
    opinion = forms.ChoiceField(label=_("Opinion"), choices=Opinion.choices)
    target_app = forms.ModelChoiceField(
        label=_("Existing app (for merge or module)"), queryset=App.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, units=units, **kwargs)
        self.fields["target_app"].queryset = filed_apps()  # type: ignore[attr-defined]


class PlanStartForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)


class PlanSettingsForm(forms.Form):
    notify_funding = forms.BooleanField(
        label=_("Report overdue items to the O&M funding authority"), required=False
    )


class DecisionForm(forms.Form):
    app = forms.ModelChoiceField(label=_("App"), queryset=App.objects.none())
    decision = forms.ChoiceField(label=pgettext_lazy("consolidation", "Decision"), choices=Decision.choices)
    target = forms.ModelChoiceField(label=_("Merge into"), queryset=App.objects.none(), required=False)
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, apps: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["app"].queryset = apps  # type: ignore[attr-defined]
        self.fields["target"].queryset = filed_apps()  # type: ignore[attr-defined]


class ClusterForm(forms.Form):
    app = forms.ModelChoiceField(label=_("App"), queryset=App.objects.none())
    cluster = forms.CharField(label=_("Duplicate cluster"), max_length=40, required=False,
                              help_text=_("A label such as C1; leave empty to take the app out of any cluster."))  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args: Any, apps: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["app"].queryset = apps  # type: ignore[attr-defined]

"""Forms of staff sign-in: second-factor codes, e-mail language, password reset, identity mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import Role, Unit, User


class SecondFactorCodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class EmailLanguageForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]


class LocalisedPasswordResetForm(PasswordResetForm):
    """Writes the reset e-mail in the language the account holder chose, not the visitor's page language."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context.get("user")
        language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


class MapIdentityForm(forms.Form):
    username = forms.CharField(label=_("Account name"), max_length=150)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.order_by("province", "name"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("An account with this name exists already."))
        return username

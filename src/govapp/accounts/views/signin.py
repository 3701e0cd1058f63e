"""Signing in with a password, the person's own sign-in settings, and password change and reset."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as reset_lockout
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..auth import signed_in_user
from ..forms import EmailLanguageForm, LocalisedPasswordResetForm
from ..second_factor import confirmed_totp, recovery_codes_left, second_factor_required
from ..sso import cas_enabled, oidc_enabled


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.conf import settings

        context = super().get_context_data(**kwargs)
        context["oidc_label"] = (
            (settings.GOVAPP_OIDC_LABEL or _("Unified identity platform")) if oidc_enabled() else ""
        )
        context["cas_label"] = (
            (settings.GOVAPP_CAS_LABEL or _("Unified identity platform (CAS)")) if cas_enabled() else ""
        )
        return context


@login_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    """The person's own sign-in page: password, second factor, the language of e-mails."""
    user = signed_in_user(request)
    form = EmailLanguageForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("accounts:security")
    return TemplateResponse(
        request,
        "accounts/security.html",
        {
            "form": form,
            "has_totp": confirmed_totp(user) is not None,
            "required": second_factor_required(user),
            "codes_left": recovery_codes_left(user),
            "has_password": user.has_usable_password(),
        },
    )


password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done")
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
password_reset = auth_views.PasswordResetView.as_view(
    form_class=LocalisedPasswordResetForm,
    template_name="accounts/password_reset.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Whoever holds the account's mailbox has just chosen a new password: the wrong guesses of
        # before no longer keep the account locked.
        reset_lockout(username=form.user.get_username())
        return response


password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)

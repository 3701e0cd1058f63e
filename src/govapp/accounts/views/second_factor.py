"""Enrolling an authenticator, entering its code at sign-in, and recovery codes."""

from __future__ import annotations

import datetime as dt
import math

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from ..auth import signed_in_user
from ..forms import SecondFactorCodeForm
from ..second_factor import (
    confirmed_totp,
    issue_recovery_codes,
    manual_key,
    match_second_factor,
    pending_totp,
    qr_svg,
    retry_after,
    second_factor_retry_after,
)


def _wait_message(wait: dt.datetime) -> str:
    seconds = max(1, math.ceil((wait - timezone.now()).total_seconds()))
    return ngettext(
        "After wrong codes, the next try must wait: try again in %(seconds)d second.",
        "After wrong codes, the next try must wait: try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("portal:home")


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Scan a QR code, type the first code; on success the recovery codes are shown, this once."""
    user = signed_in_user(request)
    if confirmed_totp(user) is not None:
        # A second authenticator may be added only by a verified user after an administrator's reset.
        return redirect("accounts:second_factor_verify" if not user.is_verified() else "accounts:security")  # type: ignore[attr-defined]
    device = pending_totp(user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if wait := retry_after([device]):
            form.add_error("token", _wait_message(wait))
        elif device.verify_token(form.cleaned_data["token"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            codes = issue_recovery_codes(user=user)
            return TemplateResponse(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
            )
        else:
            form.add_error("token", _("The code is wrong or has expired. Enter the code your app shows now."))
    return TemplateResponse(
        request,
        "accounts/second_factor_enrol.html",
        {"form": form, "qr": qr_svg(device), "key": manual_key(device), "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The code of the authenticator, or one recovery code (used up), after the password."""
    user = signed_in_user(request)
    if confirmed_totp(user) is None:
        return redirect("accounts:second_factor_enrol")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if wait := second_factor_retry_after(user):
            form.add_error("token", _wait_message(wait))
        elif device := match_second_factor(user=user, token=form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_next_url(request))
        else:
            form.add_error(
                "token",
                _(
                    "The code is wrong, has expired or was used already. Enter the code your app shows "
                    "now, or an unused recovery code."
                ),
            )
    return TemplateResponse(
        request,
        "accounts/second_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    """Fresh recovery codes for a verified user; the old ones stop working."""
    user = signed_in_user(request)
    if confirmed_totp(user) is None or not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:security")
    codes = issue_recovery_codes(user=user)
    return TemplateResponse(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": resolve_url("accounts:security")}
    )

"""The administrator's sign-in pages: lockouts to lift, external identities to map, second factors to reset."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..auth import signed_in_user
from ..forms import MapIdentityForm
from ..lockout import current_lockouts, lift_lockout
from ..models import ExternalIdentity, Role, User
from ..second_factor import SECOND_FACTOR_ROLES, reset_second_factor
from ..sso import map_identity

# Who lifted which lockout and reset whose second factor: the operators' journal keeps it.
log = logging.getLogger("govapp.accounts.admin")


def admin_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if signed_in_user(request).role != Role.ADMIN:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@admin_only
def lockouts(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "accounts/admin_lockouts.html", {"lockouts": current_lockouts()})


@require_POST
@admin_only
def lockout_lift(request: HttpRequest, attempt_id: int) -> HttpResponse:
    if lift_lockout(attempt_id=attempt_id):
        log.warning("lockout %s lifted by %s", attempt_id, signed_in_user(request).username)
        messages.success(request, _("The lockout was lifted; the account can sign in again."))
    else:
        messages.info(request, _("This lockout had already ended."))
    return redirect("accounts:admin_lockouts")


@require_GET
@admin_only
def identities(request: HttpRequest) -> HttpResponse:
    pending = ExternalIdentity.objects.filter(user__isnull=True)
    mapped = ExternalIdentity.objects.filter(user__isnull=False).select_related("user", "user__unit")[:50]
    return TemplateResponse(request, "accounts/admin_identities.html", {"pending": pending, "mapped": mapped})


@require_http_methods(["GET", "POST"])
@admin_only
def identity_map(request: HttpRequest, identity_id: int) -> HttpResponse:
    identity = get_object_or_404(ExternalIdentity, pk=identity_id, user__isnull=True)
    initial = {"username": (identity.email.split("@")[0] if identity.email else identity.subject)[:150]}
    form = MapIdentityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        user = map_identity(
            identity=identity,
            actor=signed_in_user(request),
            username=form.cleaned_data["username"],
            unit=form.cleaned_data["unit"],
            role=form.cleaned_data["role"],
        )
        log.warning(
            "external identity %s mapped to %s (%s) by %s",
            identity.pk,
            user.username,
            user.role,
            signed_in_user(request).username,
        )
        messages.success(
            request,
            _("%(name)s can now sign in as %(role)s of %(unit)s.")
            % {"name": identity, "role": user.get_role_display(), "unit": user.unit},
        )
        return redirect("accounts:admin_identities")
    return TemplateResponse(
        request,
        "accounts/admin_identity_map.html",
        {"identity": identity, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
@admin_only
def second_factors(request: HttpRequest) -> HttpResponse:
    people = (
        User.objects.filter(role__in=SECOND_FACTOR_ROLES, is_active=True)
        .select_related("unit")
        .annotate(devices=Count("totpdevice", filter=Q(totpdevice__confirmed=True)))
        .order_by("role", "username")
    )
    return TemplateResponse(request, "accounts/admin_second_factors.html", {"people": people})


@require_POST
@admin_only
def second_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id)
    reset_second_factor(user=person)
    log.warning("second factor of %s reset by %s", person.username, signed_in_user(request).username)
    messages.success(
        request, _("%(name)s will enrol a new authenticator at the next sign-in.") % {"name": person}
    )
    return redirect("accounts:admin_second_factors")

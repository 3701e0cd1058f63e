"""Single sign-on pages: start at the platform, come back, and the pending or refused result."""

from __future__ import annotations

import logging

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_cas_ng.utils import get_cas_client
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from ..models import ExternalIdentity, User
from ..sso import (
    ERROR_SESSION_KEY,
    PENDING_SESSION_KEY,
    CasBackend,
    OidcBackend,
    SignInRefused,
    cas_enabled,
    oidc_enabled,
    oidc_missing_settings,
)

log = logging.getLogger(__name__)
# The account is local once mapped; the session remembers it through the ordinary model backend.
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _refused(request: HttpRequest, message: str | Promise) -> HttpResponse:
    request.session[ERROR_SESSION_KEY] = str(message)
    request.session.pop(PENDING_SESSION_KEY, None)
    return redirect("accounts:sso_result")


def _signed_in(request: HttpRequest, user: User) -> HttpResponse:
    login(request, user, backend=SESSION_BACKEND)
    return redirect("portal:home")


def _unavailable(request: HttpRequest, missing: list[str]) -> HttpResponse:
    log.warning("single sign-on requested but not configured; missing: %s", ", ".join(missing))
    # 404: on this installation the sign-in method does not exist (a 5xx would page the operator).
    return TemplateResponse(request, "accounts/sso_unavailable.html", {"missing": missing}, status=404)


@require_GET
def oidc_start(request: HttpRequest) -> HttpResponse:
    """Send the person to the identity platform with a fresh state, nonce and PKCE verifier."""
    if not oidc_enabled():
        return _unavailable(request, oidc_missing_settings())
    response: HttpResponse = OIDCAuthenticationRequestView.as_view()(request)
    return response


@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The platform's answer: state checked against this session, then the code exchanged and verified."""
    if not oidc_enabled():
        return _unavailable(request, oidc_missing_settings())
    if request.GET.get("error"):
        return _refused(
            request,
            _("The identity platform did not sign you in (%(error)s).")
            % {"error": request.GET["error"][:100]},
        )
    state = request.GET.get("state", "")
    states = request.session.get("oidc_states") or {}
    if not state or state not in states or not request.GET.get("code"):
        return _refused(
            request,
            _("This answer does not belong to a sign-in started in this browser (state). Start again."),
        )
    started = states.pop(state)
    request.session["oidc_states"] = states
    try:
        user = OidcBackend().authenticate(
            request, nonce=started.get("nonce"), code_verifier=started.get("code_verifier")
        )
    except SignInRefused as refusal:
        log.warning("OIDC sign-in refused: %s", refusal)
        return _refused(request, refusal.message)
    if user is None:
        return redirect("accounts:sso_result")
    return _signed_in(request, user)


def _cas_service_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:cas_callback"))


@require_GET
def cas_start(request: HttpRequest) -> HttpResponse:
    if not cas_enabled():
        return _unavailable(request, ["GOVAPP_CAS_SERVER_URL"])
    client = get_cas_client(service_url=_cas_service_url(request), request=request)
    return HttpResponseRedirect(client.get_login_url())


@require_GET
def cas_callback(request: HttpRequest) -> HttpResponse:
    """The platform sends the person back with a service ticket, which it validates once only."""
    if not cas_enabled():
        return _unavailable(request, ["GOVAPP_CAS_SERVER_URL"])
    ticket = request.GET.get("ticket", "")
    if not ticket:
        return _refused(request, _("The identity platform sent no sign-in ticket. Start again."))
    try:
        user = CasBackend().authenticate(request, ticket=ticket, service=_cas_service_url(request))
    except SignInRefused as refusal:
        log.warning("CAS sign-in refused: %s", refusal)
        return _refused(request, refusal.message)
    if user is None:
        return redirect("accounts:sso_result")
    return _signed_in(request, user)


@require_GET
def sso_result(request: HttpRequest) -> HttpResponse:
    """Why single sign-on did not give access: waiting for an administrator, or refused and why."""
    error = request.session.pop(ERROR_SESSION_KEY, "")
    pending_id = request.session.get(PENDING_SESSION_KEY)
    identity = (
        ExternalIdentity.objects.filter(pk=pending_id, user__isnull=True).first() if pending_id else None
    )
    return TemplateResponse(
        request,
        "accounts/sso_result.html",
        {"error": error, "identity": identity},
        status=403 if (error or identity) else 200,
    )

"""Single sign-on with the provinces' unified identity platforms: OIDC and CAS, deny by default.

A person the platform vouches for gets an ``ExternalIdentity``; it gives access only once an
administrator has mapped it to an account with a unit and a role. Until then the person sees a
pending page. Every refusal carries a sentence the person can act on (``SignInRefused``).
"""

from __future__ import annotations

import time
from typing import Any
from xml.etree.ElementTree import ParseError

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_cas_ng.utils import get_cas_client
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import ExternalIdentity, IdentityProvider, Role, Unit, User

PENDING_SESSION_KEY = "govapp_sso_pending"
ERROR_SESSION_KEY = "govapp_sso_error"

_OIDC_SETTINGS = (
    "OIDC_OP_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
)
_OIDC_ENV = {
    "OIDC_OP_ISSUER": "GOVAPP_OIDC_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "GOVAPP_OIDC_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT": "GOVAPP_OIDC_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT": "GOVAPP_OIDC_USERINFO_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT": "GOVAPP_OIDC_JWKS_ENDPOINT",
    "OIDC_RP_CLIENT_ID": "GOVAPP_OIDC_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET": "GOVAPP_OIDC_CLIENT_SECRET",
}


class SignInRefused(SuspiciousOperation):
    """A single sign-on answer we do not accept, with the sentence shown to the person."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


def oidc_missing_settings() -> list[str]:
    """The environment variables OIDC still needs (empty when it is configured)."""
    return [_OIDC_ENV[name] for name in _OIDC_SETTINGS if not getattr(settings, name, "")]


def oidc_enabled() -> bool:
    return not oidc_missing_settings()


def cas_enabled() -> bool:
    return bool(getattr(settings, "CAS_SERVER_URL", ""))


def _record_identity(
    *, request: HttpRequest, provider: str, issuer: str, subject: str, claims: dict[str, Any]
) -> User | None:
    """The mapped, active account of this external identity, or None after recording it as pending."""
    name = str(claims.get("name") or claims.get("cn") or claims.get("displayName") or "")[:200]
    email = str(claims.get("email") or claims.get("mail") or "")[:254]
    identity, _created = ExternalIdentity.objects.get_or_create(
        provider=provider,
        issuer=issuer[:300],
        subject=subject[:300],
        defaults={"name": name, "email": email, "claims": claims},
    )
    identity.name = name or identity.name
    identity.email = email or identity.email
    identity.claims = claims
    identity.save(update_fields=["name", "email", "claims", "last_seen"])
    user = identity.user
    if user is not None and user.is_active:
        request.session.pop(PENDING_SESSION_KEY, None)
        return user
    request.session[PENDING_SESSION_KEY] = identity.pk
    return None


class OidcBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, with the issuer and audience checked and no account created.

    The callback view calls it directly (it is not in AUTHENTICATION_BACKENDS): password sign-ins never
    reach it, and a deployment without OIDC settings never builds it.
    """

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except requests.RequestException as exc:
            raise SignInRefused(
                _("The identity platform could not be reached or refused the sign-in. Try again later.")
            ) from exc
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise SignInRefused(_("The identity platform's answer could not be verified.")) from exc
        return user

    def retrieve_matching_jwk(self, token: str) -> Any:
        """The platform's signing key: the one the token names by ``kid``, or the only one for its algorithm."""
        answer = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        answer.raise_for_status()
        header = jwt.get_unverified_header(token)
        keys = [
            key
            for key in answer.json().get("keys", [])
            if key.get("alg", header.get("alg")) == header.get("alg")
            and ("kid" not in header or key.get("kid") == header["kid"])
        ]
        if len(keys) != 1:
            raise SignInRefused(_("The identity platform's signing key could not be found."))
        return jwt.PyJWK(keys[0])

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        if not token:
            raise SignInRefused(_("The identity platform sent no identity token."))
        try:
            payload: dict[str, Any] = super().verify_token(token, **kwargs)
        except SignInRefused:
            raise
        except SuspiciousOperation as exc:
            if "Nonce" in str(exc):
                raise SignInRefused(
                    _("The identity platform's answer belongs to another sign-in (nonce). Start again.")
                ) from exc
            raise SignInRefused(_("The identity platform's answer could not be verified.")) from exc
        if payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SignInRefused(
                _("The identity token was issued by %(issuer)s, not by the configured identity platform.")
                % {"issuer": str(payload.get("iss", "?"))[:200]}
            )
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SignInRefused(_("The identity token was issued for another application."))
        if float(payload.get("exp", 0)) < time.time():
            raise SignInRefused(_("The identity token has expired. Start again."))
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        try:
            profile: dict[str, Any] = self.get_userinfo(access_token, id_token, payload)
        except requests.RequestException:
            profile = {}  # the identity token alone names the person; the profile only adds a name
        if profile.get("sub", payload.get("sub")) != payload.get("sub"):
            raise SignInRefused(_("The identity platform described another person than it signed in."))
        claims = {**payload, **profile}
        return _record_identity(
            request=self.request,
            provider=IdentityProvider.OIDC,
            issuer=settings.OIDC_OP_ISSUER,
            subject=str(payload["sub"]),
            claims={k: v for k, v in claims.items() if isinstance(v, str | int | bool)},
        )


class CasBackend:
    """Validates a CAS 2/3 service ticket with the platform (django-cas-ng's client); no account created.

    Called directly by the CAS callback view, like ``OidcBackend``.
    """

    def authenticate(self, request: HttpRequest | None, ticket: str, service: str) -> User | None:
        if request is None:
            return None
        client = get_cas_client(service_url=service, request=request)
        try:
            username, attributes, _pgtiou = client.verify_ticket(ticket)
        except (requests.RequestException, ParseError, IndexError) as exc:
            raise SignInRefused(
                _("The identity platform could not be reached or gave an answer we cannot read.")
            ) from exc
        if not username:
            raise SignInRefused(
                _(
                    "The identity platform did not accept the sign-in ticket (used before or expired). "
                    "Start again."
                )
            )
        return _record_identity(
            request=request,
            provider=IdentityProvider.CAS,
            issuer=settings.CAS_SERVER_URL,
            subject=str(username),
            claims={k: v for k, v in (attributes or {}).items() if isinstance(v, str)},
        )


@transaction.atomic
def map_identity(*, identity: ExternalIdentity, actor: User, username: str, unit: Unit, role: str) -> User:
    """Give a pending external identity an account with a unit and role; it can sign in from then on."""
    identity = ExternalIdentity.objects.select_for_update().get(pk=identity.pk)
    if identity.user_id is not None:
        raise ValueError("already mapped")
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    user = User(
        username=username,
        email=identity.email,
        display_name=identity.name[:100],
        role=role,
        unit=unit,
    )
    # Only the identity platform authenticates this account: no password can sign it in.
    user.set_unusable_password()
    user.save()
    identity.user = user
    identity.mapped_at = timezone.now()
    identity.mapped_by = actor
    identity.save(update_fields=["user", "mapped_at", "mapped_by"])
    return user

"""The second factor (TOTP + recovery codes, django-otp) for the roles that decide, test or administer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Role, User

# Reviewers decide filings, inspectors issue test results, administrators map identities and lift
# lockouts: a stolen password alone must not be enough for any of them.
SECOND_FACTOR_ROLES = frozenset(
    {
        Role.PROVINCIAL_REVIEWER,
        Role.PROVINCIAL_COREVIEWER,
        Role.NATIONAL_REVIEWER,
        Role.INSPECTOR,
        Role.ADMIN,
    }
)
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"

# What an unverified user of those roles may still reach: the second-factor pages themselves,
# signing out, the language switch and static files.
_OPEN_URL_NAMES = ("accounts:second_factor_verify", "accounts:second_factor_enrol", "accounts:logout")
_OPEN_PREFIXES = ("/static/", "/i18n/", "/healthz")


def second_factor_required(user: User) -> bool:
    return bool(settings.GOVAPP_REQUIRE_SECOND_FACTOR) and user.role in SECOND_FACTOR_ROLES


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user: User) -> TOTPDevice:
    """The authenticator being enrolled: one unconfirmed device, reused until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code, for an authenticator app to scan."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))


def manual_key(device: TOTPDevice) -> str:
    """The secret in the base32 form authenticator apps accept when typed, in groups of four."""
    import base64

    key = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def issue_recovery_codes(*, user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones; the plain codes are returned this once only."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def match_second_factor(*, user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts this code: the authenticator, or a recovery code (used up by this).

    A six-digit code goes to the authenticator only and anything else to the recovery codes only, so
    that using a recovery code does not count as a wrong code against the authenticator (or back).
    """
    token = token.replace(" ", "").strip().lower()
    if not token:
        return None
    kind = TOTPDevice if token.isdigit() and len(token) <= 8 else StaticDevice
    # for_verify locks the devices (a code is accepted once, even by two requests at the same moment).
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, kind) and device.verify_token(token):
                return device
    return None


def retry_after(devices: Iterable[Device]) -> dt.datetime | None:
    """When a code may be tried again after wrong ones (each wrong code doubles the wait); None: now."""
    waits = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            waits.append(info["locked_until"])
    return min(waits) if waits else None


def second_factor_retry_after(user: User) -> dt.datetime | None:
    return retry_after(devices_for_user(user, confirmed=True))


@transaction.atomic
def reset_second_factor(*, user: User) -> None:
    """Remove every device of the user: the next sign-in starts a new enrolment."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()


class SecondFactorMiddleware:
    """Sends a signed-in user whose role needs a second factor to enrolment or verification first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and second_factor_required(user)
            and not user.is_verified()  # type: ignore[attr-defined]  # set by django-otp's middleware
            and not self._open(request)
        ):
            target = (
                "accounts:second_factor_verify" if confirmed_totp(user) else "accounts:second_factor_enrol"
            )
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            url = reverse(target) + (f"?{query}" if query else "")
            if request.headers.get("HX-Request") == "true":
                # A fragment request: the whole page goes to the second factor, not the fragment.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return HttpResponseRedirect(url)
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        if request.path.startswith(_OPEN_PREFIXES):
            return True
        return request.path in {reverse(name) for name in _OPEN_URL_NAMES}

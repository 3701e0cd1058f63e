"""Does a package match a valid filing? The answer an app store or a testing body gets for a package file.

The package's identity (engine report) is looked up in the register: the app holding that package
name / bundle / appid (its pinned identity, or the identifiers copied at approval), then the
signing certificate (pinned certificates, v3 rotation lineage understood), then the standing of
the filing number. Nothing is stored: the caller deletes the file once the report exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy

from govapp.registry.models import App, FilingNumber

from .binding import ID_FIELD
from .models import PLATFORM_OF_KIND, PackagePlatform, PinnedIdentity

REASONS = {
    "unknown_identity": gettext_lazy("No filed app has this package's identity: it is not filed."),
    "other_certificate": gettext_lazy(
        "An app with this identifier is filed, but with another signing certificate: this package is not it."
    ),
    "revoked": gettext_lazy("The filing of this app has been revoked (撤销备案)."),
    "deregistered": gettext_lazy("This app has been deregistered (注销)."),
    "superseded": gettext_lazy("The app's filing number was replaced by a newer one."),
}
_APP_FIELD: dict[str, str] = {
    PackagePlatform.ANDROID: "android_package",
    PackagePlatform.QUICKAPP: "quickapp_package",
    PackagePlatform.HARMONYOS: "harmony_bundle",
    PackagePlatform.IOS: "ios_bundle",
    PackagePlatform.MINIPROGRAM: "miniprogram_appid",
}


class PackageRefused(Exception):
    """The package cannot be checked: ``code`` says why (unsupported, unreadable, unsigned, no_identifier)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass
class RegisterAnswer:
    matches: bool
    reason: str | None
    app: App | None
    platform: str
    identifier: str
    certificates: list[str] = field(default_factory=list)

    @property
    def reason_text(self) -> str:
        return str(REASONS[self.reason]) if self.reason else ""


def package_identity_of(report: dict[str, Any]) -> tuple[str, str, list[str], list[str]]:
    """(package platform, identifier, certificates, lineage) of a finished report; PackageRefused otherwise."""
    if report.get("verdict") == "error":
        kind = report.get("error_kind") or "malformed"
        code = "unsupported" if kind == "unsupported" else "too_large" if kind == "limit" else "unreadable"
        raise PackageRefused(code, "; ".join(str(e) for e in report.get("errors") or []))
    package = report.get("package") or {}
    platform = PLATFORM_OF_KIND.get(str(package.get("kind")), "")
    identity = report.get("identity") or {}
    identifier = str(identity.get(ID_FIELD.get(platform, "package")) or "")
    if not platform or not identifier:
        raise PackageRefused("no_identifier")
    certificates = [str(c) for c in identity.get("certificates") or []]
    if platform in (PackagePlatform.ANDROID, PackagePlatform.QUICKAPP) and not certificates:
        raise PackageRefused("unreadable_certificate" if identity.get("certificate_errors") else "unsigned")
    return platform, identifier, certificates, [str(c) for c in identity.get("lineage") or []]


def _accepted_certificates(app: App, platform: str) -> list[str]:
    pin = PinnedIdentity.objects.filter(app=app, platform=platform).first()
    if pin is not None and pin.certificates:
        return list(pin.certificates)
    if platform == PackagePlatform.ANDROID and app.android_cert_sha256:
        return [app.android_cert_sha256.lower()]
    return []


def check_against_register(report: dict[str, Any]) -> RegisterAnswer:
    """The register's answer for one scanned package."""
    platform, identifier, certificates, lineage = package_identity_of(report)
    pinned_apps = PinnedIdentity.objects.filter(platform=platform, identifier=identifier).values("app_id")
    apps = list(
        App.objects.publicly_listed()
        .filter(Q(pk__in=pinned_apps) | Q(**{_APP_FIELD[platform]: identifier}))
        .select_related("current_number", "unit")
        .order_by("-filed_at")
    )
    if not apps:
        return RegisterAnswer(False, "unknown_identity", None, platform, identifier, certificates)
    signed_by = set(certificates) | set(lineage)
    candidates = []
    for app in apps:
        accepted = _accepted_certificates(app, platform)
        if not accepted or set(accepted) & signed_by:
            candidates.append(app)
    if not candidates:
        return RegisterAnswer(False, "other_certificate", apps[0], platform, identifier, certificates)
    # One identity has one valid filing (conflicts are resolved before approval); prefer the valid one.
    valid = [
        app
        for app in candidates
        if app.current_number and app.current_number.status == FilingNumber.Status.ACTIVE
    ]
    if valid:
        return RegisterAnswer(True, None, valid[0], platform, identifier, certificates)
    app = candidates[0]
    status = app.current_number.status if app.current_number else ""
    reason = status if status in REASONS else "unknown_identity"
    return RegisterAnswer(False, reason, app, platform, identifier, certificates)

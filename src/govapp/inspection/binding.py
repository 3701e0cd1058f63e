"""Identity binding: which app a filing's packages must be, and the identity its first approval pins.

Before the first approval a package must be the app the filing declares (its package name,
certificate, bundle, appid). The first approved package pins the app's identity per platform;
from then on every package of the app — change filing, supplement, rectification, spot check —
must match the pin. A new signing key is accepted only with a v3 proof-of-rotation from the
pinned key (moved on the next approval) or a key change the national office accepts; both are
recorded as events.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from govapp.registry.choices import EventAction, FormalismCategory
from govapp.registry.models import App, Filing
from govapp.registry.workflow import record

from .engine.identity import Identity
from .models import FilingPackage, PackagePlatform, PinnedIdentity, Scan

# Which report-identity field names the app on each package platform, and the filing field declaring it.
ID_FIELD: dict[str, str] = {
    PackagePlatform.ANDROID: "package",
    PackagePlatform.QUICKAPP: "package",
    PackagePlatform.HARMONYOS: "bundle",
    PackagePlatform.IOS: "bundle",
    PackagePlatform.MINIPROGRAM: "appid",
}
DECLARED_FIELD: dict[str, str] = {
    PackagePlatform.ANDROID: "android_package",
    PackagePlatform.QUICKAPP: "quickapp_package",
    PackagePlatform.HARMONYOS: "harmony_bundle",
    PackagePlatform.IOS: "ios_bundle",
    PackagePlatform.MINIPROGRAM: "miniprogram_appid",
}
# Apple distribution certificates expire every year and one signs all of a team's apps: an iOS app
# stays itself through its bundle id and its team (developer id), never through a certificate.
UNPINNED_CERTIFICATES = frozenset({PackagePlatform.IOS})
_FORMALISM = frozenset(FormalismCategory.values)


def pinned(app: App, platform: str) -> PinnedIdentity | None:
    return PinnedIdentity.objects.filter(app=app, platform=platform).first()


def declared_identity(filing: Filing, platform: str) -> Identity:
    """What the filing's materials say the package of ``platform`` is."""
    identifier = str(getattr(filing, DECLARED_FIELD.get(platform, ""), "") or "").strip()
    certs: tuple[str, ...] = ()
    if platform == PackagePlatform.ANDROID and filing.android_cert_sha256:
        certs = (filing.android_cert_sha256.lower(),)
    return Identity(**{ID_FIELD[platform]: identifier or None}, cert_sha256=certs)


def expected_identity(filing: Filing, platform: str) -> Identity:
    """The pinned identity once the app has one for ``platform``, the declared one before."""
    if platform not in ID_FIELD:
        return Identity()
    pin = pinned(filing.app, platform)
    if pin is None:
        return declared_identity(filing, platform)
    return Identity(
        **{ID_FIELD[platform]: pin.identifier or None},
        cert_sha256=() if platform in UNPINNED_CERTIFICATES else tuple(pin.certificates),
        developer_id=pin.developer_id or None,
        app_identifier=pin.app_identifier or None,
    )


def baseline_of(report: dict[str, Any]) -> dict[str, Any]:
    """The facts of an approved package that later packages are compared with (drift)."""
    package = report.get("package") or {}
    categories = {
        str(f.get("category"))
        for f in report.get("findings") or []
        if f.get("category") in _FORMALISM and f.get("status") in ("violation", "declared_exception")
    }
    return {
        "version": package.get("version"),
        "version_code": package.get("version_code"),
        "permissions": sorted({str(p) for p in package.get("permissions") or []}),
        "sdks": sorted({str(s.get("name")) for s in report.get("sdks") or [] if s.get("name")}),
        "endpoints": sorted({str(e.get("host")) for e in report.get("endpoints") or [] if e.get("host")}),
        "categories": sorted(categories),
    }


def _identity_text(platform: str, identifier: str, certificates: list[str]) -> str:
    label = str(PackagePlatform(platform).label) if platform in PackagePlatform.values else platform
    certs = ", ".join(cert[:16] + "…" for cert in certificates)
    return f"{label}: {identifier}" + (f" ({certs})" if certs else "")


def pin_on_approval(filing: Filing, actor: Any) -> None:
    """Pin (first approval) or move (proven rotation, approved change) the identity of each current package.

    Registered in ``registry.services.APPROVAL_HOOKS``; runs inside the approving transaction."""
    app = filing.app
    for link in FilingPackage.objects.filter(filing=filing, is_current=True).select_related("package"):
        scan = link.latest_scan()
        if scan is None or not scan.is_complete or link.platform not in ID_FIELD:
            continue
        identity = scan.report_data.get("identity") or {}
        identifier = str(identity.get(ID_FIELD[link.platform]) or "")
        certificates = (
            []
            if link.platform in UNPINNED_CERTIFICATES
            else [str(c) for c in identity.get("certificates") or []]
        )
        fields = {
            "identifier": identifier,
            "certificates": certificates,
            "developer_id": str(identity.get("developer_id") or ""),
            "app_identifier": str(identity.get("app_identifier") or ""),
            "baseline": baseline_of(scan.report_data),
            "filing": filing,
            "scan": scan,
        }
        pin = PinnedIdentity.objects.select_for_update().filter(app=app, platform=link.platform).first()
        if pin is None:
            PinnedIdentity.objects.create(app=app, platform=link.platform, **fields)
            record(
                app=app, filing=filing, action=EventAction.IDENTITY_PINNED, actor=actor,
                reason=_identity_text(link.platform, identifier, certificates),
                data={"platform": link.platform, "identifier": identifier, "certificates": certificates,
                      "scan": scan.pk},
            )  # fmt: skip
            continue
        old = list(pin.certificates)
        lineage = [str(c) for c in identity.get("lineage") or []]
        if certificates and not set(old) & set(certificates) and set(old) & set(lineage):
            record(
                app=app, filing=filing, action=EventAction.KEY_CHANGE, actor=actor,
                reason=_("Signing key rotated with a v3 proof-of-rotation: %(old)s → %(new)s")
                % {"old": ", ".join(old), "new": ", ".join(certificates)},
                data={"platform": link.platform, "old": old, "new": certificates, "proof": "v3_rotation",
                      "scan": scan.pk},
            )  # fmt: skip
        elif set(old) & set(certificates):
            # Keep the pinned key first; a rotated package also names its new signer.
            fields["certificates"] = old + [c for c in certificates if c not in old]
        else:
            fields["certificates"] = old  # an accepted key change already replaced them
        for name, value in fields.items():
            setattr(pin, name, value)
        pin.save()


def key_change_candidate(filing: Filing, scan: Scan) -> str | None:
    """The new certificate of a declared key change the national office may accept, or None.

    Only when the filing declares exactly the certificate the package is signed with and the
    app's pin names another one (a change filing or re-filing with a new key, without rotation proof)."""
    declared = (filing.android_cert_sha256 or "").lower()
    pin = pinned(filing.app, PackagePlatform.ANDROID)
    if not declared or pin is None or scan.package.platform != PackagePlatform.ANDROID:
        return None
    found = [str(c) for c in (scan.report_data.get("identity") or {}).get("certificates") or []]
    if declared in found and declared not in pin.certificates:
        return declared
    return None

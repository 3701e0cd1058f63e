"""Which app a package is, and whether it is the app a filing names.

A filing number binds to one app identity: the Android package and its signing certificate, the
HarmonyOS bundle and its signing profile, the mini-program appid, the quick-app package. The
report carries the identity of every package; given an expected identity (``--expect`` or the
filing's declared or pinned identity) a package that is another app gets the blocking finding
``identity_mismatch`` with both values side by side, and a package whose signer cannot be known
(unsigned, unreadable certificate) gets ``identity_unverifiable`` instead of passing unseen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .facts import PackageFacts

MISMATCH = "identity_mismatch"
UNVERIFIABLE = "identity_unverifiable"
IDENTITY_CATEGORIES = (MISMATCH, UNVERIFIABLE)
EXPECT_KEYS = ("package", "cert_sha256", "bundle", "appid", "developer_id", "app_identifier")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_VALUE = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")
# Which field of an identity names the app on each platform of a report.
_ID_FIELD = {
    "android": "package",
    "quickapp": "package",
    "harmonyos": "bundle",
    "ios": "bundle",
    "wechat": "appid",
    "alipay": "appid",
    "uniapp": "appid",
    "miniprogram": "appid",
}
_FIELD_WORDS = {
    "package": ("包名", "package name"),
    "bundle": ("Bundle 名称", "bundle name"),
    "appid": ("小程序 AppID", "appid"),
    "cert_sha256": ("签名证书 SHA-256", "signing certificate SHA-256"),
    "developer_id": ("开发者 ID", "developer id"),
    "app_identifier": ("应用标识 app-identifier", "app identifier"),
}


def normalise_sha256(value: str) -> str:
    """Lowercase hex without colons or spaces (app stores print certificates either way)."""
    return re.sub(r"[\s:]", "", value).lower()


@dataclass(frozen=True)
class Identity:
    """An expected app identity; ``cert_sha256`` lists every certificate accepted (any one matches)."""

    package: str | None = None
    cert_sha256: tuple[str, ...] = ()
    bundle: str | None = None
    appid: str | None = None
    developer_id: str | None = None
    app_identifier: str | None = None

    def is_empty(self) -> bool:
        return not any(
            (self.package, self.cert_sha256, self.bundle, self.appid, self.developer_id, self.app_identifier)
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in EXPECT_KEYS:
            value = getattr(self, key)
            if value:
                out[key] = list(value) if key == "cert_sha256" else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Identity:
        """The inverse of ``to_dict``; ValueError on a key or value that is not an identity."""
        if not data:
            return cls()
        if not isinstance(data, dict):
            raise ValueError("an expected identity must be an object")
        unknown = sorted(set(data) - set(EXPECT_KEYS))
        if unknown:
            raise ValueError(f"unknown identity key {unknown[0]!r}; expected {', '.join(EXPECT_KEYS)}")
        certs = data.get("cert_sha256") or ()
        if isinstance(certs, str):
            certs = (certs,)
        fields: dict[str, Any] = {"cert_sha256": tuple(_certificate(str(cert)) for cert in certs)}
        for key in EXPECT_KEYS:
            if key != "cert_sha256" and data.get(key):
                fields[key] = _plain(key, str(data[key]))
        return cls(**fields)


def _certificate(value: str) -> str:
    digest = normalise_sha256(value)
    if not _HEX64.match(digest):
        raise ValueError(f"cert_sha256 {value!r} is not a SHA-256 fingerprint (64 hexadecimal digits)")
    return digest


def _plain(key: str, value: str) -> str:
    value = value.strip()
    if not _VALUE.match(value):
        raise ValueError(f"{key} {value!r} is not a package name, bundle name or appid")
    return value


def parse_expect(text: str) -> Identity:
    """``package=NAME,cert_sha256=HEX`` (also bundle=, appid=, developer_id=, app_identifier=).

    ValueError names the first part that is wrong; ``cert_sha256`` may be given more than once.
    """
    data: dict[str, Any] = {}
    parts = [part.strip() for part in text.split(",")]
    if not any(parts):
        raise ValueError("--expect is empty; write KEY=VALUE pairs such as package=cn.gov.example")
    for part in parts:
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or not value.strip():
            raise ValueError(f"--expect part {part!r} is not KEY=VALUE")
        if key not in EXPECT_KEYS:
            raise ValueError(f"--expect key {key!r} is unknown; expected one of {', '.join(EXPECT_KEYS)}")
        if key == "cert_sha256":
            data.setdefault(key, []).append(value.strip())
        elif key in data:
            raise ValueError(f"--expect key {key!r} is given twice")
        else:
            data[key] = value.strip()
    return Identity.from_dict(data)


# ---------------------------------------------------------------- what the package is


def package_identity(facts: PackageFacts) -> dict[str, Any]:
    """The identity block of a report: id by platform, every signer's certificate, rotation lineage."""
    certificates = [cert.sha256 for cert in facts.certificates]
    signing = facts.signing
    if not certificates:
        # A bundle's identity is its base split's; the bundle reader copies it, but be sure.
        for child in facts.children:
            if child.certificates:
                certificates = [cert.sha256 for cert in child.certificates]
                signing = child.signing
                break
    errors = [str(error) for error in signing.get("errors") or []]
    field = _ID_FIELD.get(facts.platform, "package")
    return {
        "platform": facts.platform,
        field: facts.id,
        "certificates": certificates,
        "lineage": [str(item) for item in signing.get("lineage") or []],
        "developer_id": signing.get("developer_id"),
        "app_identifier": signing.get("app_identifier"),
        "profile_bundle": signing.get("bundle_name"),
        "signed": bool(certificates),
        "certificate_errors": errors,
    }


def identity_findings(identity: dict[str, Any], expect: Identity) -> tuple[list[dict[str, Any]], list[str]]:
    """Blocking findings where the package is not the expected app, and notes (e.g. a proven rotation)."""
    findings: list[dict[str, Any]] = []
    notes: list[str] = []
    platform = str(identity.get("platform") or "")
    own_field = _ID_FIELD.get(platform, "package")
    for field in ("package", "bundle", "appid"):
        wanted = getattr(expect, field)
        if not wanted:
            continue
        found = identity.get(field) if field == own_field else None
        if found != wanted:
            shown = identity.get(own_field) or "-"
            if field != own_field:
                shown = f"{platform}: {shown}"
            findings.append(_mismatch(field, wanted, str(shown)))
    for field in ("developer_id", "app_identifier"):
        wanted = getattr(expect, field)
        if wanted and identity.get(field) != wanted:
            findings.append(_mismatch(field, wanted, str(identity.get(field) or "-")))
    if expect.cert_sha256:
        certificates = [str(c) for c in identity.get("certificates") or []]
        lineage = [str(c) for c in identity.get("lineage") or []]
        accepted = set(expect.cert_sha256)
        if not certificates:
            findings.append(_unverifiable(identity, " / ".join(expect.cert_sha256)))
        elif accepted & set(certificates):
            pass
        elif accepted & set(lineage):
            older = next(c for c in lineage if c in accepted)
            notes.append(
                f"signing key rotated: the v3 proof-of-rotation links the expected certificate {older} "
                f"to the current signer {certificates[-1]}"
            )
        else:
            findings.append(_mismatch("cert_sha256", " / ".join(expect.cert_sha256), ", ".join(certificates)))
    return findings, notes


def _words(field: str) -> tuple[str, str]:
    return _FIELD_WORDS.get(field, (field, field))


def _finding(
    *,
    rule: str,
    category: str,
    title: tuple[str, str],
    description: tuple[str, str],
    evidence: dict[str, Any],
) -> dict[str, Any]:
    return {
        "rule": rule,
        "rule_version": 1,
        "category": category,
        "article": "第六条",
        "article_en": "Art. 6 (filing materials: the app's identifiers)",
        "severity": "high",
        "status": "violation",
        "confidence": 1.0,
        "invoked": False,
        "title": {"zh": title[0], "en": title[1]},
        "description": {"zh": description[0], "en": description[1]},
        "evidence": [evidence],
        "evidence_count": 1,
    }


def _mismatch(field: str, expected: str, found: str) -> dict[str, Any]:
    zh, en = _words(field)
    finding = _finding(
        rule="IDENTITY-MISMATCH-001",
        category=MISMATCH,
        title=("安装包与备案的应用不一致", "The package is not the app of the filing"),
        description=(
            f"备案{zh}为 {expected}，安装包为 {found}。",
            f"The filing's {en} is {expected}; the package's is {found}.",
        ),
        evidence={
            "file": "identity",
            "location": field,
            "snippet": f"expected {expected} / found {found}",
            "caller": None,
            "invoked": False,
        },
    )
    finding["identity"] = {"field": field, "expected": expected, "found": found}
    return finding


def _unverifiable(identity: dict[str, Any], expected: str) -> dict[str, Any]:
    errors = identity.get("certificate_errors") or []
    if errors:
        zh = "签名证书无法读取，无法确认安装包的签名者。"
        en = f"The signing certificate cannot be read ({errors[0]}); the signer cannot be confirmed."
        found = "unreadable certificate"
    else:
        zh = "安装包未签名，无法确认其签名证书与备案一致。"
        en = "The package is not signed; its signing certificate cannot be matched with the filing."
        found = "unsigned"
    finding = _finding(
        rule="IDENTITY-UNVERIFIABLE-001",
        category=UNVERIFIABLE,
        title=("无法确认安装包的签名身份", "The package's signer cannot be confirmed"),
        description=(zh, en),
        evidence={
            "file": "identity",
            "location": "cert_sha256",
            "snippet": found,
            "caller": None,
            "invoked": False,
        },
    )
    finding["identity"] = {"field": "cert_sha256", "expected": expected, "found": found}
    return finding

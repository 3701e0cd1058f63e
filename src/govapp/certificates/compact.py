"""The compact filing certificate: ``GAC1.<claims>.<signature>`` (docs/certificate.md).

``claims`` is base64url (no padding) of canonical JSON (sorted keys, no spaces, UTF-8); the signature is
over the ASCII text ``GAC1.<claims>``, also base64url. Pure Python, no Django: an app store or an
inspector verifies with the published public keys and no network.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .signing import ALGORITHMS, PublicKey, SigningKey

PREFIX = "GAC1."
VERSION = 1
# Short keys: the certificate rides in a QR code beside the verification address.
REQUIRED_CLAIMS = ("v", "alg", "kid", "num", "name", "unit", "kind", "ids", "st", "date")
IDENTITY_CLAIMS = {
    "android_package": "android",
    "android_cert_sha256": "android_cert",
    "harmony_bundle": "harmony",
    "ios_bundle": "ios",
    "miniprogram_appid": "appid",
    "quickapp_package": "quickapp",
}
AUTHENTIC = "authentic"
NOT_AUTHENTIC = "not_authentic"
UNREADABLE = "unreadable"
EXIT_CODES = {AUTHENTIC: 0, NOT_AUTHENTIC: 1, UNREADABLE: 2}
# Long enough for any real certificate, short enough that a pasted file cannot exhaust memory.
MAX_LENGTH = 8192
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]*$")
_FOUND = re.compile(r"GAC1\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")


def canonical_json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not _SEGMENT.match(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(claims: Mapping[str, Any], key: SigningKey) -> str:
    """Sign the claims (``num``, ``name``, ``unit``, ``kind``, ``ids``, ``st``, ``date``) with ``key``."""
    body = {**claims, "v": VERSION, "alg": key.algorithm, "kid": key.key_id}
    missing = [name for name in REQUIRED_CLAIMS if name not in body]
    if missing:
        raise ValueError(f"Certificate claims missing: {', '.join(missing)}.")
    signed = PREFIX + _b64(canonical_json(body))
    return f"{signed}.{_b64(key.sign(signed.encode('ascii')))}"


# Why a certificate is what it is; the installation shows these in the user's language (messages.py).
REASONS = {
    "too_long": "The text is longer than %(max)d characters.",
    "not_found": "No certificate found: a certificate starts with GAC1.",
    "damaged": "The certificate is damaged or truncated: it cannot be decoded.",
    "missing": "The certificate lacks %(names)s: it is damaged or truncated.",
    "version": "Certificate format version %(version)s is not known.",
    "unknown_algorithm": "Unknown signature algorithm %(alg)s: the certificate cannot be proven.",
    "unknown_key": "Key %(kid)s is not among the published keys of the national office.",
    "wrong_algorithm": "Key %(kid)s is an %(key_alg)s key, but the certificate says %(alg)s.",
    "altered": "The signature does not match: the certificate was altered or not signed by this key.",
    "signed": "Signed with key %(kid)s of the national office.",
}


@dataclass(frozen=True)
class Verification:
    """The outcome of checking one certificate text: authentic, not authentic or unreadable."""

    outcome: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)
    key: PublicKey | None = None

    @property
    def authentic(self) -> bool:
        return self.outcome == AUTHENTIC

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    @property
    def reason(self) -> str:
        """In English; messages.reason() gives it in the active language."""
        return REASONS[self.code] % self.params


def extract(text: str) -> str | None:
    """The certificate in a text: itself, a verification URL with it in the fragment, or a file's content."""
    found = _FOUND.search(text)
    return found.group(0) if found else None


def verify(text: str, keys: Iterable[PublicKey]) -> Verification:
    """Check a certificate (or a text containing one) against the published public keys."""
    if len(text) > MAX_LENGTH:
        return Verification(UNREADABLE, "too_long", {"max": MAX_LENGTH})
    certificate = extract(text.strip())
    if certificate is None:
        return Verification(UNREADABLE, "not_found")
    _prefix, payload_text, signature_text = certificate.split(".")
    try:
        payload = _unb64(payload_text)
        signature = _unb64(signature_text)
        claims = json.loads(payload.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return Verification(UNREADABLE, "damaged")
    if not isinstance(claims, dict):
        return Verification(UNREADABLE, "damaged")
    missing = [name for name in REQUIRED_CLAIMS if name not in claims]
    if missing:
        return Verification(UNREADABLE, "missing", {"names": ", ".join(missing)})
    if claims["v"] != VERSION:
        return Verification(UNREADABLE, "version", {"version": repr(claims["v"])}, claims)
    if len(signature) != 64:
        return Verification(UNREADABLE, "damaged", {}, claims)
    algorithm, key_id = str(claims["alg"]), str(claims["kid"])
    if algorithm not in ALGORITHMS:
        return Verification(NOT_AUTHENTIC, "unknown_algorithm", {"alg": algorithm}, claims)
    key = next((k for k in keys if k.key_id == key_id), None)
    if key is None:
        return Verification(NOT_AUTHENTIC, "unknown_key", {"kid": key_id}, claims)
    if key.algorithm != algorithm:
        params = {"kid": key_id, "key_alg": key.algorithm, "alg": algorithm}
        return Verification(NOT_AUTHENTIC, "wrong_algorithm", params, claims)
    if not key.verify(signature, f"{PREFIX}{payload_text}".encode("ascii")):
        return Verification(NOT_AUTHENTIC, "altered", {"kid": key_id}, claims, key)
    return Verification(AUTHENTIC, "signed", {"kid": key_id}, claims, key)


def identities(claims: Mapping[str, Any]) -> dict[str, str]:
    """The identity claims under the register's field names (android_package, …)."""
    short = claims.get("ids") or {}
    return {
        name: short[key] for name, key in IDENTITY_CLAIMS.items() if isinstance(short, dict) and key in short
    }

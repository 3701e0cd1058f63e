"""Public API of filing certificates: a number's signed certificate and the national office's public keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy
from ninja import Router, Schema
from pydantic import Field

from govapp.certificates import keystore, messages
from govapp.certificates.keyset import FORMAT
from govapp.certificates.services import current_certificate
from govapp.core.ratelimit import check_rate
from govapp.public import queries
from govapp.public.views import qr_text

from .public import ApiError
from .schemas import ErrorOut, PublicStatus

router = Router(tags=["public"])


class CertificateOut(Schema):
    """The signed filing certificate (备案证明) of one number, beside the register's status now."""

    number: str = Field(description="The filing number.")
    status: PublicStatus = Field(
        description="The register's status now (online truth): valid, revoked, deregistered or superseded."
    )
    status_label: str = Field(description="The status in the language of the request.")
    valid: bool = Field(description="True when the app is validly filed under this number now.")
    certificate: str = Field(
        description="The compact certificate `GAC1.<claims>.<signature>` (docs/certificate.md); "
        "verify it offline with `govapp certificate verify` and the published keys."
    )
    algorithm: str = Field(description="SM2 (with SM3, GB/T 32918) or Ed25519.")
    key_id: str = Field(description="The id of the signing key among /api/v1/public/certificate-keys.")
    issued_at: dt.datetime = Field(description="When this certificate was signed.")
    claims: dict[str, Any] = Field(
        description="The signed claims, decoded (the certificate is authoritative)."
    )
    statement: str = Field(
        description="Status is online truth; the certificate proves issuance (in the request's language)."
    )
    qr_text: str = Field(
        description="What the verification page's QR code encodes: the address, # and the certificate."
    )


class PublicKeyOut(Schema):
    kid: str = Field(description="Key id, as named in each certificate.")
    alg: str = Field(description="SM2 or Ed25519.")
    status: str = Field(description="current (signs new certificates) or retired (verifies older ones).")
    public_key: str = Field(description="SubjectPublicKeyInfo in PEM, as OpenSSL reads it.")


class KeySetOut(Schema):
    """The national office's published certificate keys: the current one and every retired one."""

    format: str = Field(description=f"Always {FORMAT}.")
    keys: list[PublicKeyOut]


@router.get(
    "/filings/{number}/certificate",
    response={200: CertificateOut, 404: ErrorOut, 429: ErrorOut},
    summary="The signed filing certificate of a number",
    operation_id="public_filing_certificate",
)
def filing_certificate(request: HttpRequest, number: str) -> CertificateOut:
    """The newest certificate signed for the number; a revoked number's certificate is returned too.

    The certificate proves issuance; `status` is the register's answer now.
    """
    check_rate(request)
    record = queries.lookup_number(number)
    certificate = current_certificate(record.number) if record is not None else None
    if record is None or certificate is None:
        shown = queries.normalise_number(number)[:60] or number.strip()[:60]
        raise ApiError(
            404,
            gettext_lazy("There is no filing certificate for number %(number)s."),
            {"number": shown},
            parameter="number",
        )
    url = request.build_absolute_uri(reverse("public:verify", args=[record.number]))
    return CertificateOut(
        number=record.number,
        status=record.status,  # type: ignore[arg-type]
        status_label=record.status_label,
        valid=record.is_valid,
        certificate=certificate.text,
        algorithm=certificate.algorithm,
        key_id=certificate.key_id,
        issued_at=certificate.issued_at,
        claims=certificate.claims,
        statement=str(messages.STATUS_IS_ONLINE),
        qr_text=qr_text(url, certificate.text),
    )


@router.get(
    "/certificate-keys",
    response={200: KeySetOut, 429: ErrorOut},
    summary="Public keys that verify filing certificates",
    operation_id="public_certificate_keys",
)
def certificate_keys(request: HttpRequest) -> KeySetOut:
    """Current and retired keys with their ids; save this to verify certificates offline."""
    check_rate(request)
    keys = keystore.published_keys()
    return KeySetOut(format=FORMAT, keys=[PublicKeyOut(**entry.as_json()) for entry in keys])

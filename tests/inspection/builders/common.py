"""Shared pieces of the fixture writers: zips, throwaway certificates, PKCS#7 containers."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from asn1crypto import cms, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from govapp.inspection.engine.facts import Interest

Files = dict[str, bytes | str]


def as_bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def zip_bytes(files: Files, *, compress: bool = True) -> bytes:
    """A zip holding ``files`` in the given order; the same files give the same bytes (a fixed time stamp),
    whenever they are zipped, so a test's packages never differ by the second they were built in."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in files.items():
            entry = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = method
            archive.writestr(entry, as_bytes(content))
    return buffer.getvalue()


def make_certificate(common_name: str, *, organization: str = "GovApp Test") -> bytes:
    """A fresh self-signed EC certificate (DER), as a developer's signing key would have."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = cx509.Name(
        [
            cx509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            cx509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            cx509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    certificate = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


def pkcs7(content: bytes | None, certificates: list[bytes]) -> bytes:
    """A PKCS#7 SignedData wrapping ``content`` with ``certificates`` (signer infos left empty:
    the readers extract content and certificates, they do not verify signatures)."""
    encap: dict[str, object] = {"content_type": "data"}
    if content is not None:
        encap["content"] = content
    signed = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": encap,
            "certificates": [x509.Certificate.load(c) for c in certificates],
            "signer_infos": [],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump()


def formalism_interest() -> Interest:
    """What a rule set for the formalism categories would ask readers for (a small stand-in)."""
    return Interest(
        text=re.compile(r"打卡|签到|排名|排行|在线时长|学习时长|工作照片|http://[\w./-]+"),
        api=re.compile(
            r"^(wx|uni|my)\.(getLocation|chooseImage|uploadFile|login|chooseLocation)$"
            r"|^@system\.(geolocation\.getLocation|media\.takePhoto)$"
            r"|^@ohos\.geoLocationManager\.getCurrentLocation$"
        ),
        code_prefix=re.compile(r"^com\.umeng"),
    )

"""APK signing: v1 (JAR PKCS#7) certificates and the v2/v3/v3.1 APK Signing Block.

We identify signers (certificate SHA-256 is what app stores and our registry match on)
and recognise the Android debug key; we do not verify signatures, which is the job of
the installing device and would not change what the registry records.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from typing import IO

from asn1crypto import cms, x509

from ..errors import PackageError
from ..facts import Certificate

BLOCK_MAGIC = b"APK Sig Block 42"
_EOCD = b"PK\x05\x06"
_EOCD_MAX_SEARCH = 0xFFFF + 22
_MAX_BLOCK = 64 * 1024**2  # real blocks are kilobytes; padding can reach a few MB
_MAX_SIGNERS = 64
_MAX_CERTS = 64

SCHEME_IDS = {0x7109871A: "v2", 0xF05368C0: "v3", 0x1B93AD61: "v3.1"}
PROOF_OF_ROTATION_ID = 0x3BA06F8C
V1_SUFFIXES = (".RSA", ".DSA", ".EC")

_NAME_KEYS = {
    "common_name": "CN",
    "organization_name": "O",
    "organizational_unit_name": "OU",
    "country_name": "C",
    "state_or_province_name": "ST",
    "locality_name": "L",
    "email_address": "E",
    "serial_number": "SERIALNUMBER",
}


def certificate_from_der(der: bytes, scheme: str, label: str) -> Certificate:
    """A ``Certificate`` from DER bytes; ``PackageError`` when it is not a certificate."""
    try:
        cert = x509.Certificate.load(der, strict=False)
        tbs = cert["tbs_certificate"]
        subject = _name(tbs["subject"])
        issuer = _name(tbs["issuer"])
        serial = format(tbs["serial_number"].native, "x")
        validity = tbs["validity"]
        not_before = validity["not_before"].native.isoformat()
        not_after = validity["not_after"].native.isoformat()
        common_names = [v for k, v in _name_pairs(tbs["subject"]) if k == "CN"]
    except PackageError:
        raise
    except Exception as exc:  # asn1crypto raises many types on hostile DER; all mean "not a certificate"
        raise PackageError(
            f"{label}: {scheme} signer certificate cannot be parsed ({type(exc).__name__})"
        ) from None
    return Certificate(
        sha256=hashlib.sha256(der).hexdigest(),
        subject=subject,
        issuer=issuer,
        serial=serial,
        not_before=not_before,
        not_after=not_after,
        scheme=scheme,
        debug="Android Debug" in common_names,
    )


def _name_pairs(name: x509.Name) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for rdn in name.chosen:
        for attribute in rdn:
            key = attribute["type"].native
            value = attribute["value"].native
            pairs.append((_NAME_KEYS.get(key, key), value if isinstance(value, str) else str(value)))
    return pairs


def _name(name: x509.Name) -> str:
    """RFC 4514 order (most specific first), as apksigner and keytool print it."""
    return ", ".join(f"{k}={v}" for k, v in reversed(_name_pairs(name)))


def v1_certificates(signature_file: bytes, label: str) -> list[Certificate]:
    """Certificates of a META-INF/*.RSA|DSA|EC PKCS#7 SignedData (signer first)."""
    try:
        info = cms.ContentInfo.load(signature_file, strict=False)
        if info["content_type"].native != "signed_data":
            raise PackageError(f"{label}: v1 signature is not PKCS#7 SignedData")
        certificates = info["content"]["certificates"]
        ders = [c.chosen.dump() for c in certificates if c.name == "certificate"] if certificates else []
    except PackageError:
        raise
    except Exception as exc:  # asn1crypto raises many types on hostile DER; all mean "corrupt"
        raise PackageError(f"{label}: v1 signature block cannot be parsed ({type(exc).__name__})") from None
    if not ders:
        raise PackageError(f"{label}: v1 signature block has no certificate")
    return [certificate_from_der(der, "v1", label) for der in ders[:_MAX_CERTS]]


def find_signing_block(handle: IO[bytes], label: str) -> bytes | None:
    """The APK Signing Block's pairs area (between size fields), or None when there is none."""
    try:
        handle.seek(0, 2)
        size = handle.tell()
        tail_len = min(size, _EOCD_MAX_SEARCH)
        handle.seek(size - tail_len)
        tail = handle.read(tail_len)
        at = tail.rfind(_EOCD)
        if at < 0 or at + 22 > len(tail):
            raise PackageError(f"{label}: zip end-of-central-directory record not found")
        cd_offset = struct.unpack_from("<I", tail, at + 16)[0]
        if cd_offset < 32 or cd_offset > size:
            return None
        handle.seek(cd_offset - 24)
        footer = handle.read(24)
        if len(footer) != 24 or footer[8:] != BLOCK_MAGIC:
            return None
        block_size = struct.unpack_from("<Q", footer, 0)[0]
        if block_size < 24 or block_size > min(_MAX_BLOCK, cd_offset - 8):
            raise PackageError(f"{label}: APK Signing Block size {block_size} is invalid")
        start = cd_offset - block_size - 8
        handle.seek(start)
        block = handle.read(block_size + 8)
    except OSError as exc:
        raise PackageError(f"{label}: cannot read the APK Signing Block ({exc})") from None
    if len(block) != block_size + 8 or struct.unpack_from("<Q", block, 0)[0] != block_size:
        raise PackageError(f"{label}: APK Signing Block sizes at its start and end disagree")
    return block[8 : 8 + block_size - 24]


def block_pairs(pairs: bytes, label: str) -> Iterator[tuple[int, bytes]]:
    """The (id, value) pairs of a signing block."""
    pos = 0
    while pos < len(pairs):
        if pos + 12 > len(pairs):
            raise PackageError(f"{label}: APK Signing Block has a truncated entry at offset {pos}")
        length = struct.unpack_from("<Q", pairs, pos)[0]
        if length < 4 or length > len(pairs) - pos - 8:
            raise PackageError(
                f"{label}: APK Signing Block entry at offset {pos} has invalid length {length}"
            )
        pair_id = struct.unpack_from("<I", pairs, pos + 8)[0]
        yield pair_id, pairs[pos + 12 : pos + 8 + length]
        pos += 8 + length


def _prefixed(data: bytes, label: str, what: str) -> Iterator[bytes]:
    """Consecutive u32-length-prefixed items filling ``data`` exactly."""
    pos = 0
    while pos < len(data):
        if pos + 4 > len(data):
            raise PackageError(f"{label}: truncated {what} in the APK Signing Block")
        length = struct.unpack_from("<I", data, pos)[0]
        if length > len(data) - pos - 4:
            raise PackageError(
                f"{label}: {what} length {length} runs past its container in the APK Signing Block"
            )
        yield data[pos + 4 : pos + 4 + length]
        pos += 4 + length


def _one_prefixed(data: bytes, pos: int, label: str, what: str) -> tuple[bytes, int]:
    if pos + 4 > len(data):
        raise PackageError(f"{label}: truncated {what} in the APK Signing Block")
    length = struct.unpack_from("<I", data, pos)[0]
    if length > len(data) - pos - 4:
        raise PackageError(
            f"{label}: {what} length {length} runs past its container in the APK Signing Block"
        )
    return data[pos + 4 : pos + 4 + length], pos + 4 + length


def scheme_certificates(value: bytes, scheme: str, label: str) -> list[list[Certificate]]:
    """Per signer, its certificates (first = signing certificate) from a v2/v3/v3.1 value."""
    return [certs for certs, _lineage in scheme_signers(value, scheme, label)]


def scheme_signers(value: bytes, scheme: str, label: str) -> list[tuple[list[Certificate], list[str]]]:
    """Per signer, its certificates and (v3/v3.1) the SHA-256 of every certificate of its
    proof-of-rotation lineage, oldest first (empty without rotation)."""
    signers_blob, _ = _one_prefixed(value, 0, label, f"{scheme} signer list")
    signers: list[tuple[list[Certificate], list[str]]] = []
    for signer in _prefixed(signers_blob, label, f"{scheme} signer"):
        if len(signers) >= _MAX_SIGNERS:
            raise PackageError(f"{label}: more than {_MAX_SIGNERS} {scheme} signers")
        signed_data, _ = _one_prefixed(signer, 0, label, f"{scheme} signed data")
        _digests, pos = _one_prefixed(signed_data, 0, label, f"{scheme} digests")
        certs_blob, pos = _one_prefixed(signed_data, pos, label, f"{scheme} certificates")
        ders = list(_prefixed(certs_blob, label, f"{scheme} certificate"))
        if not ders:
            raise PackageError(f"{label}: a {scheme} signer has no certificate")
        certificates = [certificate_from_der(der, scheme, label) for der in ders[:_MAX_CERTS]]
        lineage: list[str] = []
        if scheme != "v2":
            lineage = _rotation_lineage(signed_data, pos, scheme, label)
        signers.append((certificates, lineage))
    if not signers:
        raise PackageError(f"{label}: {scheme} signature has no signers")
    return signers


def _rotation_lineage(signed_data: bytes, pos: int, scheme: str, label: str) -> list[str]:
    """Certificate digests of the v3 proof-of-rotation attribute, oldest first; [] when absent.

    v3 signed data continues after the certificates with min/max SDK (u32 each) and the
    additional attributes, each an u32 id and its value; the lineage is a version followed by
    nodes of (signed data = certificate + algorithm, flags, algorithm, signature).
    """
    if pos + 8 > len(signed_data):
        raise PackageError(f"{label}: truncated {scheme} SDK range in the APK Signing Block")
    if pos + 8 == len(signed_data):
        return []  # no additional attributes at all
    attributes, _ = _one_prefixed(signed_data, pos + 8, label, f"{scheme} additional attributes")
    for attribute in _prefixed(attributes, label, f"{scheme} attribute"):
        if len(attribute) < 4:
            raise PackageError(f"{label}: truncated {scheme} attribute in the APK Signing Block")
        if struct.unpack_from("<I", attribute, 0)[0] != PROOF_OF_ROTATION_ID:
            continue
        body = attribute[4:]
        if len(body) < 4:
            raise PackageError(f"{label}: truncated {scheme} proof-of-rotation in the APK Signing Block")
        lineage: list[str] = []
        for node in _prefixed(body[4:], label, "proof-of-rotation node"):
            if len(lineage) >= _MAX_CERTS:
                raise PackageError(f"{label}: more than {_MAX_CERTS} certificates in the rotation lineage")
            node_data, _ = _one_prefixed(node, 0, label, "proof-of-rotation signed data")
            der, _ = _one_prefixed(node_data, 0, label, "proof-of-rotation certificate")
            lineage.append(certificate_from_der(der, f"{scheme} lineage", label).sha256)
        return lineage
    return []


def read_signing_block(handle: IO[bytes], label: str) -> tuple[list[str], list[Certificate]]:
    """Schemes present in the APK Signing Block and their signers' certificates (deduplicated)."""
    schemes, certificates, _lineage = read_signing_block_lineage(handle, label)
    return schemes, certificates


def read_signing_block_lineage(
    handle: IO[bytes], label: str
) -> tuple[list[str], list[Certificate], list[str]]:
    """As ``read_signing_block``, plus the v3 rotation lineage (certificate digests, oldest first)."""
    pairs = find_signing_block(handle, label)
    if pairs is None:
        return [], [], []
    schemes: list[str] = []
    certificates: list[Certificate] = []
    lineage: list[str] = []
    seen: set[tuple[str, str]] = set()
    for pair_id, value in block_pairs(pairs, label):
        scheme = SCHEME_IDS.get(pair_id)
        if scheme is None:
            continue
        schemes.append(scheme)
        for signer, signer_lineage in scheme_signers(value, scheme, label):
            cert = signer[0]
            if (cert.sha256, scheme) not in seen:
                seen.add((cert.sha256, scheme))
                certificates.append(cert)
            if len(signer_lineage) > len(lineage):
                lineage = signer_lineage
    return schemes, certificates, lineage

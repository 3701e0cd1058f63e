"""Writers for iOS fixtures: IPAs with an Info.plist, a tiny Mach-O executable and a provisioning profile.

The Mach-O is a real, minimal 64-bit arm64 header with the load commands the reader uses
(``__TEXT`` string sections, optional ``LC_ENCRYPTION_INFO_64`` and ``LC_CODE_SIGNATURE``); the
code signature and the profile are real CMS SignedData made with ``cryptography``.
"""

from __future__ import annotations

import datetime as dt
import plistlib
import struct
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from .common import Files, as_bytes, zip_bytes

ARM64 = 0x0100000C
_NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SigningIdentity:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)


def signing_identity(common_name: str, *, team_id: str = "", days: int = 365) -> SigningIdentity:
    """A self-signed EC certificate standing for an Apple distribution certificate (OU = team id)."""
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if team_id:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, team_id))
    name = x509.Name(attributes)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_NOW)
        .not_valid_after(_NOW + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return SigningIdentity(certificate, key)


def _signed(content: bytes, signer: SigningIdentity, *, detached: bool) -> bytes:
    options = [pkcs7.PKCS7Options.Binary]
    if detached:
        options.append(pkcs7.PKCS7Options.DetachedSignature)
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(signer.certificate, signer.key, hashes.SHA256())
        .sign(serialization.Encoding.DER, options)
    )


def mobileprovision(
    *,
    bundle_id: str,
    team_id: str,
    developer_certificates: list[bytes],
    get_task_allow: bool = False,
    devices: list[str] | None = None,
    all_devices: bool = False,
    expires: dt.datetime | None = None,
    apple: SigningIdentity | None = None,
) -> bytes:
    """An embedded.mobileprovision: the profile plist in a CMS envelope signed by (a stand-in for) Apple."""
    profile: dict[str, Any] = {
        "AppIDName": "Grid",
        "ApplicationIdentifierPrefix": [team_id],
        "CreationDate": _NOW.replace(tzinfo=None),
        "DeveloperCertificates": developer_certificates,
        "Entitlements": {
            "application-identifier": f"{team_id}.{bundle_id}",
            "com.apple.developer.team-identifier": team_id,
            "get-task-allow": get_task_allow,
            "keychain-access-groups": [f"{team_id}.*"],
        },
        "ExpirationDate": (expires or _NOW + dt.timedelta(days=3650)).replace(tzinfo=None),
        "Name": "Grid Distribution",
        "TeamIdentifier": [team_id],
        "TeamName": "Example Bureau",
        "TimeToLive": 365,
        "UUID": "3C0A5E2E-0000-4000-8000-000000000001",
        "Version": 1,
    }
    if devices:
        profile["ProvisionedDevices"] = devices
    if all_devices:
        profile["ProvisionsAllDevices"] = True
    content = plistlib.dumps(profile, fmt=plistlib.FMT_XML)
    signer = apple or signing_identity("Apple iPhone OS Provisioning Profile Signing")
    return _signed(content, signer, detached=False)


def code_signature(
    *,
    identifier: str,
    team_id: str,
    entitlements: dict[str, Any],
    signer: SigningIdentity | None,
    entitlements_plist: bytes | None = None,
    cms: bytes | None = None,
) -> bytes:
    """An embedded-signature SuperBlob: CodeDirectory (identifier, team), entitlements, CMS signature.

    ``entitlements_plist`` replaces the entitlements' XML plist, ``cms`` the signature blob's content."""
    ident = identifier.encode() + b"\0"
    team = team_id.encode() + b"\0"
    fixed = 52
    directory_body = struct.pack(
        ">IIIIIIIBBBBIII",
        0x20400,  # version with a team id
        0,  # flags
        fixed + len(ident) + len(team),  # hashOffset (no hashes: the reader does not verify)
        fixed,  # identOffset
        0,  # nSpecialSlots
        0,  # nCodeSlots
        0,  # codeLimit
        32,
        2,
        0,
        12,
        0,  # spare2
        0,  # scatterOffset
        fixed + len(ident),  # teamOffset
    )
    directory = directory_body + ident + team
    directory = struct.pack(">II", 0xFADE0C02, 8 + len(directory)) + directory
    entitlement_xml = entitlements_plist or plistlib.dumps(entitlements, fmt=plistlib.FMT_XML)
    entitlement_blob = struct.pack(">II", 0xFADE7171, 8 + len(entitlement_xml)) + entitlement_xml
    blobs = [(0, directory), (5, entitlement_blob)]
    if signer is not None or cms is not None:
        cms = cms if cms is not None else _signed(directory, signer, detached=True)  # type: ignore[arg-type]
        blobs.append((0x10000, struct.pack(">II", 0xFADE0B01, 8 + len(cms)) + cms))
    header = 12 + 8 * len(blobs)
    index = b""
    body = b""
    for slot, blob in blobs:
        index += struct.pack(">II", slot, header + len(body))
        body += blob
    return struct.pack(">III", 0xFADE0CC0, header + len(body), len(blobs)) + index + body


def macho(
    *,
    cstrings: list[str] = (),  # type: ignore[assignment]
    selectors: list[str] = (),  # type: ignore[assignment]
    encrypted: bool = False,
    signature: bytes | None = None,
    fat: bool = False,
    signature_commands: int = 1,
) -> bytes:
    """A 64-bit arm64 Mach-O executable with __cstring and __objc_methname sections.

    ``signature_commands`` repeats the LC_CODE_SIGNATURE command (each naming the same signature)."""
    sections = [
        ("__cstring", b"".join(s.encode() + b"\0" for s in cstrings)),
        ("__objc_methname", b"".join(s.encode() + b"\0" for s in selectors)),
    ]
    commands_size = (
        72
        + 80 * len(sections)
        + (24 if encrypted else 0)
        + (16 * signature_commands if signature is not None else 0)
    )
    data_start = 32 + commands_size
    # A code region the encryption covers, then the string sections (FairPlay encrypts __TEXT from cryptoff).
    code = b"\x1f\x20\x03\xd5" * 64
    offset = data_start + len(code)
    section_commands = b""
    payload = code
    for name, content in sections:
        section_commands += struct.pack(
            "<16s16sQQIIIIIIII", name.encode(), b"__TEXT", 0x100000000 + offset, len(content), offset,
            0, 0, 0, 0x2 if name == "__cstring" else 0x2, 0, 0, 0,
        )  # fmt: skip
        payload += content
        offset += len(content)
    segment = struct.pack(
        "<II16sQQQQiiII", 0x19, 72 + 80 * len(sections), b"__TEXT", 0x100000000, len(payload) + data_start,
        0, data_start + len(payload), 5, 5, len(sections), 0,
    ) + section_commands  # fmt: skip
    commands = segment
    if encrypted:
        commands += struct.pack("<IIIIII", 0x2C, 24, data_start, len(payload), 1, 0)
    signature_offset = data_start + len(payload)
    if signature is not None:
        commands += struct.pack("<IIII", 0x1D, 16, signature_offset, len(signature)) * signature_commands
    ncmds = 1 + int(encrypted) + (signature_commands if signature is not None else 0)
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, ARM64, 0, 2, ncmds, len(commands), 0x00200085, 0)
    thin = header + commands + payload + (signature or b"")
    if not fat:
        return thin
    # A universal file with one slice aligned at 16 KiB, as lipo writes it.
    align = 0x4000
    return (
        struct.pack(">II", 0xCAFEBABE, 1)
        + struct.pack(">iiIII", ARM64, 0, align, len(thin), 14)
        + (b"\0" * (align - 28))
        + thin
    )


def info_plist(
    *,
    bundle_id: str = "cn.gov.example.grid",
    name: str = "网格通",
    version: str = "2.3.0",
    build: str = "230",
    executable: str = "Grid",
    extra: dict[str, Any] | None = None,
    binary: bool = True,
) -> bytes:
    info: dict[str, Any] = {
        "CFBundleIdentifier": bundle_id,
        "CFBundleDisplayName": name,
        "CFBundleName": "Grid",
        "CFBundleShortVersionString": version,
        "CFBundleVersion": build,
        "CFBundleExecutable": executable,
        "CFBundlePackageType": "APPL",
        "MinimumOSVersion": "13.0",
        **(extra or {}),
    }
    return plistlib.dumps(info, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML)


def ipa(
    *,
    info: bytes | None = None,
    executable: bytes | None = None,
    profile: bytes | None = None,
    resources: Files | None = None,
    app: str = "Grid.app",
    executable_name: str = "Grid",
) -> bytes:
    """An .ipa: Payload/<app>/ with Info.plist, the executable, the profile and resources."""
    root = f"Payload/{app}/"
    files: Files = {root + "Info.plist": info if info is not None else info_plist(executable=executable_name)}
    if executable is not None:
        files[root + executable_name] = executable
    if profile is not None:
        files[root + "embedded.mobileprovision"] = profile
    for name, content in (resources or {}).items():
        files[root + name] = as_bytes(content)
    return zip_bytes(files)

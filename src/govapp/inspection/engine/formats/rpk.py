"""Quick apps (快应用): .rpk packages and .rpks bundles of rpk parts.

An .rpk is a zip with manifest.json (package, name, versions, minPlatformVersion, the
``features`` it uses such as ``system.geolocation``, the router's pages), compiled page
scripts, and META-INF/CERT, a PKCS#7 signature carrying the signer's certificates.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from typing import Any

from ..errors import LimitExceeded, PackageError, UnsupportedFormat
from ..facts import Component, Interest, PackageFacts
from ..limits import Limits
from ..notes import Note
from ..safezip import SafeZip
from .detect import is_quickapp_manifest, json_object, read_json_entry
from .hap import certificate_facts, signed_data
from .textscan import HitSink, decode_text, scan_text

_CERT_ENTRY = "META-INF/CERT"
_TEXT_SUFFIXES = {".js": "script", ".json": "asset", ".html": "layout", ".ux": "layout", ".txt": "asset"}
_MAX_TEXT_FILE = 16 * 1024**2


def read_rpk(
    archive: SafeZip, *, path: str, sha256: str, size: int, interest: Interest, limits: Limits, depth: int
) -> PackageFacts:
    """Read an .rpk, or an .rpks whose parts are read one level deeper."""
    manifest = read_json_entry(archive, "manifest.json")
    if manifest is not None and is_quickapp_manifest(manifest):
        facts = PackageFacts(format="rpk", platform="quickapp", path=path, sha256=sha256, size=size)
        _identity(facts, manifest)
        _scan(archive, facts, interest, limits)
        _certificates(archive, facts)
        return facts
    return _read_rpks(
        archive, path=path, sha256=sha256, size=size, interest=interest, limits=limits, depth=depth
    )


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _identity(facts: PackageFacts, manifest: dict[str, Any]) -> None:
    facts.id = _str(manifest.get("package"))
    facts.name = _str(manifest.get("name"))
    facts.version = _str(manifest.get("versionName"))
    facts.version_code = _str(manifest.get("versionCode"))
    facts.min_sdk = _str(manifest.get("minPlatformVersion"))
    features = manifest.get("features")
    for feature in features if isinstance(features, list) else []:
        name = _str(feature.get("name")) if isinstance(feature, dict) else None
        if name and name not in facts.permissions:
            facts.permissions.append(name)
    router = json_object(manifest.get("router"))
    pages = router.get("pages")
    for page in pages if isinstance(pages, dict) else {}:
        facts.components.append(Component(kind="page", name=str(page)))
    if _str(router.get("entry")):
        facts.extra["entry_page"] = _str(router.get("entry"))
    subpackages = manifest.get("subpackages")
    if isinstance(subpackages, list):
        facts.extra["subpackages"] = [
            s["name"] for s in subpackages if isinstance(s, dict) and _str(s.get("name"))
        ]


def _scan(archive: SafeZip, facts: PackageFacts, interest: Interest, limits: Limits) -> None:
    facts.files = archive.names()[:10_000]
    sink = HitSink(facts, limits)
    for name in archive.names():
        if name.startswith("META-INF/"):
            continue
        surface = _TEXT_SUFFIXES.get(PurePosixPath(name).suffix.lower())
        if surface is None:
            continue
        if archive.info(name).file_size > _MAX_TEXT_FILE:
            facts.notes.append(Note("text_file_skipped", file=name, limit=_MAX_TEXT_FILE))
            continue
        if name == "manifest.json":
            surface = "manifest"
        caller = name.rsplit(".", 1)[0] if surface in ("script", "layout") else None
        text = decode_text(archive.read(name))
        sink.add(scan_text(text, file=name, surface=surface, interest=interest, caller=caller), name)


def _certificates(archive: SafeZip, facts: PackageFacts) -> None:
    if _CERT_ENTRY not in archive:
        facts.signing["signed"] = False
        facts.notes.append(Note("rpk_unsigned"))
        return
    _content, certificates = signed_data(archive.read(_CERT_ENTRY), archive.label, _CERT_ENTRY)
    facts.signing.update({"signed": True, "scheme": "rpk"})
    facts.certificates = certificate_facts(certificates, debug=False, scheme="rpk")
    if not facts.certificates:
        facts.notes.append(Note("rpk_no_certificate", file=_CERT_ENTRY))


def _read_rpks(
    archive: SafeZip, *, path: str, sha256: str, size: int, interest: Interest, limits: Limits, depth: int
) -> PackageFacts:
    from . import read_package_bytes

    parts = [n for n in archive.names() if "/" not in n and n.lower().endswith(".rpk")]
    if not parts:
        raise PackageError(f"{archive.label}: neither a quick-app manifest.json nor .rpk parts inside")
    if depth + 1 > limits.max_depth:
        raise LimitExceeded(
            f"{archive.label}: .rpks bundle nested deeper than the limit of {limits.max_depth}"
        )
    facts = PackageFacts(format="rpks", platform="quickapp", path=path, sha256=sha256, size=size)
    facts.files = archive.names()[:10_000]
    for name in parts:
        label = f"{archive.label}!{name}"
        data = archive.read(name)
        try:
            child = read_package_bytes(data, label, interest, limits, depth=depth + 1)
        except UnsupportedFormat:
            # Subpackage parts of an .rpks may carry only their pages, without a manifest.
            child = _read_part(data, label, interest, limits)
        facts.children.append(child)
    main = next((c for c in facts.children if c.format == "rpk" and c.id), None)
    if main is None:
        raise PackageError(f"{archive.label}: no part of the .rpks has a quick-app manifest.json")
    facts.id, facts.name, facts.version, facts.version_code = (
        main.id,
        main.name,
        main.version,
        main.version_code,
    )
    facts.min_sdk = main.min_sdk
    facts.certificates = list(main.certificates)
    facts.signing = dict(main.signing)
    for child in facts.children:
        facts.permissions.extend(p for p in child.permissions if p not in facts.permissions)
        if child.id and child.id != main.id:
            facts.notes.append(Note("part_other_package", file=child.path, child=child.id, package=main.id))
    return facts


def _read_part(data: bytes, label: str, interest: Interest, limits: Limits) -> PackageFacts:
    with SafeZip(data, limits, label) as part:
        if not any(n.endswith(".js") for n in part.names()):
            raise UnsupportedFormat(f"{label}: this part of the .rpks is neither an rpk nor a subpackage")
        facts = PackageFacts(
            format="rpk",
            platform="quickapp",
            path=label,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
        )
        facts.extra["subpackage_part"] = True
        _scan(part, facts, interest, limits)
        _certificates(part, facts)
        return facts

"""APK bundles: .apks (bundletool: base + split APKs, toc.pb optional) and .xapk (manifest.json + APKs).

The bundle's identity and signers are those of its base APK; permissions and components
are the union over all APKs; text and API hits stay with the APK they were found in
(``children``), so evidence names the split that contains it.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from ..errors import LimitExceeded, PackageError
from ..facts import Component, Interest, PackageFacts
from ..limits import Limits
from ..notes import Note
from ..safezip import SafeZip
from .detect import read_json_entry

_BASE_NAMES = ("base.apk", "base-master.apk")


def read_bundle(
    archive: SafeZip,
    *,
    kind: str,
    path: str,
    sha256: str,
    size: int,
    interest: Interest,
    limits: Limits,
    depth: int,
) -> PackageFacts:
    """Read every APK of a bundle (``kind`` "apks" or "xapk") and merge them."""
    if depth >= limits.max_depth:
        raise LimitExceeded(f"{archive.label}: bundles nested deeper than the limit of {limits.max_depth}")
    apk_names = [n for n in archive.names() if n.lower().endswith(".apk")]
    if not apk_names:
        raise PackageError(f"{archive.label}: the bundle contains no APK")
    manifest = read_json_entry(archive, "manifest.json") if kind == "xapk" else None
    facts = PackageFacts(format=kind, platform="android", path=path, sha256=sha256, size=size)
    facts.files = archive.names()
    from . import read_package_bytes

    for name in apk_names:
        child = read_package_bytes(archive.read(name), f"{path}!/{name}", interest, limits, depth=depth + 1)
        child.extra.setdefault("entry", name)
        facts.children.append(child)
    base = _base(facts.children, manifest)
    if base is None:
        raise PackageError(f"{archive.label}: no base APK (every APK in the bundle is a split)")
    _merge(facts, base)
    if manifest is not None:
        _check_xapk_manifest(manifest, base, facts)
    if "toc.pb" in archive:
        facts.extra["toc"] = True
    return facts


def _base(children: list[PackageFacts], manifest: dict[str, object] | None) -> PackageFacts | None:
    apks = [c for c in children if c.format == "apk"]
    for child in apks:
        if PurePosixPath(child.extra.get("entry", "")).name in _BASE_NAMES:
            return child
    if manifest is not None:
        wanted = f"{manifest.get('package_name')}.apk"
        for child in apks:
            if PurePosixPath(child.extra.get("entry", "")).name == wanted:
                return child
    # Splits declare split="..." in their manifest; the base does not.
    return next((c for c in apks if "split" not in c.extra), None)


def _merge(facts: PackageFacts, base: PackageFacts) -> None:
    for attribute in ("id", "name", "version", "version_code", "min_sdk", "target_sdk", "debuggable"):
        setattr(facts, attribute, getattr(base, attribute))
    facts.certificates = list(base.certificates)
    facts.signing = dict(base.signing)
    facts.extra["base"] = base.extra.get("entry")
    facts.extra["splits"] = [
        c.extra.get("split") or c.extra.get("entry") for c in facts.children if c is not base
    ]
    permissions: dict[str, None] = {}
    components: dict[tuple[str, str], Component] = {}
    for child in facts.children:
        for permission in child.permissions:
            permissions.setdefault(permission, None)
        for component in child.components:
            components.setdefault((component.kind, component.name), component)
        facts.code_names |= child.code_names
        if child.debuggable:
            facts.debuggable = True
        foreign = [
            c.sha256 for c in child.certificates if c.sha256 not in {b.sha256 for b in base.certificates}
        ]
        if child is not base and child.certificates and foreign:
            facts.notes.append(Note("split_other_certificate", file=str(child.extra.get("entry"))))
        if child.id and base.id and child.id != base.id:
            facts.notes.append(
                Note(
                    "split_other_package", file=str(child.extra.get("entry")), child=child.id, package=base.id
                )
            )
    facts.permissions = list(permissions)
    facts.components = list(components.values())


def _check_xapk_manifest(manifest: dict[str, object], base: PackageFacts, facts: PackageFacts) -> None:
    declared = manifest.get("package_name")
    if isinstance(declared, str) and base.id and declared != base.id:
        facts.notes.append(Note("xapk_manifest_other_package", declared=declared, package=base.id))
    facts.extra["xapk_manifest"] = {
        k: manifest[k] for k in ("package_name", "version_code", "version_name", "name") if k in manifest
    }

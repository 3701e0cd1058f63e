"""HarmonyOS packages: HAP modules (stage model module.json, FA model config.json) and .app bundles.

Facts come from the module manifest, ``resources.index`` (compiled string resources: the app
label), ``ets/modules.abc`` string surfaces (see abc.py), FA-model JS, rawfile text, and the
HAP signing block that sits between the zip entries and the central directory: its profile
(debug/release, issuer, developer id, bundle name) and its certificates.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from pathlib import PurePosixPath
from typing import Any

from ..errors import LimitExceeded, PackageError
from ..facts import ApiHit, Certificate, Component, Evidence, Interest, PackageFacts, TextHit
from ..limits import Limits
from ..notes import Note
from ..safezip import SafeZip
from . import abc as ark
from .detect import loads_lenient, read_json_entry
from .hap_resources import TEXT_TYPES, ResourceIndex, parse_resource_index
from .textscan import HitSink, decode_text, scan_text, snippet_around

SIGN_BLOCK_MAGICS = (b"<hap sign block>", b"HAP Sig Block 42")
_SIGN_FOOTER = 32  # u32 block count, u64 block size, 16-byte magic, u32 version
_SIGNATURE_BLOCK = 0x20000000
_PROFILE_BLOCK = 0x20000002
_PROPERTY_BLOCK = 0x20000003
_MAX_SUB_BLOCKS = 64
_EOCD = b"PK\x05\x06"
_EOCD_SEARCH = 22 + 0xFFFF

_TEXT_SUFFIXES = {".js": "script", ".json": "asset", ".html": "layout", ".txt": "asset", ".xml": "asset"}
_MAX_TEXT_FILE = 16 * 1024**2


def read_hap(
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
    """Read a HAP module, or an .app bundle whose .hap children are read one level deeper."""
    if kind == "app":
        return _read_app(
            archive, path=path, sha256=sha256, size=size, interest=interest, limits=limits, depth=depth
        )
    facts = PackageFacts(format="hap", platform="harmonyos", path=path, sha256=sha256, size=size)
    facts.files = archive.names()[:10_000]
    sink = HitSink(facts, limits)
    manifest_name = "module.json" if "module.json" in archive else "config.json"
    manifest = read_json_entry(archive, manifest_name)
    if manifest is None:
        raise PackageError(f"{archive.label}: {manifest_name} is missing, too large or not a JSON object")
    resources = _resources(archive, facts)
    if manifest_name == "module.json":
        facts.extra["model"] = "stage"
        _stage_identity(facts, manifest, resources)
    else:
        facts.extra["model"] = "fa"
        _fa_identity(facts, manifest, resources)
    sink.add(
        scan_text(
            archive.read(manifest_name).decode("utf-8", "replace"),
            file=manifest_name,
            surface="manifest",
            interest=interest,
        ),
        manifest_name,
    )
    if resources is not None:
        _resource_hits(resources, interest, sink)
    for name in archive.names():
        if name.endswith(".abc"):
            _abc_hits(archive, name, interest, sink, facts)
        elif _is_text_asset(name):
            _text_hits(archive, name, interest, sink)
    _signing(archive, facts)
    return facts


def _is_text_asset(name: str) -> bool:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in _TEXT_SUFFIXES or name in ("module.json", "config.json"):
        return False
    return name.startswith(("assets/", "resources/rawfile/", "js/", "ets/")) or name in ("pack.info",)


def _text_hits(archive: SafeZip, name: str, interest: Interest, sink: HitSink) -> None:
    if archive.info(name).file_size > _MAX_TEXT_FILE:
        sink.facts.notes.append(Note("text_file_skipped", file=name, limit=_MAX_TEXT_FILE))
        return
    surface = _TEXT_SUFFIXES[PurePosixPath(name).suffix.lower()]
    caller = name.rsplit(".", 1)[0] if surface in ("script", "layout") else None
    text = decode_text(archive.read(name))
    sink.add(scan_text(text, file=name, surface=surface, interest=interest, caller=caller), name)


# --- identity -------------------------------------------------------------------------------


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _stage_identity(facts: PackageFacts, manifest: dict[str, Any], resources: ResourceIndex | None) -> None:
    app = _dict(manifest.get("app"))
    module = _dict(manifest.get("module"))
    facts.id = _str(app.get("bundleName"))
    facts.version = _str(app.get("versionName"))
    facts.version_code = _str(app.get("versionCode"))
    facts.min_sdk = _str(app.get("minAPIVersion"))
    facts.target_sdk = _str(app.get("targetAPIVersion"))
    if isinstance(app.get("debug"), bool):
        facts.debuggable = app["debug"]
    if _str(app.get("buildMode")):
        facts.extra["build_mode"] = app["buildMode"]
    facts.name = _label(app.get("label"), app.get("labelId"), resources)
    facts.extra["module_name"] = _str(module.get("name"))
    facts.extra["module_type"] = _str(module.get("type"))
    for permission in _list(module.get("requestPermissions")):
        name = _str(_dict(permission).get("name"))
        if name:
            facts.permissions.append(name)
    for ability in _list(module.get("abilities")):
        ability = _dict(ability)
        if _str(ability.get("name")):
            exported = ability.get("exported") if isinstance(ability.get("exported"), bool) else None
            facts.components.append(Component(kind="ability", name=str(ability["name"]), exported=exported))
    for extension in _list(module.get("extensionAbilities")):
        extension = _dict(extension)
        if _str(extension.get("name")):
            exported = extension.get("exported") if isinstance(extension.get("exported"), bool) else None
            facts.components.append(
                Component(kind="extension", name=str(extension["name"]), exported=exported)
            )
    if facts.id is None:
        facts.notes.append(Note("hap_no_bundle_name", file="module.json"))


def _fa_identity(facts: PackageFacts, manifest: dict[str, Any], resources: ResourceIndex | None) -> None:
    app = _dict(manifest.get("app"))
    module = _dict(manifest.get("module"))
    version = _dict(app.get("version"))
    api = _dict(app.get("apiVersion"))
    facts.id = _str(app.get("bundleName"))
    facts.version = _str(version.get("name"))
    facts.version_code = _str(version.get("code"))
    facts.min_sdk = _str(api.get("compatible"))
    facts.target_sdk = _str(api.get("target"))
    device_default = _dict(_dict(manifest.get("deviceConfig")).get("default"))
    if isinstance(device_default.get("debug"), bool):
        facts.debuggable = device_default["debug"]
    for permission in _list(module.get("reqPermissions")):
        name = _str(_dict(permission).get("name"))
        if name:
            facts.permissions.append(name)
    labels: list[Any] = [app.get("label")]
    for ability in _list(module.get("abilities")):
        ability = _dict(ability)
        labels.append(ability.get("label"))
        if _str(ability.get("name")):
            visible = ability.get("visible") if isinstance(ability.get("visible"), bool) else None
            facts.components.append(Component(kind="ability", name=str(ability["name"]), exported=visible))
    for js in _list(module.get("js")):
        for page in _list(_dict(js).get("pages")):
            if _str(page):
                facts.components.append(Component(kind="page", name=str(page)))
    for label in labels:
        facts.name = _label(label, None, resources)
        if facts.name:
            break
    if facts.id is None:
        facts.notes.append(Note("hap_no_bundle_name", file="config.json"))


def _label(label: Any, label_id: Any, resources: ResourceIndex | None) -> str | None:
    """A manifest label: literal text, or ``$string:name`` / a resource id resolved through resources.index."""
    text = _str(label)
    if resources is not None:
        if isinstance(label_id, int) and not isinstance(label_id, bool):
            value = resources.string_by_id(label_id)
            if value:
                return value
        if text and text.startswith("$string:"):
            value = resources.string_by_name(text.removeprefix("$string:"))
            if value:
                return value
    if text and not text.startswith("$"):
        return text
    return None


# --- resources.index ----------------------------------------------------------------------------


def _resources(archive: SafeZip, facts: PackageFacts) -> ResourceIndex | None:
    if "resources.index" not in archive:
        facts.notes.append(Note("hap_no_resources_index"))
        return None
    return parse_resource_index(
        archive.read("resources.index"), f"{archive.label}: resources.index", archive.limits
    )


def _resource_hits(resources: ResourceIndex, interest: Interest, sink: HitSink) -> None:
    hits: list[TextHit] = []
    for item in resources.items:
        if item.type in TEXT_TYPES and item.value and interest.text.search(item.value):
            evidence = Evidence(
                file="resources.index",
                location=f"offset 0x{item.offset:x}",
                snippet=snippet_around(item.value, 0, min(len(item.value), 160)),
                caller=f"$string:{item.name}" + (f" [{item.config}]" if item.config else ""),
            )
            hits.append(TextHit(text=item.value, surface="resource", evidence=evidence))
    sink.add_texts(hits)


# --- Ark bytecode -------------------------------------------------------------------------------


def _abc_hits(archive: SafeZip, name: str, interest: Interest, sink: HitSink, facts: PackageFacts) -> None:
    data = archive.read(name)
    header = ark.parse_header(data, f"{archive.label}: {name}")
    facts.extra.setdefault("ark_bytecode", []).append({"file": name, "version": header.version})
    strings = list(ark.iter_strings(data))
    texts: list[TextHit] = []
    for string in strings:
        if interest.text.search(string.text):
            evidence = Evidence(
                file=name,
                location=f"string #{string.index} (offset 0x{string.offset:x})",
                snippet=snippet_around(string.text, 0, min(len(string.text), 160)),
            )
            texts.append(TextHit(text=string.text, surface="script", evidence=evidence))
    sink.add_texts(texts)
    apis: list[ApiHit] = []
    # A rule that names a whole module gets one hit per module, not one per nearby identifier.
    whole_modules: set[str] = set()
    for string in strings:
        module = ark.module_of(string.text)
        if module and module not in whole_modules and interest.api.search(module):
            whole_modules.add(module)
            location = f"string #{string.index} (offset 0x{string.offset:x})"
            apis.append(
                ApiHit(api=module, evidence=Evidence(file=name, location=location, snippet=string.text))
            )
    seen: set[str] = set()
    for module, request, member in ark.member_references(strings, skip=whole_modules):
        api = f"{module}.{member.text}"
        if api in seen or not interest.api.search(api):
            continue
        seen.add(api)
        apis.append(
            ApiHit(
                api=api,
                evidence=Evidence(
                    file=name,
                    location=f"string #{member.index} (offset 0x{member.offset:x})",
                    snippet=f"import {request.text} … {member.text}",
                ),
            )
        )
    sink.add_apis(apis)


# --- signing block ------------------------------------------------------------------------------


def _raw_tail(archive: SafeZip) -> tuple[Any, int]:
    """The archive's underlying file object and size; the signing block lives outside zip entries."""
    # SafeZip keeps its source open for the archive's lifetime; reading raw bytes through it
    # avoids loading a 100 MB package twice.
    handle = archive.raw_file()
    handle.seek(0, 2)
    return handle, handle.tell()


def _read_at(handle: Any, offset: int, length: int) -> bytes:
    handle.seek(offset)
    return bytes(handle.read(length))


def find_sign_block(archive: SafeZip) -> bytes | None:
    """The HAP signing block (headers, sub-blocks, footer), or None when the package is unsigned."""
    handle, size = _raw_tail(archive)
    tail_start = max(0, size - _EOCD_SEARCH)
    tail = _read_at(handle, tail_start, size - tail_start)
    eocd = tail.rfind(_EOCD)
    if eocd < 0 or eocd + 22 > len(tail):
        raise PackageError(f"{archive.label}: zip end-of-central-directory record not found")
    (cd_offset,) = struct.unpack_from("<I", tail, eocd + 16)
    if cd_offset == 0xFFFFFFFF or cd_offset < _SIGN_FOOTER or cd_offset > size:
        return None
    footer = _read_at(handle, cd_offset - _SIGN_FOOTER, _SIGN_FOOTER)
    if footer[12:28] not in SIGN_BLOCK_MAGICS:
        return None
    count, block_size = struct.unpack_from("<IQ", footer, 0)
    if (
        count == 0
        or count > _MAX_SUB_BLOCKS
        or block_size > cd_offset
        or block_size < _SIGN_FOOTER + 12 * count
    ):
        raise PackageError(
            f"{archive.label}: HAP signing block header is corrupted ({count} blocks, {block_size} bytes)"
        )
    return _read_at(handle, cd_offset - block_size, block_size)


def parse_sign_block(block: bytes, label: str) -> dict[int, bytes]:
    """Sub-blocks by type from a signing block returned by ``find_sign_block``."""
    if len(block) < _SIGN_FOOTER + 12:
        raise PackageError(f"{label}: HAP signing block is truncated")
    (count,) = struct.unpack_from("<I", block, len(block) - _SIGN_FOOTER)
    body_end = len(block) - _SIGN_FOOTER
    if count == 0 or count > _MAX_SUB_BLOCKS or 12 * count > body_end:
        raise PackageError(f"{label}: HAP signing block lists {count} sub-blocks")
    blocks: dict[int, bytes] = {}
    for index in range(count):
        block_type, length, offset = struct.unpack_from("<III", block, 12 * index)
        if offset < 12 * count or offset + length > body_end:
            raise PackageError(f"{label}: HAP signing sub-block #{index} lies outside the signing block")
        blocks[block_type] = block[offset : offset + length]
    return blocks


def _signing(archive: SafeZip, facts: PackageFacts) -> None:
    block = find_sign_block(archive)
    if block is None:
        facts.signing["signed"] = False
        facts.notes.append(Note("hap_unsigned"))
        return
    blocks = parse_sign_block(block, archive.label)
    facts.signing["signed"] = True
    facts.signing["scheme"] = "hap"
    profile = _profile(blocks.get(_PROFILE_BLOCK), archive.label, facts)
    debug = profile.get("type") == "debug"
    signature = blocks.get(_SIGNATURE_BLOCK)
    if signature is None:
        facts.notes.append(Note("hap_no_signature"))
        return
    facts.certificates = certificate_facts(
        signed_data(signature, archive.label, "HAP signature block")[1], debug
    )
    if _PROPERTY_BLOCK in blocks:
        facts.signing["has_property_block"] = True


def signed_data(data: bytes, label: str, what: str) -> tuple[bytes | None, list[Any]]:
    """Encapsulated content and certificates of a PKCS#7 SignedData blob."""
    from asn1crypto import cms

    try:
        info = cms.ContentInfo.load(data, strict=False)
        if info["content_type"].native != "signed_data":
            raise PackageError(f"{label}: {what} is not PKCS#7 SignedData")
        signed = info["content"]
        content = signed["encap_content_info"]["content"]
        raw = content.native if content is not None and content.native is not None else None
        certificates = [c.chosen for c in signed["certificates"] or [] if c.name == "certificate"]
        for certificate in certificates:
            certificate.dump()
        return (bytes(raw) if raw is not None else None), certificates
    except PackageError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        detail = " ".join(str(exc).split())[:200]
        raise PackageError(f"{label}: {what} is not valid PKCS#7 ({detail})") from None


def _profile(data: bytes | None, label: str, facts: PackageFacts) -> dict[str, Any]:
    if data is None:
        facts.notes.append(Note("hap_no_profile"))
        return {}
    content = data if data.lstrip().startswith(b"{") else signed_data(data, label, "HAP profile block")[0]
    profile = loads_lenient(decode_text(content or b""))
    if not isinstance(profile, dict):
        raise PackageError(f"{label}: the HAP provisioning profile is not a JSON object")
    bundle = _dict(profile.get("bundle-info"))
    facts.signing.update(
        {
            "profile_type": _str(profile.get("type")),
            "issuer": _str(profile.get("issuer")),
            "developer_id": _str(bundle.get("developer-id")),
            "bundle_name": _str(bundle.get("bundle-name")),
            "app_identifier": _str(bundle.get("app-identifier")),
            "apl": _str(bundle.get("apl")),
            "app_feature": _str(bundle.get("app-feature")),
            "profile_version": _str(profile.get("version-name")),
        }
    )
    validity = _dict(profile.get("validity"))
    if isinstance(validity.get("not-before"), int) and isinstance(validity.get("not-after"), int):
        facts.signing["profile_validity"] = [validity["not-before"], validity["not-after"]]
    for key in ("development-certificate", "distribution-certificate"):
        pem = bundle.get(key)
        if isinstance(pem, str):
            der = _pem_to_der(pem)
            if der is not None:
                facts.signing[key.replace("-", "_") + "_sha256"] = hashlib.sha256(der).hexdigest()
    if profile.get("type") == "debug":
        facts.debuggable = True
    bundle_name = facts.signing.get("bundle_name")
    if bundle_name and facts.id and bundle_name != facts.id:
        facts.notes.append(Note("hap_profile_other_bundle", profile=bundle_name, package=facts.id))
    return profile


def _pem_to_der(pem: str) -> bytes | None:
    body = re.sub(r"-----[^-]+-----|\s", "", pem)
    try:
        return base64.b64decode(body, validate=True)
    except ValueError:
        return None


def certificate_facts(certificates: list[Any], debug: bool, scheme: str = "hap") -> list[Certificate]:
    out: list[Certificate] = []
    issuers = {c.issuer.dump() for c in certificates if c.subject.dump() != c.issuer.dump()}
    for certificate in certificates:
        validity = certificate["tbs_certificate"]["validity"]
        out.append(
            Certificate(
                sha256=hashlib.sha256(certificate.dump()).hexdigest(),
                subject=certificate.subject.human_friendly,
                issuer=certificate.issuer.human_friendly,
                serial=str(certificate.serial_number),
                not_before=validity["not_before"].native.isoformat(),
                not_after=validity["not_after"].native.isoformat(),
                scheme=scheme,
                debug=debug,
            )
        )
    # The signer (a certificate that issues none of the others) first; then the chain.
    leaf_first = sorted(
        zip(certificates, out, strict=True), key=lambda pair: pair[0].subject.dump() in issuers
    )
    return [cert for _raw, cert in leaf_first]


# --- .app bundles ---------------------------------------------------------------------------------


def _read_app(
    archive: SafeZip, *, path: str, sha256: str, size: int, interest: Interest, limits: Limits, depth: int
) -> PackageFacts:
    from . import read_package_bytes

    if depth + 1 > limits.max_depth:
        raise LimitExceeded(
            f"{archive.label}: .app bundle nested deeper than the limit of {limits.max_depth}"
        )
    facts = PackageFacts(format="app", platform="harmonyos", path=path, sha256=sha256, size=size)
    facts.files = archive.names()[:10_000]
    pack = read_json_entry(archive, "pack.info")
    if pack is None:
        raise PackageError(f"{archive.label}: pack.info is missing, too large or not a JSON object")
    app = _dict(_dict(pack.get("summary")).get("app"))
    version = _dict(app.get("version"))
    facts.id = _str(app.get("bundleName"))
    facts.version = _str(version.get("name"))
    facts.version_code = _str(version.get("code"))
    # Text and API evidence stays with each child module (facts.walk() reaches it); the bundle
    # carries identity and the union of permissions.
    for name in archive.names():
        if not name.lower().endswith((".hap", ".hsp")):
            continue
        child = read_package_bytes(
            archive.read(name), f"{archive.label}!{name}", interest, limits, depth=depth + 1
        )
        facts.children.append(child)
        facts.permissions.extend(p for p in child.permissions if p not in facts.permissions)
        if facts.name is None:
            facts.name = child.name
        if facts.debuggable is None or child.debuggable:
            facts.debuggable = child.debuggable
        if child.id and facts.id and child.id != facts.id:
            facts.notes.append(Note("module_other_bundle", file=name, child=child.id, package=facts.id))
    if not facts.children:
        raise PackageError(f"{archive.label}: the .app bundle contains no .hap or .hsp module")
    block = find_sign_block(archive)
    if block is not None:
        _signing(archive, facts)
    else:
        entry = next((c for c in facts.children if c.extra.get("module_type") == "entry"), facts.children[0])
        facts.certificates = list(entry.certificates)
        facts.signing = dict(entry.signing)
    return facts

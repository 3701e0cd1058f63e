"""iOS app packages (.ipa): a zip holding ``Payload/<name>.app/``.

What is read, from the app bundle only (``Payload/<name>.app/``):

- ``Info.plist`` (binary or XML): bundle id, versions, display name, minimum iOS, background
  modes (``location`` is continuous location, reported as ``UIBackgroundModes:location``) and
  the usage descriptions (``NSLocation…UsageDescription``, ``NSCameraUsageDescription``, …), which
  become permissions; the plist is also a text surface, so its wording is evidence.
- ``embedded.mobileprovision``: a CMS SignedData whose content is an XML plist: team id, app id
  prefix, entitlements, expiry, profile type, the developer certificates it allows.
- The main executable (``CFBundleExecutable``): the Mach-O string sections (``macho.py``),
  its FairPlay encryption and its embedded code signature (identifier, team id, signed
  entitlements, the signer's certificates). Strings are read from at most
  ``MAX_EXECUTABLE_STRINGS`` bytes of string sections, one at a time and checked in batches, at most
  ``MAX_EXECUTABLE_STRING_COUNT`` of them; a larger executable is noted. An executable not read at
  all (encrypted, missing, too large, not named) is recorded for the advisory ``code_not_analysed``.
- Resources: ``.strings`` tables, ``.json``, ``.plist`` and hybrid web assets (``.js``, ``.html``,
  ``.vue``, …), which go through the same source-text analysis as H5 apps and mini-programs
  (comments blanked, vendored files known). Embedded frameworks (``Frameworks/``) and app
  extensions (``PlugIns/``) are somebody else's code or another target: their resources count as
  third-party.

Every plist goes through ``plists.load_plist`` (bounded: a self-referencing binary plist is kept as
nothing, with a note). A signing part that cannot be read (the profile, the signed entitlements, the
CMS signature) is an entry of ``signing["errors"]`` and a note, never the end of the scan.
"""

from __future__ import annotations

import hashlib
import plistlib
import re
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from ..errors import LimitExceeded, PackageError
from ..facts import (
    UNANALYSED_CODE_KEY,
    VENDORED_KEY,
    ApiHit,
    Certificate,
    Evidence,
    Interest,
    PackageFacts,
    TextHit,
)
from ..limits import Limits
from ..notes import Note
from ..prefilter import matching
from ..safezip import SafeZip
from .detect import APP_INFO_PLIST
from .hap import certificate_facts, signed_data
from .macho import Buffer, MachOSlice, MachOString, iter_strings, parse_macho
from .miniprogram import scan_source_file
from .plists import MAX_PLIST_VALUES, PlistInvalid, PlistTooLarge, load_plist
from .textscan import HitSink, decode_text, scan_text

MAX_EXECUTABLE_STRINGS = 64 * 1024**2
# Strings taken from the executable (a large real app has one or two million; 64 MiB of the shortest
# strings would be 13 million): bounds the time the lookups take, ~2 s per million.
MAX_EXECUTABLE_STRING_COUNT = 8_000_000
_STRING_BATCH = 50_000  # strings looked up and prefiltered together
_MAX_EXECUTABLE = 512 * 1024**2
_MAX_PLIST = 8 * 1024**2
_MAX_RESOURCE = 16 * 1024**2
_MAX_NATIVE_HITS = 2_000
_SNIPPET = 160
_SOURCE_SUFFIXES = frozenset(
    {".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx", ".vue", ".html", ".htm", ".json", ".txt", ".xml"}
)
_THIRD_PARTY_DIRS = ("Frameworks/", "PlugIns/", "Extensions/", "Watch/")
# Usage descriptions that name a capability; each becomes a permission of the same name.
_USAGE_KEY = re.compile(r"^NS\w+UsageDescription$")
# Objective-C selectors and classes of the platform APIs the rules know, in the notation the rules
# match (``CLLocationManager.startUpdatingLocation``); a selector in the executable is a reference
# to the API, not proof of a call, so the hits are not ``invoked``.
_PLATFORM_SYMBOLS = {
    "startUpdatingLocation": "CLLocationManager.startUpdatingLocation",
    "startMonitoringSignificantLocationChanges": "CLLocationManager.startMonitoringSignificantLocationChanges",
    "startMonitoringVisits": "CLLocationManager.startMonitoringVisits",
    "setAllowsBackgroundLocationUpdates:": "CLLocationManager.allowsBackgroundLocationUpdates",
    "requestAlwaysAuthorization": "CLLocationManager.requestAlwaysAuthorization",
    "requestLocation": "CLLocationManager.requestLocation",
    "requestWhenInUseAuthorization": "CLLocationManager.requestWhenInUseAuthorization",
    "AVCaptureSession": "AVCaptureSession",
    "AVCapturePhotoOutput": "AVCapturePhotoOutput",
    "capturePhotoWithSettings:delegate:": "AVCapturePhotoOutput.capturePhoto",
    "UIImagePickerController": "UIImagePickerController",
    "takePicture": "UIImagePickerController.takePicture",
    "uploadTaskWithRequest:fromFile:": "NSURLSession.uploadTask",
    "uploadTaskWithRequest:fromData:completionHandler:": "NSURLSession.uploadTask",
}


def app_root(names: list[str]) -> str | None:
    """``Payload/<name>.app/`` of the (first) app bundle, or None when the zip is no IPA."""
    for name in names:
        match = APP_INFO_PLIST.match(name)
        if match:
            return f"Payload/{match.group(1)}/"
    return None


def read_ipa(
    archive: SafeZip, *, path: str, sha256: str, size: int, interest: Interest, limits: Limits
) -> PackageFacts:
    """Identity, signing, permissions and text/API hits of an IPA."""
    names = archive.names()
    root = app_root(names)
    if root is None:
        raise PackageError(f"{archive.label}: no Payload/<name>.app/Info.plist, so this is not an iOS app")
    facts = PackageFacts(format="ipa", platform="ios", path=path, sha256=sha256, size=size)
    facts.files = names[:10_000]
    others = sorted(
        {n.split("/", 2)[1] for n in names if n.startswith("Payload/") and n.count("/") >= 2}
        - {root.split("/")[1]}
    )
    if others:
        facts.notes.append(Note("ipa_several_bundles", root=root, others=", ".join(others)))
    info = _plist(archive, root + "Info.plist", facts, required=True)
    _identity(facts, info)
    sink = HitSink(facts, limits)
    if info:
        try:
            plist_text = plistlib.dumps(info, fmt=plistlib.FMT_XML, sort_keys=False).decode("utf-8")
        except (TypeError, ValueError, OverflowError):
            # A binary plist may hold what XML cannot (integers past 64 bits): its wording is then unread.
            plist_text = ""
            facts.notes.append(Note("ipa_plist_not_text"))
        sink.add(
            scan_text(plist_text, file=root + "Info.plist", surface="manifest", interest=interest),
            "Info.plist",
        )
    _profile(archive, root, facts)
    executable = info.get("CFBundleExecutable")
    if isinstance(executable, str) and executable and "/" not in executable:
        _executable(archive, root + executable, facts, interest, sink)
    else:
        facts.notes.append(Note("ipa_no_executable_name"))
        _unanalysed(facts, root.rstrip("/"), "no_name")
    _resources(archive, root, facts, interest, sink, skip={root + "Info.plist", root + str(executable)})
    _check_entitlements(facts)
    return facts


def _plist(archive: SafeZip, name: str, facts: PackageFacts, *, required: bool = False) -> dict[str, Any]:
    """A dictionary plist of the bundle; one that expands past the bounds is kept as nothing, with a note."""
    if name not in archive:
        if required:
            raise PackageError(f"{archive.label}: {name} is missing")
        return {}
    if archive.info(name).file_size > _MAX_PLIST:
        raise LimitExceeded(f"{archive.label}: {name} is larger than {_MAX_PLIST} bytes")
    try:
        value = load_plist(archive.read(name, _MAX_PLIST))
    except PlistTooLarge:
        facts.notes.append(Note("plist_too_large", file=name, cap=MAX_PLIST_VALUES))
        return {}
    except PlistInvalid as exc:
        raise PackageError(f"{archive.label}: {name} is not a valid property list ({exc})") from None
    if not isinstance(value, dict):
        raise PackageError(f"{archive.label}: {name} is not a dictionary property list")
    return value


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _identity(facts: PackageFacts, info: dict[str, Any]) -> None:
    facts.id = _str(info.get("CFBundleIdentifier"))
    facts.name = _str(info.get("CFBundleDisplayName")) or _str(info.get("CFBundleName"))
    facts.version = _str(info.get("CFBundleShortVersionString")) or _str(info.get("CFBundleVersion"))
    facts.version_code = _str(info.get("CFBundleVersion"))
    facts.min_sdk = _str(info.get("MinimumOSVersion"))
    if facts.id is None:
        facts.notes.append(Note("ipa_no_bundle_id"))
    modes = info.get("UIBackgroundModes")
    for mode in modes if isinstance(modes, list) else []:
        if isinstance(mode, str):
            facts.permissions.append(f"UIBackgroundModes:{mode}")
    usages: dict[str, str] = {}
    for key, value in info.items():
        if isinstance(key, str) and _USAGE_KEY.match(key):
            facts.permissions.append(key)
            usages[key] = str(value) if not isinstance(value, dict | list) else ""
    if usages:
        facts.extra["usage_descriptions"] = usages


def _signing_error(facts: PackageFacts, message: str) -> None:
    # A signing part that cannot be read leaves the signer unknown (identity_unverifiable), not the scan.
    facts.signing.setdefault("errors", []).append(" ".join(message.split()))


def _profile(archive: SafeZip, root: str, facts: PackageFacts) -> None:
    name = root + "embedded.mobileprovision"
    if name not in archive:
        facts.signing["profile"] = None
        facts.notes.append(Note("ipa_no_profile"))
        return
    if archive.info(name).file_size > _MAX_PLIST:
        facts.notes.append(Note("ipa_profile_too_large", file=name, limit=_MAX_PLIST))
        _signing_error(facts, f"{archive.label}: {name} is larger than {_MAX_PLIST} bytes; it was not read")
        return
    try:
        profile = parse_mobileprovision(archive.read(name, _MAX_PLIST), f"{archive.label}: {name}")
    except PlistTooLarge:
        facts.notes.append(Note("plist_too_large", file=name, cap=MAX_PLIST_VALUES))
        _signing_error(facts, f"{archive.label}: {name} holds more than {MAX_PLIST_VALUES} values; not read")
        return
    except LimitExceeded:
        raise  # the archive as a whole inflates past its limit
    except PackageError as exc:
        facts.notes.append(Note("ipa_profile_unreadable", file=name))
        _signing_error(facts, str(exc))
        return
    team = profile.get("TeamIdentifier")
    team_id = _str(team[0]) if isinstance(team, list) and team else None
    prefix = profile.get("ApplicationIdentifierPrefix")
    raw_entitlements = profile.get("Entitlements")
    entitlements: dict[str, Any] = raw_entitlements if isinstance(raw_entitlements, dict) else {}
    listed = profile.get("DeveloperCertificates")
    certificates = (
        [bytes(c) for c in listed if isinstance(c, bytes | bytearray)] if isinstance(listed, list) else []
    )
    developer = [hashlib.sha256(c).hexdigest() for c in certificates]
    facts.signing.update(
        {
            "profile": _str(profile.get("Name")) or "",
            "profile_type": _profile_type(profile, entitlements),
            "team_id": team_id,
            "team_name": _str(profile.get("TeamName")),
            "app_id_prefix": _str(prefix[0]) if isinstance(prefix, list) and prefix else None,
            "profile_expires": _iso(profile.get("ExpirationDate")),
            "profile_created": _iso(profile.get("CreationDate")),
            "profile_certificates": developer,
            "profile_entitlements": _plain(entitlements),
        }
    )
    expires = profile.get("ExpirationDate")
    if isinstance(expires, datetime):
        # plistlib gives naive UTC datetimes.
        now = datetime.now(UTC).replace(tzinfo=None) if expires.tzinfo is None else datetime.now(UTC)
        if expires < now:
            facts.notes.append(Note("ipa_profile_expired", date=expires.date().isoformat()))
    facts.extra["profile_certificates_der"] = certificates


def parse_mobileprovision(data: bytes, label: str) -> dict[str, Any]:
    """The XML plist inside a provisioning profile's CMS envelope (or between ``<?xml`` and ``</plist>``).

    PackageError when there is none or it is invalid; PlistTooLarge when it expands past the bounds."""
    content: bytes | None = None
    try:
        content, _certificates = signed_data(data, label, "provisioning profile")
    except PackageError:
        content = None
    if not content:
        start = data.find(b"<?xml")
        end = data.find(b"</plist>", start)
        if start < 0 or end < 0:
            raise PackageError(
                f"{label}: not a provisioning profile (no CMS content and no XML plist inside)"
            )
        content = data[start : end + len(b"</plist>")]
    try:
        value = load_plist(content)
    except PlistInvalid as exc:
        raise PackageError(f"{label}: the provisioning profile's plist is invalid ({exc})") from None
    if not isinstance(value, dict):
        raise PackageError(f"{label}: the provisioning profile's plist is not a dictionary")
    return value


def _profile_type(profile: dict[str, Any], entitlements: dict[str, Any]) -> str:
    if entitlements.get("get-task-allow") is True:
        return "development"
    if profile.get("ProvisionsAllDevices") is True:
        return "enterprise"
    if profile.get("ProvisionedDevices"):
        return "ad-hoc"
    return "app-store"


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def _plain(value: Any) -> Any:
    """Entitlements as JSON values (dates and data become text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    return value


def _unanalysed(facts: PackageFacts, name: str, reason: str) -> None:
    """The app's own code was not read (``reason``: encrypted, missing, too_large, no_name): the test
    saw only its resources, which the report says as an advisory finding rather than a note alone."""
    facts.extra[UNANALYSED_CODE_KEY] = {"file": name, "reason": reason}


def _executable(archive: SafeZip, name: str, facts: PackageFacts, interest: Interest, sink: HitSink) -> None:
    if name not in archive:
        facts.notes.append(Note("ipa_executable_missing", file=name))
        _unanalysed(facts, name, "missing")
        return
    if archive.info(name).file_size > _MAX_EXECUTABLE:
        facts.notes.append(Note("ipa_executable_too_large", file=name, limit=_MAX_EXECUTABLE))
        _unanalysed(facts, name, "too_large")
        return
    # One buffer of the entry's size: the executable is never held twice.
    data = archive.read_buffer(name, _MAX_EXECUTABLE)
    slices = parse_macho(data, f"{archive.label}: {name}")
    facts.extra["architectures"] = [part.cpu for part in slices]
    _code_signature(slices, facts, archive.label, name)
    encrypted = [part for part in slices if part.encrypted is not None]
    if encrypted:
        facts.signing["encrypted"] = True
        facts.notes.append(Note("ipa_encrypted", file=name, cryptid=encrypted[0].crypt_id))
        _unanalysed(facts, name, "encrypted")
    total = sum(size for part in slices for _n, _o, size in (part.sections or [("", 0, part.size)]))
    if total > MAX_EXECUTABLE_STRINGS:
        facts.notes.append(Note("ipa_strings_capped", file=name, cap=MAX_EXECUTABLE_STRINGS))
    _native_hits(data, slices, name, facts, interest, sink)


def _code_signature(slices: list[MachOSlice], facts: PackageFacts, label: str, name: str) -> None:
    signature = next((part.signature for part in slices if part.signature is not None), None)
    if signature is None:
        facts.signing["signed"] = False
        facts.notes.append(Note("ipa_unsigned", file=name))
        return
    facts.signing.update({"signed": True, "scheme": "ios-codesign"})
    if signature.identifier:
        facts.signing["code_identifier"] = signature.identifier
    if signature.team_id:
        facts.signing["code_team_id"] = signature.team_id
    for error in signature.errors:
        _signing_error(facts, error)
    if signature.entitlements_unread is not None:
        facts.notes.append(Note("ipa_entitlements_unreadable", file=name))
    if signature.entitlements:
        facts.signing["entitlements"] = _plain(signature.entitlements)
    if signature.cms:
        try:
            _content, certificates = signed_data(signature.cms, label, f"{name} code signature")
            facts.certificates = certificate_facts(certificates, debug=False, scheme="ios-codesign")
        except PackageError as exc:
            facts.notes.append(Note("ipa_code_signature_invalid", file=name))
            _signing_error(facts, str(exc))


def _native_hits(
    data: Buffer, slices: list[MachOSlice], name: str, facts: PackageFacts, interest: Interest, sink: HitSink
) -> None:
    """API references and text hits of the executable's strings, taken a batch at a time."""
    texts: list[TextHit] = []
    apis: list[ApiHit] = []
    seen_api: set[str] = set()
    batch: list[MachOString] = []
    for count, string in enumerate(iter_strings(data, slices, cap=MAX_EXECUTABLE_STRINGS), start=1):
        if count > MAX_EXECUTABLE_STRING_COUNT:
            facts.notes.append(Note("ipa_string_count_capped", file=name, cap=MAX_EXECUTABLE_STRING_COUNT))
            break
        api = _PLATFORM_SYMBOLS.get(string.text)
        if api is not None and api not in seen_api and interest.api.search(api):
            seen_api.add(api)
            evidence = Evidence(file=name, location=f"offset 0x{string.offset:x}", snippet=string.text)
            apis.append(ApiHit(api=api, evidence=evidence))
        if len(texts) < _MAX_NATIVE_HITS:
            batch.append(string)
            if len(batch) >= _STRING_BATCH:
                _text_hits(batch, name, interest, texts)
                batch = []
    _text_hits(batch, name, interest, texts)
    if len(texts) >= _MAX_NATIVE_HITS:
        facts.notes.append(Note("file_matches_capped", file=name, cap=_MAX_NATIVE_HITS))
    sink.add_texts(texts)
    sink.add_apis(apis)


def _text_hits(batch: list[MachOString], name: str, interest: Interest, texts: list[TextHit]) -> None:
    # A large executable has millions of strings: the literal prefilter narrows them first, as for DEX.
    for index in sorted(matching(interest.text, [string.text for string in batch])):
        if len(texts) >= _MAX_NATIVE_HITS:
            return
        string = batch[index]
        found = interest.text.search(string.text)
        if found is None:
            continue
        start = max(0, found.start() - 60)
        evidence = Evidence(
            file=name, location=f"offset 0x{string.offset:x}", snippet=string.text[start : start + _SNIPPET]
        )
        texts.append(TextHit(text=string.text, surface="native", evidence=evidence))


def _resources(
    archive: SafeZip, root: str, facts: PackageFacts, interest: Interest, sink: HitSink, *, skip: set[str]
) -> None:
    for name in archive.names():
        if not name.startswith(root) or name in skip or name.endswith("/"):
            continue
        rel = name[len(root) :]
        suffix = PurePosixPath(name).suffix.lower()
        if suffix not in _SOURCE_SUFFIXES and suffix not in (".strings", ".plist", ".jsbundle"):
            continue
        if archive.info(name).file_size > _MAX_RESOURCE:
            facts.notes.append(Note("text_file_skipped", file=name, limit=_MAX_RESOURCE))
            continue
        data = archive.read(name, _MAX_RESOURCE)
        third_party = rel.startswith(_THIRD_PARTY_DIRS)
        if third_party:
            where = rel.split("/", 2)
            facts.extra.setdefault(VENDORED_KEY, {})[name] = f"embedded {where[0].lower()} {where[1]}"
        if suffix == ".strings":
            text = strings_table(data, name, facts)
            sink.add(scan_text(text, file=name, surface="resource", interest=interest), name)
        elif suffix == ".plist":
            text = _plist_text(data, name, facts)
            if text:
                sink.add(scan_text(text, file=name, surface="resource", interest=interest), name)
        elif suffix == ".jsbundle":
            # A React Native bundle: the app's own code, minified; hits through the script scanner.
            sink.add(scan_text(decode_text(data), file=name, surface="script", interest=interest), name)
        else:
            scan_source_file(name, data, facts, sink, interest)


def strings_table(data: bytes, name: str = "", facts: PackageFacts | None = None) -> str:
    """A ``.strings`` localisation table as ``"key" = "value";`` lines: binary plist or UTF-16/UTF-8 text."""
    if data.startswith(b"bplist"):
        text = _plist_text(data, name, facts)
        if text:
            return text
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    return decode_text(data)


def _plist_text(data: bytes, name: str, facts: PackageFacts | None) -> str:
    """A resource plist's wording; "" for one that is no plist or expands past the bounds (noted)."""
    try:
        value = load_plist(data)
    except PlistTooLarge:
        if facts is not None:
            facts.notes.append(Note("plist_too_large", file=name, cap=MAX_PLIST_VALUES))
        return ""
    except PlistInvalid:
        return ""  # a resource that is no plist is simply not read
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return "\n".join(f'"{k}" = "{v}";' for k, v in value.items())
    try:
        return plistlib.dumps(value, fmt=plistlib.FMT_XML).decode("utf-8")
    except (TypeError, ValueError, OverflowError):
        return ""


def _check_entitlements(facts: PackageFacts) -> None:
    """Team, app id and debuggability from the signed entitlements, else from the profile."""
    signing = facts.signing
    entitlements = signing.get("entitlements") or signing.get("profile_entitlements") or {}
    team_id = (
        signing.get("code_team_id")
        or signing.get("team_id")
        or _str(entitlements.get("com.apple.developer.team-identifier"))
    )
    if team_id:
        signing["developer_id"] = team_id
    app_id = _str(entitlements.get("application-identifier"))
    if app_id and facts.id:
        prefix, _dot, bundle = app_id.partition(".")
        if (
            bundle != "*"
            and not (bundle.endswith(".*") and facts.id.startswith(bundle[:-1]))
            and bundle != facts.id
        ):
            facts.notes.append(Note("ipa_entitlement_other_app", app_id=app_id, package=facts.id))
        signing["app_identifier"] = app_id
    code_id = signing.get("code_identifier")
    if code_id and facts.id and code_id != facts.id:
        facts.notes.append(Note("ipa_signature_other_app", code_id=code_id, package=facts.id))
    if entitlements.get("get-task-allow") is True:
        # Any debugger may attach to the app: a development build.
        facts.debuggable = True
    elif facts.debuggable is None:
        facts.debuggable = False
    if not facts.certificates and not signing.get("signed"):
        # Only without a code signature: a signature whose signer cannot be read leaves the signer unknown.
        der = facts.extra.get("profile_certificates_der") or []
        facts.certificates = _profile_certificates(der)
    facts.extra.pop("profile_certificates_der", None)


def _profile_certificates(der: list[bytes]) -> list[Certificate]:
    """The certificates a profile allows to sign, when the executable carries no signature of its own."""
    from asn1crypto import x509

    loaded = []
    for item in der:
        try:
            certificate = x509.Certificate.load(item)
            certificate.native  # noqa: B018 - parse now, so a broken certificate is skipped here
        except (ValueError, TypeError, KeyError):
            continue
        loaded.append(certificate)
    return certificate_facts(loaded, debug=False, scheme="mobileprovision")

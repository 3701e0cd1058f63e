"""The APK reader: identity, signing, permissions and components, and every text surface.

Text surfaces are DEX code (with the calling method), resources.arsc, compiled layouts and
XML resources, the manifest, hybrid web assets (Cordova, uni-app, React Native) and
Flutter's libapp.so. Only what matches the rule set's ``Interest`` is returned.
"""

from __future__ import annotations

import re
from typing import IO

from ..errors import PackageError
from ..facts import Certificate, Component, Evidence, Interest, PackageFacts, TextHit
from ..limits import Limits
from ..notes import Note
from ..prefilter import matching
from ..safezip import SafeZip
from .arsc import ResourceTable
from .axml import TYPE_STRING, XmlAttribute, XmlDocument, XmlElement, is_axml, parse_axml
from .dex import MatchMemo, scan_dex
from .native import FLUTTER_APP_LIB, native_libraries, native_strings
from .signing import V1_SUFFIXES, read_signing_block_lineage, v1_certificates
from .textscan import decode_text, scan_text

MANIFEST = "AndroidManifest.xml"
_DEX_NAME = re.compile(r"^classes(\d*)\.dex$")
_COMPONENT_TAGS = ("activity", "activity-alias", "service", "receiver", "provider")
_PERMISSION_TAGS = ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m")
_TEXT_ATTRS = frozenset(["text", "hint", "contentDescription", "title", "summary", "label"])
_SCRIPT_SUFFIXES = (".js", ".mjs", ".html", ".htm", ".vue", ".bundle", ".jsbundle")
_ASSET_SUFFIXES = (".json", ".txt", ".xml", ".css", ".properties", ".wxml", ".ini", ".cfg", ".yaml", ".yml")
_MAX_MANIFEST = 16 * 1024**2
_MAX_XML = 8 * 1024**2
_MAX_TEXT_FILE = 64 * 1024**2
_MAX_HITS_PER_FILE = 500
_MAX_FILES_LISTED = 20_000
_ABI_PREFERENCE = ("arm64-v8a", "armeabi-v7a", "x86_64", "x86", "armeabi")
_SCHEME_RANK = {"v3.1": 0, "v3": 1, "v2": 2, "v1": 3}


def read_apk(
    archive: SafeZip, *, path: str, sha256: str, size: int, interest: Interest, limits: Limits
) -> PackageFacts:
    """Read one APK; ``PackageError`` when it has no readable manifest."""
    names = archive.names()
    if MANIFEST not in archive:
        raise PackageError(f"{archive.label}: not an APK (no AndroidManifest.xml)")
    manifest_data = archive.read(MANIFEST, _MAX_MANIFEST)
    if not is_axml(manifest_data):
        raise PackageError(f"{archive.label}: AndroidManifest.xml is not compiled binary XML")
    document = parse_axml(manifest_data, f"{archive.label}: {MANIFEST}")
    facts = PackageFacts(format="apk", platform="android", path=path, sha256=sha256, size=size)
    facts.notes.extend(document.notes)
    facts.files = names[:_MAX_FILES_LISTED]
    if len(names) > _MAX_FILES_LISTED:
        facts.notes.append(Note("entries_listed_capped", cap=_MAX_FILES_LISTED, count=len(names)))
    table = _resource_table(archive, facts)
    budget = _Budget(limits.max_texts, facts)
    _identity(document, table, facts)
    _manifest_texts(document, interest, budget)
    _signing(archive, names, facts)
    _dex(archive, names, interest, budget, facts)
    matched_resources = _resource_texts(table, interest, budget)
    _xml_resources(archive, names, table, matched_resources, interest, budget, facts)
    _network_security_config(archive, document, table, facts)
    _assets(archive, names, interest, budget, facts)
    _native(archive, names, interest, budget, facts)
    return facts


class _Budget:
    """Caps text hits per package at ``limits.max_texts``, noting once when it bites."""

    def __init__(self, cap: int, facts: PackageFacts) -> None:
        self.cap = cap
        self.facts = facts
        self.noted = False

    @property
    def left(self) -> int:
        return max(0, self.cap - len(self.facts.texts))

    def add(self, hits: list[TextHit]) -> None:
        room = self.left
        if len(hits) > room and not self.noted:
            self.noted = True
            self.facts.notes.append(Note("text_hits_capped", cap=self.cap))
        self.facts.texts.extend(hits[:room])


def _resource_table(archive: SafeZip, facts: PackageFacts) -> ResourceTable | None:
    if "resources.arsc" not in archive:
        return None
    try:
        table = ResourceTable(archive.read("resources.arsc"), f"{archive.label}: resources.arsc")
    except PackageError as exc:
        # The manifest still identifies the app; labels and resource texts are what we lose.
        facts.notes.append(str(exc))
        return None
    facts.notes.extend(table.notes)
    return table


def _resolved_string(attribute: XmlAttribute | None, table: ResourceTable | None) -> str | None:
    if attribute is None:
        return None
    if attribute.is_reference:
        return table.resolve_string(attribute.data) if table is not None else None
    value = attribute.value
    if isinstance(value, bool) or value is None:
        return None
    return str(value)


def _resolved_bool(attribute: XmlAttribute | None, table: ResourceTable | None) -> bool | None:
    if attribute is None:
        return None
    if attribute.is_reference:
        return table.resolve_bool(attribute.data) if table is not None else None
    value = attribute.value
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return bool(value)


def _qualified(name: str, package: str) -> str:
    if name.startswith("."):
        return package + name
    if "." not in name and package:
        return f"{package}.{name}"
    return name


def _identity(document: XmlDocument, table: ResourceTable | None, facts: PackageFacts) -> None:
    root = document.root
    if root.name != "manifest":
        raise PackageError(f"{MANIFEST}: root element is <{root.name}>, not <manifest>")
    package = root.get("package", None)
    if not isinstance(package, str) or not package:
        raise PackageError(f"{MANIFEST}: the manifest declares no package name")
    facts.id = package
    facts.version_code = _number(root.attr("versionCode"), table)
    facts.version = _resolved_string(root.attr("versionName"), table)
    split = root.get("split", None)
    if isinstance(split, str) and split:
        facts.extra["split"] = split
    compile_sdk = root.attr("compileSdkVersion")
    if compile_sdk is not None:
        facts.extra["compile_sdk"] = compile_sdk.display()
    for uses_sdk in root.iter("uses-sdk"):
        facts.min_sdk = _number(uses_sdk.attr("minSdkVersion"), table)
        facts.target_sdk = _number(uses_sdk.attr("targetSdkVersion"), table)
        break
    applications = [child for child in root.children if child.name == "application"]
    application = applications[0] if applications else None
    if application is not None:
        facts.name = _resolved_string(application.attr("label"), table)
        facts.debuggable = bool(_resolved_bool(application.attr("debuggable"), table))
        facts.extra["uses_cleartext_traffic"] = _resolved_bool(
            application.attr("usesCleartextTraffic"), table
        )
        facts.extra["allow_backup"] = _resolved_bool(application.attr("allowBackup"), table)
        app_class = application.get("name")
        if isinstance(app_class, str) and app_class:
            facts.extra["application_class"] = _qualified(app_class, package)
    else:
        facts.debuggable = False
    permissions: dict[str, None] = {}
    for tag in _PERMISSION_TAGS:
        for element in root.iter(tag):
            name = element.get("name")
            if isinstance(name, str) and name:
                permissions.setdefault(name, None)
    facts.permissions = list(permissions)
    target = int(facts.target_sdk) if facts.target_sdk and facts.target_sdk.isdigit() else 0
    if application is not None:
        for element in application.children:
            if element.name in _COMPONENT_TAGS:
                facts.components.append(_component(element, package, target))


def _number(attribute: XmlAttribute | None, table: ResourceTable | None) -> str | None:
    if attribute is None:
        return None
    if attribute.is_reference and table is not None:
        value = table.resolve_value(attribute.data)
        return None if value is None else str(value.data)
    return attribute.display() or None


def _component(element: XmlElement, package: str, target_sdk: int) -> Component:
    name = element.get("name")
    name = _qualified(name, package) if isinstance(name, str) else ""
    explicit = element.get("exported")
    if isinstance(explicit, bool):
        exported: bool | None = explicit
    elif any(child.name == "intent-filter" for child in element.children):
        exported = True  # the platform default before Android 12 made the attribute mandatory
    else:
        exported = element.name == "provider" and 0 < target_sdk < 17
    kind = "activity" if element.name == "activity-alias" else element.name
    return Component(kind=kind, name=name, exported=exported)


def _manifest_texts(document: XmlDocument, interest: Interest, budget: _Budget) -> None:
    hits: list[TextHit] = []
    for element in document.root.iter():
        for attribute in element.attributes:
            if attribute.type != TYPE_STRING or not attribute.raw:
                continue
            if interest.text.search(attribute.raw):
                evidence = Evidence(
                    file=MANIFEST, location=f"line {element.line}", snippet=attribute.raw[:160]
                )
                hits.append(TextHit(text=attribute.raw, surface="manifest", evidence=evidence))
    budget.add(hits)


def _raw_handle(archive: SafeZip) -> IO[bytes]:
    # The signing block lives outside any zip entry; SafeZip has the only handle on the bytes.
    return archive.raw_file()


def _signing(archive: SafeZip, names: list[str], facts: PackageFacts) -> None:
    schemes: list[str] = []
    found: list[Certificate] = []
    errors: list[str] = []
    lineage: list[str] = []
    try:
        block_schemes, block_certs, lineage = read_signing_block_lineage(_raw_handle(archive), archive.label)
        schemes.extend(block_schemes)
        found.extend(block_certs)
    except PackageError as exc:
        errors.append(str(exc))
    v1_files = [
        n
        for n in names
        if n.startswith("META-INF/") and n.count("/") == 1 and n.upper().endswith(V1_SUFFIXES)
    ]
    for name in v1_files:
        try:
            found.extend(v1_certificates(archive.read(name, 4 * 1024**2), f"{archive.label}: {name}"))
        except PackageError as exc:
            errors.append(str(exc))
    if v1_files:
        schemes.insert(0, "v1")
    by_digest: dict[str, Certificate] = {}
    for cert in sorted(found, key=lambda c: _SCHEME_RANK.get(c.scheme, 9)):
        by_digest.setdefault(cert.sha256, cert)
    facts.certificates = list(by_digest.values())
    facts.signing = {"schemes": schemes, "verified": False}
    if lineage:
        facts.signing["lineage"] = lineage
    if errors:
        # Identity and texts are still worth reporting; the report shows the signing problem.
        facts.signing["errors"] = errors
        facts.notes.extend(errors)
    if not facts.certificates and not errors:
        facts.notes.append(Note("apk_unsigned"))
    if any(cert.debug for cert in facts.certificates):
        facts.signing["debug_certificate"] = True


def _dex_names(names: list[str]) -> list[str]:
    found = [(int(m.group(1) or "1"), n) for n in names if (m := _DEX_NAME.match(n))]
    return [name for _, name in sorted(found)]


def _dex(
    archive: SafeZip, names: list[str], interest: Interest, budget: _Budget, facts: PackageFacts
) -> None:
    dex_names = _dex_names(names)
    facts.extra["dex_files"] = dex_names
    classes = methods = 0
    memo = MatchMemo()
    for name in dex_names:
        data = archive.read(name)
        result = scan_dex(data, interest, label=name, max_texts=budget.left, memo=memo)
        del data
        budget.add(result.texts)
        room = max(0, budget.cap - len(facts.apis))
        facts.apis.extend(result.apis[:room])
        facts.code_names |= result.code_names
        facts.notes.extend(result.notes)
        classes += result.class_count
        methods += result.method_count
    facts.extra["dex_classes"] = classes
    facts.extra["dex_methods"] = methods
    other_code = [n for n in names if n.endswith((".dex", ".jar")) and n not in dex_names]
    if other_code:
        # Packers and plugin frameworks load code from here at run time; it is not scanned.
        facts.extra["secondary_code"] = other_code[:100]


def _resource_texts(table: ResourceTable | None, interest: Interest, budget: _Budget) -> set[int]:
    if table is None:
        return set()
    hits: list[TextHit] = []
    texts = [table.strings.get(index) for index in range(len(table.strings))]
    matched = matching(interest.text, texts)
    for index in sorted(matched):
        text = texts[index]
        found = interest.text.search(text)
        if found is None:  # matching() is exact; this only narrows the type
            continue
        evidence = Evidence(file="resources.arsc", location=f"string #{index}", snippet=_around(text, found))
        hits.append(TextHit(text=text, surface="resource", evidence=evidence))
    budget.add(hits)
    return matched


def _around(text: str, found: re.Match[str]) -> str:
    if len(text) <= 160:
        return text
    start = max(0, found.start() - 60)
    return text[start : start + 160]


def _xml_resources(
    archive: SafeZip,
    names: list[str],
    table: ResourceTable | None,
    matched_resources: set[int],
    interest: Interest,
    budget: _Budget,
    facts: PackageFacts,
) -> None:
    for name in names:
        if not name.endswith(".xml") or name == MANIFEST or name.startswith(("META-INF/", "assets/")):
            continue
        if budget.left == 0:
            return
        data = archive.read(name, _MAX_XML) if archive.info(name).file_size <= _MAX_XML else b""
        if not is_axml(data):
            continue
        try:
            document = parse_axml(data, f"{archive.label}: {name}")
        except PackageError as exc:
            facts.notes.append(str(exc))
            continue
        surface = "layout" if name.startswith("res/layout") else "resource"
        hits: list[TextHit] = []
        for element in document.root.iter():
            for attribute in element.attributes:
                text = _layout_text(attribute, table, matched_resources, interest)
                if text is None:
                    continue
                found = interest.text.search(text)
                if found is None:
                    continue
                caller = element.name if attribute.name in _TEXT_ATTRS else f"{element.name}@{attribute.name}"
                evidence = Evidence(
                    file=name, location=f"line {element.line}", snippet=_around(text, found), caller=caller
                )
                hits.append(TextHit(text=text, surface=surface, evidence=evidence))
        budget.add(hits[:_MAX_HITS_PER_FILE])


def _layout_text(
    attribute: XmlAttribute, table: ResourceTable | None, matched_resources: set[int], interest: Interest
) -> str | None:
    if attribute.type == TYPE_STRING:
        return attribute.raw
    if attribute.is_reference and table is not None and attribute.name in _TEXT_ATTRS:
        value = table.resolve_value(attribute.data)
        if value is not None and value.type == TYPE_STRING and value.data in matched_resources:
            return table.strings.get(value.data)
    return None


def _network_security_config(
    archive: SafeZip, document: XmlDocument, table: ResourceTable | None, facts: PackageFacts
) -> None:
    application = next((c for c in document.root.children if c.name == "application"), None)
    attribute = application.attr("networkSecurityConfig") if application is not None else None
    if attribute is None:
        return
    config: dict[str, object] = {"reference": attribute.display()}
    facts.extra["network_security_config"] = config
    file = _resolved_string(attribute, table)
    if not file or file not in archive:
        return
    config["file"] = file
    try:
        root = parse_axml(archive.read(file, _MAX_XML), f"{archive.label}: {file}").root
    except PackageError as exc:
        facts.notes.append(str(exc))
        return
    cleartext_domains: list[str] = []
    for element in root.iter():
        permitted = element.get("cleartextTrafficPermitted", None)
        if element.name == "base-config" and isinstance(permitted, bool):
            config["base_cleartext_permitted"] = permitted
        if element.name == "domain-config" and permitted is True:
            for domain in element.iter("domain"):
                if domain.text.strip():
                    cleartext_domains.append(domain.text.strip())
    config["cleartext_domains"] = cleartext_domains


def _assets(
    archive: SafeZip, names: list[str], interest: Interest, budget: _Budget, facts: PackageFacts
) -> None:
    frameworks: list[str] = []
    if any(n.startswith("assets/www/") for n in names):
        frameworks.append("cordova")
    if any(re.match(r"assets/apps/[^/]+/www/", n) for n in names):
        frameworks.append("uniapp")
    if "assets/index.android.bundle" in archive:
        frameworks.append("react-native")
    if any(FLUTTER_APP_LIB.match(n) for n in names) or "assets/flutter_assets/AssetManifest.json" in archive:
        frameworks.append("flutter")
    if frameworks:
        facts.extra["frameworks"] = frameworks
    for name in names:
        if not name.startswith("assets/") or budget.left == 0:
            continue
        lower = name.lower()
        if lower.endswith(_SCRIPT_SUFFIXES):
            surface = "script"
        elif lower.endswith(_ASSET_SUFFIXES):
            surface = "asset"
        else:
            continue
        if archive.info(name).file_size > _MAX_TEXT_FILE:
            facts.notes.append(Note("text_file_skipped", file=name, limit=_MAX_TEXT_FILE))
            continue
        data = archive.read(name, _MAX_TEXT_FILE)
        if b"\x00" in data[:4096]:
            # Hermes bytecode or another binary form: its strings are plain UTF-8 runs.
            budget.add(native_strings(data, interest, file=name, limit=_MAX_HITS_PER_FILE))
            continue
        result = scan_text(decode_text(data), file=name, surface=surface, interest=interest)
        budget.add(result.texts)
        facts.apis.extend(result.apis[: max(0, budget.cap - len(facts.apis))])


def _native(
    archive: SafeZip, names: list[str], interest: Interest, budget: _Budget, facts: PackageFacts
) -> None:
    libraries = native_libraries(names)
    if libraries:
        facts.extra["native_libraries"] = libraries
    flutter = [n for n in names if FLUTTER_APP_LIB.match(n)]
    if not flutter or budget.left == 0:
        return
    # Every ABI carries the same Dart snapshot; one is enough.
    flutter.sort(
        key=lambda n: _ABI_PREFERENCE.index(n.split("/")[1]) if n.split("/")[1] in _ABI_PREFERENCE else 99
    )
    name = flutter[0]
    budget.add(
        native_strings(archive.read(name), interest, file=name, limit=min(budget.left, _MAX_HITS_PER_FILE))
    )

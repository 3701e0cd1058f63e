"""Third-party SDK and packer signatures: loading, detection, and "is this code ours?".

Signatures are data (rules/signatures/*.yaml). A signature matches a package by dotted code
prefix (readers report matching package or class names in ``PackageFacts.code_names``), by
native library file name (shell wildcards) or by entry path (shell wildcards).
"""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from .facts import Evidence, PackageFacts

# Vendored script code: evidence from these directories is somebody else's code.
# Platform and language libraries compiled into apps: their strings are never the app's own wording.
_PLATFORM_PACKAGES = (
    "android.",
    "androidx.",
    "com.google.android.material.",
    "dalvik.",
    "java.",
    "javax.",
    "kotlin.",
    "kotlinx.",
)
_VENDOR_DIRS = (
    "node_modules/",
    "miniprogram_npm/",
    "uni_modules/",
    "/vendor/",
    "libs/",
    "static/js/chunk-vendors",
)
_PREFIX_SYNTAX = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")
_MAX_EVIDENCE = 10


class SignatureError(ValueError):
    """A signature file is malformed; the message names the file, entry and field."""


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    category: str
    website: str
    prefixes: tuple[str, ...]
    libs: tuple[str, ...] = ()
    files: tuple[str, ...] = ()


@dataclass(slots=True)
class Detection:
    """One SDK or packer found in a package, with what gave it away."""

    name: str
    category: str
    website: str
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "website": self.website,
            "evidence": [item.to_dict() for item in self.evidence],
        }


def _string_list(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise SignatureError(f"{where}: field {key!r} must be a list of non-empty strings")
    return tuple(value)


def parse_signatures(
    data: Any, *, source: str, key: str, category: str | None = None
) -> tuple[Signature, ...]:
    """Validate one signature file's parsed YAML; ``category`` fixes it for every entry (packers)."""
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise SignatureError(f"{source}: expected a mapping with a list under {key!r}")
    out: list[Signature] = []
    seen: set[str] = set()
    for index, entry in enumerate(data[key]):
        where = f"{source}: {key}[{index}]"
        if not isinstance(entry, dict):
            raise SignatureError(f"{where}: expected a mapping")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise SignatureError(f"{where}: field 'name' is missing or empty")
        where = f"{source}: {name}"
        if name in seen:
            raise SignatureError(f"{where}: duplicate name")
        seen.add(name)
        kind = category or entry.get("category")
        if not isinstance(kind, str) or not kind:
            raise SignatureError(f"{where}: field 'category' is missing")
        website = entry.get("website", "")
        if not isinstance(website, str):
            raise SignatureError(f"{where}: field 'website' must be a string")
        prefixes = _string_list(entry, "prefixes", where)
        for prefix in prefixes:
            if not _PREFIX_SYNTAX.match(prefix):
                raise SignatureError(f"{where}: prefix {prefix!r} is not a dotted Java name")
        libs = _string_list(entry, "libs", where)
        files = _string_list(entry, "files", where)
        if not (prefixes or libs or files):
            raise SignatureError(f"{where}: needs at least one of 'prefixes', 'libs', 'files'")
        out.append(Signature(name, kind, website, prefixes, libs, files))
    return tuple(out)


def dotted_from_caller(caller: str) -> str | None:
    """``Lcom/a/B;->m(I)V`` -> ``com.a.B``; ``None`` for callers that are not DEX methods."""
    if not caller.startswith("L"):
        return None
    end = caller.find(";")
    if end <= 1:
        return None
    return caller[1:end].replace("/", ".")


def _class_package(prefix: str) -> str | None:
    """The package of a class-name prefix (``com.stub.StubApp`` -> ``com.stub``), else None."""
    head, _, last = prefix.rpartition(".")
    return head if head and last[:1].isupper() else None


@functools.cache
def _entry_patterns(sig: Signature) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """One compiled regex for a signature's file globs and one for its library globs (fnmatchcase)."""

    def union(globs: tuple[str, ...]) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in globs)) if globs else None

    return union(sig.files), union(sig.libs)


class SignatureIndex:
    """All SDK and packer signatures, compiled for fast lookups."""

    def __init__(self, sdks: tuple[Signature, ...], packers: tuple[Signature, ...]) -> None:
        self.sdks = sdks
        self.packers = packers
        self._by_prefix: list[tuple[str, Signature]] = sorted(
            ((prefix, sig) for sig in sdks + packers for prefix in sig.prefixes),
            key=lambda item: -len(item[0]),
        )
        alternatives = [re.escape(prefix) for prefix, _sig in self._by_prefix]
        joined = "|".join(alternatives)
        self._third_party = re.compile(rf"(?:{joined})(?:[.$]|$)") if alternatives else None

    def code_prefix_pattern(self) -> str:
        """The regex readers match (``match``) against dotted package and class names."""
        parts: list[str] = []
        for prefix, _sig in self._by_prefix:
            parts.append(re.escape(prefix) + r"(?:[.$]|$)")
            package = _class_package(prefix)
            if package:
                # Readers may report package names only; the package of a stub class still counts.
                parts.append(re.escape(package) + "$")
        return "|".join(parts) if parts else r"(?!)"

    def is_third_party(self, evidence: Evidence) -> bool:
        """True when evidence comes from a known SDK/packer package or a vendored script directory."""
        if evidence.caller:
            dotted = dotted_from_caller(evidence.caller)
            if dotted and dotted.startswith(_PLATFORM_PACKAGES):
                return True
            if dotted and self._third_party and self._third_party.match(dotted):
                return True
        path = evidence.file.replace("\\", "/")
        if any(marker in path for marker in _VENDOR_DIRS):
            return True
        dex_path = path.replace("/", ".")
        return bool(self._third_party and path.count("/") >= 2 and self._third_party.match(dex_path))

    def _matches_name(self, sig: Signature, name: str) -> str | None:
        for prefix in sig.prefixes:
            if name == prefix or name.startswith((prefix + ".", prefix + "$")):
                return prefix
            if _class_package(prefix) == name:
                return prefix
        return None

    def _detect(self, signatures: tuple[Signature, ...], nodes: list[PackageFacts]) -> list[Detection]:
        found: dict[str, Detection] = {}
        for node in nodes:
            names = sorted(node.code_names)
            entries = [(entry, entry.rsplit("/", 1)[-1]) for entry in node.files]
            for sig in signatures:
                items: list[Evidence] = []
                for name in names:
                    prefix = self._matches_name(sig, name)
                    if prefix:
                        items.append(Evidence(node.path, "code", name, caller=None, invoked=False))
                        if len(items) >= _MAX_EVIDENCE:
                            break
                # One regex per signature instead of an fnmatch call per glob, entry and signature:
                # that loop was a third of a small APK's scan.
                file_re, lib_re = _entry_patterns(sig)
                hits = [
                    (entry, base)
                    for entry, base in entries
                    if (lib_re is not None and base.endswith(".so") and lib_re.match(base))
                    or (file_re is not None and file_re.match(entry))
                ]
                for entry, base in hits:
                    items.append(Evidence(entry, "entry", base))
                    if len(items) >= 2 * _MAX_EVIDENCE:
                        break
                if not items:
                    continue
                detection = found.setdefault(sig.name, Detection(sig.name, sig.category, sig.website))
                known = {(item.file, item.snippet) for item in detection.evidence}
                for item in items:
                    if (item.file, item.snippet) not in known and len(detection.evidence) < _MAX_EVIDENCE:
                        detection.evidence.append(item)
                        known.add((item.file, item.snippet))
        return sorted(found.values(), key=lambda det: (det.category, det.name))

    def detect_sdks(self, nodes: list[PackageFacts]) -> list[Detection]:
        return self._detect(self.sdks, nodes)

    def detect_packers(self, nodes: list[PackageFacts]) -> list[Detection]:
        return self._detect(self.packers, nodes)

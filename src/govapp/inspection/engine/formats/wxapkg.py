"""WeChat mini-program packages (.wxapkg) as the platform distributes them.

Layout, all integers big-endian: 0xBE, u32 info, u32 index length, u32 body length, 0xED,
then the index: u32 file count and per file u32 name length, the name, u32 offset (from the
start of the package), u32 size. Files are stored, never compressed. An encrypted PC-cache
package ("V1MMWX") is refused by detection before it gets here.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from ..errors import LimitExceeded, PackageError, UnsafePackage
from ..facts import VENDORED_KEY, Component, Interest, PackageFacts
from ..limits import Limits
from .detect import WXAPKG_FIRST_MARK, WXAPKG_LAST_MARK, detect_head, json_object, loads_lenient
from .sourcetext import strip_js_comments, strip_markup_comments
from .textscan import HitSink, ScanResult, decode_text, scan_text
from .vendored import vendored_reason

HEADER_SIZE = 14
_ENTRY_FIXED = 12  # name length + offset + size
_MAX_NAME = 4096
_MAX_LISTED_FILES = 10_000
_TEXT_SUFFIXES = {
    ".js": "script",
    ".html": "layout",
    ".wxml": "layout",
    ".json": "asset",
    ".wxs": "script",
    ".txt": "asset",
}
# Compiled bundles wrap each source module in define("pages/x/x.js", function(...){...}).
_DEFINE = re.compile(r"""define\(\s*["']([^"']{1,512})["']""")
# Installed packages: the source reader never reads them, so their compiled modules are no evidence either.
_INSTALLED = frozenset({"node_modules", "miniprogram_npm"})


def parse_index(data: bytes, label: str, limits: Limits) -> list[tuple[str, int, int]]:
    """The (name, offset, size) entries of a wxapkg, each checked against the package bounds."""
    if len(data) < HEADER_SIZE + 4:
        raise PackageError(
            f"{label}: wxapkg is truncated ({len(data)} bytes, header needs {HEADER_SIZE + 4})"
        )
    detect_head(data[:HEADER_SIZE], label)
    if data[0] != WXAPKG_FIRST_MARK or data[13] != WXAPKG_LAST_MARK:
        raise PackageError(f"{label}: not a wxapkg (header marks 0xBE ... 0xED are missing)")
    _info, index_length, body_length = struct.unpack_from(">III", data, 1)
    index_end = HEADER_SIZE + index_length
    if index_length < 4 or index_end > len(data):
        raise PackageError(
            f"{label}: wxapkg index length {index_length} does not fit the {len(data)}-byte package"
        )
    if index_end + body_length > len(data):
        raise PackageError(
            f"{label}: wxapkg is truncated (header announces {index_end + body_length} bytes, "
            f"file has {len(data)})"
        )
    (count,) = struct.unpack_from(">I", data, HEADER_SIZE)
    if count > limits.max_entries:
        raise LimitExceeded(
            f"{label}: wxapkg lists {count} files, more than the limit of {limits.max_entries}"
        )
    if count * (_ENTRY_FIXED + 1) > index_length - 4:
        raise PackageError(
            f"{label}: wxapkg lists {count} files, more than its {index_length}-byte index can hold"
        )
    entries: list[tuple[str, int, int]] = []
    seen: set[str] = set()
    pos = HEADER_SIZE + 4
    for number in range(count):
        if pos + 4 > index_end:
            raise PackageError(f"{label}: wxapkg index ends inside entry #{number}")
        (name_length,) = struct.unpack_from(">I", data, pos)
        pos += 4
        if name_length == 0 or name_length > _MAX_NAME or pos + name_length + 8 > index_end:
            raise PackageError(f"{label}: wxapkg entry #{number} has an impossible name length {name_length}")
        try:
            name = data[pos : pos + name_length].decode("utf-8")
        except UnicodeDecodeError:
            raise PackageError(f"{label}: wxapkg entry #{number} has a name that is not UTF-8") from None
        pos += name_length
        offset, size = struct.unpack_from(">II", data, pos)
        pos += 8
        if offset < index_end or offset + size > len(data):
            raise PackageError(
                f"{label}: wxapkg entry {name!r} points at bytes {offset}..{offset + size}, "
                f"outside the package body ({index_end}..{len(data)})"
            )
        clean = _clean_name(name, label)
        if clean in seen:
            raise UnsafePackage(f"{label}: wxapkg entry {clean!r} appears twice")
        seen.add(clean)
        entries.append((clean, offset, size))
    return entries


def _clean_name(name: str, label: str) -> str:
    """Entry names start with '/'; refuse any that would climb out of the package when unpacked."""
    if "\x00" in name or "\\" in name:
        raise UnsafePackage(f"{label}: wxapkg entry name {name!r} contains forbidden characters")
    parts = PurePosixPath(name).parts
    if ".." in parts:
        raise UnsafePackage(f"{label}: wxapkg entry name {name!r} points outside the package")
    clean = "/".join(p for p in parts if p not in ("/", "."))
    if not clean:
        raise PackageError(f"{label}: wxapkg entry name {name!r} is empty")
    return clean


def read_wxapkg(
    data: bytes, *, path: str, sha256: str, size: int, interest: Interest, limits: Limits
) -> PackageFacts:
    """Identity, pages and text/API hits of one wxapkg held in memory."""
    label = PurePosixPath(path).name or path
    entries = parse_index(data, label, limits)
    facts = PackageFacts(format="wxapkg", platform="wechat", path=path, sha256=sha256, size=size)
    view = memoryview(data)
    files = {name: (offset, length) for name, offset, length in entries}
    facts.files = [name for name, _o, _s in entries[:_MAX_LISTED_FILES]]
    if len(entries) > _MAX_LISTED_FILES:
        facts.notes.append(f"{len(entries)} files; only the first {_MAX_LISTED_FILES} are listed")

    config = _config(view, files, facts)
    _identity(facts, config)
    roots = sorted(
        {
            name.rsplit("/", 1)[0]
            for name in files
            if "/" in name and name.endswith(("app-service.js", "page-frame.js"))
        }
    )
    if roots:
        facts.extra["subpackages"] = roots
    if "app-config.json" not in files and not roots:
        facts.notes.append("no app-config.json: this looks like a subpackage; scan the main package too")

    sink = HitSink(facts, limits)
    for name, offset, length in entries:
        surface = _TEXT_SUFFIXES.get(PurePosixPath(name).suffix.lower())
        if surface is None:
            continue
        if name.endswith("app-config.json"):
            surface = "manifest"
        text = decode_text(bytes(view[offset : offset + length]))
        caller: str | None = None
        caller_at = None
        if surface == "script":
            _list_vendored_modules(text, facts)
            # Comments are no evidence, in source or compiled (the compiler may keep them).
            text = strip_js_comments(text)
            caller_at = _module_callers(text)
            if caller_at is None and name.endswith(".js") and not name.endswith("app-service.js"):
                caller = name.removesuffix(".js")
        elif surface == "layout":
            text = strip_markup_comments(text)
            # A page's compiled template names its page; the shared page-frame names none.
            if not name.endswith("page-frame.html"):
                caller = name.rsplit(".", 1)[0]
        result = scan_text(
            text, file=name, surface=surface, interest=interest, caller=caller, caller_at=caller_at
        )
        sink.add(_without_installed(result), name)
    return facts


def _config(view: memoryview, files: dict[str, tuple[int, int]], facts: PackageFacts) -> dict[str, Any]:
    location = files.get("app-config.json")
    if location is None:
        return {}
    offset, length = location
    value = loads_lenient(decode_text(bytes(view[offset : offset + length])))
    if not isinstance(value, dict):
        facts.notes.append("app-config.json is not a JSON object; pages and identity are unknown")
        return {}
    return value


def _identity(facts: PackageFacts, config: dict[str, Any]) -> None:
    account = json_object(config.get("accountInfo"))
    appid = config.get("appid") or config.get("appId") or account.get("appId") or account.get("appid")
    facts.id = appid.strip() if isinstance(appid, str) and appid.strip() else None
    name = account.get("nickname") or config.get("appname")
    facts.name = name.strip() if isinstance(name, str) and name.strip() else None
    if facts.id is None:
        facts.notes.append(
            "the wxapkg does not name its appid (app-config.json has none); match it to a filing by other means"
        )
    pages = config.get("pages")
    for page in pages if isinstance(pages, list) else []:
        if isinstance(page, str):
            facts.components.append(Component(kind="page", name=page.removesuffix(".html")))
    subs = config.get("subPackages") or config.get("subpackages")
    for sub in subs if isinstance(subs, list) else []:
        if isinstance(sub, dict) and isinstance(sub.get("root"), str):
            facts.extra.setdefault("declared_subpackages", []).append(sub["root"])
    permission = config.get("permission")
    if isinstance(permission, dict):
        facts.permissions.extend(str(k) for k in permission)
    infos = config.get("requiredPrivateInfos")
    if isinstance(infos, list):
        facts.permissions.extend(f"requiredPrivateInfos:{v}" for v in infos if isinstance(v, str))
    background = config.get("requiredBackgroundModes")
    if isinstance(background, list):
        facts.permissions.extend(f"requiredBackgroundModes:{v}" for v in background if isinstance(v, str))


def _list_vendored_modules(text: str, facts: PackageFacts) -> None:
    """Modules of a bundle that are somebody else's code, by their path (as the source reader decides)."""
    if "define(" not in text:
        return
    for match in _DEFINE.finditer(text):
        module = match.group(1)
        # Path only: compiled app modules are minified too, so the content says nothing.
        reason = vendored_reason(module, "")
        if reason is not None:
            facts.extra.setdefault(VENDORED_KEY, {})[module.removesuffix(".js")] = reason


def _without_installed(result: ScanResult) -> ScanResult:
    def installed(caller: str | None) -> bool:
        return caller is not None and caller.split("/", 1)[0] in _INSTALLED

    result.texts = [hit for hit in result.texts if not installed(hit.evidence.caller)]
    result.apis = [hit for hit in result.apis if not installed(hit.evidence.caller)]
    return result


def _module_callers(text: str) -> Callable[[int], str | None] | None:
    """The module a bundle offset belongs to: the nearest ``define("path", ...)`` before it."""
    if "define(" not in text:
        return None

    def caller_at(offset: int) -> str | None:
        # Searching back from each hit costs only as much as there are hits, unlike indexing
        # every define() of a 40 MB bundle up front.
        position = text.rfind("define(", 0, offset)
        while position >= 0:
            match = _DEFINE.match(text, position)
            if match is not None:
                return match.group(1).removesuffix(".js")
            position = text.rfind("define(", 0, position)
        return None

    return caller_at

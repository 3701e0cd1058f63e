"""Mini-program SOURCE (WeChat native, uni-app, Alipay) and H5 web apps, as a directory or a zip.

Filers often cannot produce a platform package (the platform compiles and hosts it), so the
source tree is what the technical test sees. Identity comes from the project files; every
template, script and JSON file is a text surface; ``wx.*`` / ``uni.*`` / ``my.*`` calls are API hits.
An H5 app (Vue, React, plain HTML/JS, or its built ``dist/``) is read the same way, with its name
and version from ``package.json``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import LimitExceeded, PackageError
from ..facts import VENDORED_KEY, Component, Interest, PackageFacts
from ..limits import Limits
from ..safezip import SafeZip
from .detect import json_object, loads_lenient, miniprogram_root, web_root
from .sourcetext import strip_component_comments, strip_js_comments, strip_markup_comments
from .textscan import HitSink, decode_text, scan_text
from .vendored import vendored_reason

_SKIP_DIRS = frozenset({"node_modules", "unpackage", "miniprogram_npm"})
_LAYOUT = frozenset({".wxml", ".axml", ".swan", ".ttml", ".qml", ".html", ".htm", ".ftl", ".jsp", ".ejs"})
_SCRIPT = frozenset({".js", ".ts", ".mjs", ".cjs", ".wxs", ".sjs", ".jsx", ".tsx"})
_VUE = frozenset({".vue", ".nvue", ".uvue"})
_PROJECT_JSON = frozenset(
    {
        "app.json",
        "project.config.json",
        "project.private.config.json",
        "mini.project.json",
        "pages.json",
        "manifest.json",
    }
)
_MAX_LISTED_FILES = 10_000
# Source files are small; anything larger is generated or vendored and scanned only up to this.
_MAX_TEXT_FILE = 16 * 1024**2
_TEMPLATE_OPEN = re.compile(r"<template\b", re.IGNORECASE)


@dataclass(slots=True)
class _SourceFile:
    rel: str
    size: int
    load: Callable[[], bytes]


def read_miniprogram(
    root: Path | SafeZip,
    *,
    path: str,
    sha256: str,
    size: int,
    interest: Interest,
    limits: Limits,
    web: bool = False,
) -> PackageFacts:
    """Read mini-program (or, ``web``, H5 app) source; for a directory, sha256 and size describe the files read."""
    notes: list[str] = []
    files = list(
        _dir_files(root, limits, notes) if isinstance(root, Path) else _zip_files(root, limits, web=web)
    )
    by_rel = {f.rel: f for f in files}
    if web:
        facts = PackageFacts(format="h5", platform="web", path=path, sha256=sha256, size=size)
        facts.notes.extend(notes)
        _identity_web(facts, by_rel)
    else:
        project = _load_project_files(by_rel, notes)
        platform = _platform(by_rel, project)
        facts = PackageFacts(format="miniprogram", platform=platform, path=path, sha256=sha256, size=size)
        facts.notes.extend(notes)
        _identity(facts, project)
    sink = HitSink(facts, limits)
    digest = hashlib.sha256()
    total = 0
    for index, source in enumerate(sorted(files, key=lambda f: f.rel)):
        if index < _MAX_LISTED_FILES:
            facts.files.append(source.rel)
        data = _load_capped(source, facts)
        total += len(data)
        digest.update(source.rel.encode("utf-8", "surrogatepass") + b"\0" + hashlib.sha256(data).digest())
        scan_source_file(source.rel, data, facts, sink, interest)
    if len(files) > _MAX_LISTED_FILES:
        facts.notes.append(f"{len(files)} files; only the first {_MAX_LISTED_FILES} are listed")
    if isinstance(root, Path):
        facts.sha256 = digest.hexdigest()
        facts.size = total
        facts.extra["sha256_method"] = "sha256 over sorted (relative path, sha256 of content) pairs"
    return facts


def _dir_files(root: Path, limits: Limits, notes: list[str]) -> Iterator[_SourceFile]:
    real_root = root.resolve()
    count = 0
    total = 0
    for current, dirnames, filenames in os.walk(root, followlinks=False, onerror=None):
        here = Path(current)
        kept = []
        for name in sorted(dirnames):
            if name.startswith(".") or name in _SKIP_DIRS:
                continue
            if (here / name).is_symlink():
                notes.append(f"{_rel(here / name, root)}: symbolic link to a directory, not followed")
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = here / name
            rel = _rel(full, root)
            if full.is_symlink():
                target = full.resolve()
                if not target.is_relative_to(real_root) or not target.is_file():
                    notes.append(f"{rel}: symbolic link leading outside the project, ignored")
                    continue
            try:
                file_size = full.stat().st_size
            except OSError:
                notes.append(f"{rel}: cannot be read, ignored")
                continue
            if not full.is_file():
                continue
            count += 1
            if count > limits.max_entries:
                raise LimitExceeded(f"{root.name}: more than {limits.max_entries} files in the project")
            total += file_size
            if total > limits.max_total_uncompressed:
                raise LimitExceeded(
                    f"{root.name}: project files exceed {limits.max_total_uncompressed} bytes in all"
                )
            yield _SourceFile(rel, file_size, _file_loader(full, limits))


def _rel(full: Path, root: Path) -> str:
    return full.relative_to(root).as_posix()


def _file_loader(full: Path, limits: Limits) -> Callable[[], bytes]:
    def load() -> bytes:
        try:
            with full.open("rb") as handle:
                return handle.read(min(limits.max_entry_size, _MAX_TEXT_FILE) + 1)
        except OSError as exc:
            raise PackageError(f"{full.name}: cannot be read ({exc.strerror or exc})") from None

    return load


def _zip_files(archive: SafeZip, limits: Limits, *, web: bool) -> Iterator[_SourceFile]:
    prefix = web_root(archive) if web else miniprogram_root(archive.names())
    if prefix is None:
        what = (
            "index.html with scripts or package.json"
            if web
            else "app.json, project.config.json or pages.json"
        )
        raise PackageError(f"{archive.label}: no {what} in the zip")
    for name in archive.names():
        if not name.startswith(prefix):
            continue
        rel = name[len(prefix) :]
        parts = PurePosixPath(rel).parts
        if any(p.startswith(".") or p in _SKIP_DIRS for p in parts):
            continue
        info = archive.info(name)
        yield _SourceFile(rel, info.file_size, _zip_loader(archive, name, limits))


def _zip_loader(archive: SafeZip, name: str, limits: Limits) -> Callable[[], bytes]:
    def load() -> bytes:
        info = archive.info(name)
        if info.file_size > _MAX_TEXT_FILE:
            chunks: list[bytes] = []
            size = 0
            for chunk in archive.iter_chunks(name):
                chunks.append(chunk)
                size += len(chunk)
                if size > _MAX_TEXT_FILE:
                    break
            return b"".join(chunks)
        return archive.read(name)

    return load


def _load_capped(source: _SourceFile, facts: PackageFacts) -> bytes:
    data = source.load()
    if len(data) > _MAX_TEXT_FILE:
        facts.notes.append(f"{source.rel}: larger than {_MAX_TEXT_FILE} bytes; only the start was scanned")
        data = data[:_MAX_TEXT_FILE]
    return data


def _load_project_files(by_rel: dict[str, _SourceFile], notes: list[str]) -> dict[str, dict[str, Any]]:
    project: dict[str, dict[str, Any]] = {}
    for name in sorted(_PROJECT_JSON):
        source = by_rel.get(name)
        if source is None:
            continue
        text = decode_text(source.load()[:_MAX_TEXT_FILE])
        value = loads_lenient(text)
        if isinstance(value, dict):
            project[name] = value
        else:
            notes.append(f"{name}: not a valid JSON object; identity from it is unknown")
    return project


def _platform(by_rel: dict[str, _SourceFile], project: dict[str, dict[str, Any]]) -> str:
    if "pages.json" in project and "manifest.json" in project:
        return "uniapp"
    if "mini.project.json" in project or any(rel.endswith(".axml") for rel in by_rel):
        return "alipay"
    return "wechat"


def _identity(facts: PackageFacts, project: dict[str, dict[str, Any]]) -> None:
    if facts.platform == "uniapp":
        _identity_uniapp(facts, project)
    else:
        _identity_native(facts, project)
    if facts.id is None:
        facts.notes.append(
            "no appid in the project files; the mini-program cannot be matched to a filing by id"
        )


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _identity_native(facts: PackageFacts, project: dict[str, dict[str, Any]]) -> None:
    config = project.get("project.config.json", {})
    private = project.get("project.private.config.json", {})
    app = project.get("app.json", {})
    facts.id = _text(config.get("appid")) or _text(private.get("appid"))
    if facts.id in ("touristappid", "wxtouristappid"):
        facts.notes.append("project.config.json uses the WeChat tourist appid, not a real one")
        facts.id = None
    window = json_object(app.get("window"))
    facts.name = (
        _text(config.get("projectname"))
        or _text(private.get("projectname"))
        or _text(window.get("navigationBarTitleText"))
        or _text(window.get("defaultTitle"))
    )
    facts.version = _text(config.get("version"))
    _pages_from_app_json(facts, app)
    _permissions_from_app_json(facts, app)


def _pages_from_app_json(facts: PackageFacts, app: dict[str, Any]) -> None:
    pages = app.get("pages")
    for page in pages if isinstance(pages, list) else []:
        if isinstance(page, str):
            facts.components.append(Component(kind="page", name=page))
    for key in ("subpackages", "subPackages"):
        subs = app.get(key)
        for sub in subs if isinstance(subs, list) else []:
            if not isinstance(sub, dict):
                continue
            root = _text(sub.get("root")) or ""
            sub_pages = sub.get("pages")
            for page in sub_pages if isinstance(sub_pages, list) else []:
                if isinstance(page, str):
                    facts.components.append(
                        Component(kind="page", name=f"{root.rstrip('/')}/{page}".lstrip("/"))
                    )


def _permissions_from_app_json(facts: PackageFacts, app: dict[str, Any]) -> None:
    permission = app.get("permission")
    if isinstance(permission, dict):
        facts.permissions.extend(str(k) for k in permission)
    infos = app.get("requiredPrivateInfos")
    if isinstance(infos, list):
        facts.permissions.extend(f"requiredPrivateInfos:{v}" for v in infos if isinstance(v, str))
    background = app.get("requiredBackgroundModes")
    if isinstance(background, list):
        facts.permissions.extend(f"requiredBackgroundModes:{v}" for v in background if isinstance(v, str))


def _identity_web(facts: PackageFacts, by_rel: dict[str, _SourceFile]) -> None:
    # A web app has no platform id: its name and version come from package.json when there is one.
    source = by_rel.get("package.json")
    package = loads_lenient(decode_text(source.load()[:_MAX_TEXT_FILE])) if source else None
    if isinstance(package, dict):
        facts.name = _text(package.get("name"))
        facts.version = _text(package.get("version"))
    facts.notes.append("an H5 web app has no platform id; it is matched to a filing by name only")


def _identity_uniapp(facts: PackageFacts, project: dict[str, dict[str, Any]]) -> None:
    manifest = project.get("manifest.json", {})
    weixin = json_object(manifest.get("mp-weixin"))
    alipay = json_object(manifest.get("mp-alipay"))
    facts.id = _text(weixin.get("appid")) or _text(alipay.get("appid")) or _text(manifest.get("appid"))
    facts.name = _text(manifest.get("name"))
    facts.version = _text(manifest.get("versionName"))
    facts.version_code = _text(manifest.get("versionCode"))
    uni_appid = _text(manifest.get("appid"))
    if uni_appid:
        facts.extra["uni_appid"] = uni_appid
    if _text(weixin.get("appid")):
        facts.extra["weixin_appid"] = _text(weixin.get("appid"))
    _permissions_from_app_json(facts, weixin)
    plus = json_object(manifest.get("app-plus"))
    distribute = json_object(plus.get("distribute"))
    android = json_object(distribute.get("android"))
    declared = android.get("permissions")
    for entry in declared if isinstance(declared, list) else []:
        if isinstance(entry, str):
            facts.permissions.extend(re.findall(r'android:name\s*=\s*"([^"]+)"', entry))
    pages_json = project.get("pages.json", {})
    pages = pages_json.get("pages")
    for page in pages if isinstance(pages, list) else []:
        if isinstance(page, dict) and _text(page.get("path")):
            facts.components.append(Component(kind="page", name=str(_text(page.get("path")))))
    subs = pages_json.get("subPackages") or pages_json.get("subpackages")
    for sub in subs if isinstance(subs, list) else []:
        if not isinstance(sub, dict):
            continue
        root = _text(sub.get("root")) or ""
        sub_pages = sub.get("pages")
        for page in sub_pages if isinstance(sub_pages, list) else []:
            if isinstance(page, dict) and _text(page.get("path")):
                name = f"{root.rstrip('/')}/{_text(page.get('path'))}".lstrip("/")
                facts.components.append(Component(kind="page", name=name))


def strip_comments(text: str, suffix: str) -> str:
    """The file's text with its comments blanked, by the language its suffix names."""
    if suffix in _VUE:
        return strip_component_comments(text)
    if suffix in _LAYOUT:
        return strip_markup_comments(text)
    if suffix in _SCRIPT or suffix == ".json":
        return strip_js_comments(text)
    return text


def scan_source_file(rel: str, data: bytes, facts: PackageFacts, sink: HitSink, interest: Interest) -> None:
    """Hits of one source file (template, script, component, JSON, text); vendored files are listed."""
    suffix = PurePosixPath(rel).suffix.lower()
    if suffix in _LAYOUT:
        surface = "layout"
    elif suffix in _SCRIPT or suffix in _VUE:
        surface = "script"
    elif suffix == ".json":
        surface = "manifest" if rel in _PROJECT_JSON else "asset"
    elif suffix in (".txt", ".md", ".xml"):
        surface = "asset"
    else:
        return
    text = decode_text(data)
    reason = vendored_reason(rel, text, web_app=facts.format == "h5")
    if reason is not None:
        facts.extra.setdefault(VENDORED_KEY, {})[rel] = reason
    else:
        # A vendored file's evidence is discounted anyway; its comments are not worth the time.
        text = strip_comments(text, suffix)
    caller = rel.rsplit(".", 1)[0] if surface in ("layout", "script") else None
    result = scan_text(text, file=rel, surface=surface, interest=interest, caller=caller)
    if suffix in _VUE:
        # A single-file component: text inside its <template> block is layout text, the rest is script.
        opened = _TEMPLATE_OPEN.search(text)
        closed = text.lower().rfind("</template>")
        if opened and closed > opened.start():
            first = text.count("\n", 0, opened.start()) + 1
            last = first + text.count("\n", opened.start(), closed)
            for hit in result.texts:
                if first <= int(hit.evidence.location.split()[-1]) <= last:
                    hit.surface = "layout"
    sink.add(result, rel)

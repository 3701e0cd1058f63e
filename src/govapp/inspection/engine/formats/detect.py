"""Which package format a file is, decided by its structure and never by its file name.

Units rename packages freely (``app.zip``, ``release.bin``), so the name says nothing;
the zip directory, a few small JSON manifests and magic bytes say everything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import EncryptedPackage, PackageError, UnsupportedFormat
from ..safezip import SafeZip, is_zip

SUPPORTED = (
    "Supported formats: Android APK, APK bundles (.apks, .xapk), HarmonyOS HAP and .app, "
    "iOS .ipa, WeChat .wxapkg, quick app .rpk/.rpks, mini-program source (WeChat, uni-app, Alipay) "
    "as a directory or zip, and H5 web apps (Vue, React, plain HTML/JS, a built dist/) as a directory or zip."
)

WXAPKG_FIRST_MARK = 0xBE
WXAPKG_LAST_MARK = 0xED
WXAPKG_ENCRYPTED_MAGIC = b"V1MMWX"

# Small JSON manifests are read whole to classify; anything larger is not a manifest we know.
_MANIFEST_CAP = 1024 * 1024

MINIPROGRAM_MARKERS = ("app.json", "project.config.json", "mini.project.json")
# An iOS app: its bundle directory under Payload/ with the bundle's Info.plist (group 1: ``<name>.app``).
APP_INFO_PLIST = re.compile(r"^Payload/([^/]+\.app)/Info\.plist$")


def detect_head(head: bytes, label: str) -> str | None:
    """Classify a non-zip file from its first bytes: ``wxapkg`` or None; refuses encrypted wxapkg."""
    if head.startswith(WXAPKG_ENCRYPTED_MAGIC):
        raise EncryptedPackage(
            f"{label}: this is an encrypted WeChat PC-cache package (V1MMWX); "
            "submit the original .wxapkg or the mini-program source instead"
        )
    if len(head) >= 14 and head[0] == WXAPKG_FIRST_MARK and head[13] == WXAPKG_LAST_MARK:
        return "wxapkg"
    if 0 < len(head) < 14 and head[0] == WXAPKG_FIRST_MARK:
        return "wxapkg"  # too short to tell for sure: the wxapkg reader reports it as truncated
    return None


def _basenames(names: Iterable[str]) -> set[str]:
    return {PurePosixPath(n).name for n in names}


def read_json_entry(archive: SafeZip, name: str) -> dict[str, Any] | None:
    """A small JSON object entry, or None when it is missing, too big or not a JSON object."""
    if name not in archive:
        return None
    if archive.info(name).file_size > _MANIFEST_CAP:
        return None
    try:
        text = archive.read(name, _MANIFEST_CAP).decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    value = loads_lenient(text)
    return value if isinstance(value, dict) else None


_JSON_TOKENS = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/|,(?=\s*[}\]])', re.DOTALL)


def loads_lenient(text: str) -> Any:
    """JSON as project files really are (uni-app's manifest.json has comments, trailing commas); None if invalid."""

    def keep_strings(match: re.Match[str]) -> str:
        token = match.group(0)
        return token if token.startswith('"') else ""

    try:
        return json.loads(_JSON_TOKENS.sub(keep_strings, text.lstrip("\ufeff")))
    except (ValueError, RecursionError):
        return None


def json_object(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one: project files may put anything anywhere."""
    return value if isinstance(value, dict) else {}


def is_quickapp_manifest(manifest: dict[str, Any]) -> bool:
    """A quick-app manifest names its package plus at least one field only quick apps use."""
    if not isinstance(manifest.get("package"), str):
        return False
    return any(key in manifest for key in ("minPlatformVersion", "features", "router", "versionCode"))


def miniprogram_root(names: Iterable[str]) -> str | None:
    """The folder prefix ('' or 'proj/') holding a mini-program project's markers, or None.

    Zips made by "compress folder" wrap the project in one top folder, so one level of
    nesting is accepted; deeper searching would mistake vendored sub-projects for the root.
    """
    listed = set(names)
    for prefix in _candidate_prefixes(listed):
        if any(prefix + marker in listed for marker in MINIPROGRAM_MARKERS):
            return prefix
        if prefix + "pages.json" in listed and prefix + "manifest.json" in listed:
            return prefix
    return None


def _candidate_prefixes(names: set[str]) -> list[str]:
    tops = {n.split("/", 1)[0] for n in names if "/" in n}
    prefixes = [""]
    if len(tops) == 1 and not any("/" not in n for n in names):
        prefixes.append(next(iter(tops)) + "/")
    return prefixes


def detect_archive(archive: SafeZip) -> str:
    """The format of a zip-based package; raises UnsupportedFormat when it is none we know."""
    names = archive.names()
    name_set = set(names)
    bases = _basenames(names)
    lower = [n.lower() for n in names]
    apk_entries = [n for n in lower if n.endswith(".apk")]

    if "AndroidManifest.xml" in name_set and ("resources.arsc" in name_set or any(_is_dex(n) for n in names)):
        return "apk"
    if apk_entries:
        if "toc.pb" in name_set or "base.apk" in bases or "base-master.apk" in bases:
            return "apks"
        manifest = read_json_entry(archive, "manifest.json")
        if manifest is not None and ("split_apks" in manifest or "package_name" in manifest):
            return "xapk"
    if ("module.json" in name_set or "config.json" in name_set) and (
        "pack.info" in name_set or "resources.index" in name_set or any(n.endswith(".abc") for n in lower)
    ):
        return "hap"
    if "pack.info" in name_set and any(n.endswith(".hap") for n in lower):
        return "app"
    if any(APP_INFO_PLIST.match(n) for n in names):
        return "ipa"
    if "manifest.json" in name_set and any(n.endswith(".js") for n in lower):
        manifest = read_json_entry(archive, "manifest.json")
        if manifest is not None and is_quickapp_manifest(manifest):
            return "rpk"
    top_files = [n for n in lower if "/" not in n]
    if top_files and any(n.endswith(".rpk") for n in top_files) and miniprogram_root(names) is None:
        return "rpks"
    if miniprogram_root(names) is not None:
        return "miniprogram"
    if web_root(archive) is not None:
        return "h5"
    raise UnsupportedFormat(f"{archive.label}: not a package format we recognise. {SUPPORTED}")


# Where a web (H5) project keeps its entry page: the root, a Vue/React public/ or src/, a built dist/,
# Cordova/Ionic www/, or a Java web app's static and template folders.
H5_ENTRY_DIRS = ("", "public/", "src/", "dist/", "www/", "build/", "src/main/resources/static/")
H5_TEMPLATE_DIRS = ("src/main/resources/templates", "src/main/webapp", "templates")


_WEB_SCRIPTS = (".js", ".mjs", ".ts", ".jsx", ".tsx", ".vue")
_INDEX_CAP = 256 * 1024


def web_root(archive: SafeZip) -> str | None:
    """The folder prefix ('' or 'top/') of an H5 web app in a zip, or None.

    An entry page (``index.html`` at the root or in a usual entry folder) with script beside it
    (a script file in the zip, or a ``<script>`` in the page), or a ``package.json`` with Vue/React
    components or pages. Mini-program, APK, HAP and quick-app markers are checked before this.
    """
    names = archive.names()
    listed = set(names)
    for prefix in _candidate_prefixes(listed):
        inside = [n for n in names if n.startswith(prefix)]
        has_script = any(n.lower().endswith(_WEB_SCRIPTS) for n in inside)
        for folder in H5_ENTRY_DIRS:
            page = prefix + folder + "index.html"
            if page in listed and (has_script or _has_script_tag(archive, page)):
                return prefix
        if prefix + "package.json" in listed and any(
            n.lower().endswith((".vue", ".jsx", ".tsx", ".html")) for n in inside
        ):
            return prefix
    return None


def _has_script_tag(archive: SafeZip, name: str) -> bool:
    try:
        for chunk in archive.iter_chunks(name, _INDEX_CAP):
            return b"<script" in chunk.lower()
    except PackageError:
        return False
    return False


def detect_directory(root: Path) -> str:
    """Mini-program source (``miniprogram``) or a web app's source or build (``h5``); refuses the rest."""
    if any((root / marker).is_file() for marker in MINIPROGRAM_MARKERS):
        return "miniprogram"
    if (root / "pages.json").is_file() and (root / "manifest.json").is_file():
        return "miniprogram"
    if (root / "package.json").is_file() or any((root / f"{d}index.html").is_file() for d in H5_ENTRY_DIRS):
        return "h5"
    if any((root / d).is_dir() for d in H5_TEMPLATE_DIRS):
        return "h5"
    raise UnsupportedFormat(
        f"{root.name or root}: directory has no app.json, project.config.json, mini.project.json "
        f"or pages.json + manifest.json, so it is not mini-program source, and no package.json or "
        f"index.html of a web app. {SUPPORTED}"
    )


def _is_dex(name: str) -> bool:
    return "/" not in name and name.startswith("classes") and name.endswith(".dex")


def detect_bytes_kind(head: bytes, label: str) -> str:
    """``zip`` or ``wxapkg`` from the first bytes; UnsupportedFormat otherwise."""
    if is_zip(head):
        return "zip"
    kind = detect_head(head, label)
    if kind is not None:
        return kind
    raise UnsupportedFormat(f"{label}: not a package format we recognise. {SUPPORTED}")

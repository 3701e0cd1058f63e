"""Which files of a source tree are not the app's own: vendored libraries, typings, documentation.

Their words and calls are somebody else's (a map SDK calls ``getLocation``, a UI kit's demo says
上传图片, a README describes a 排行榜 that the code may not have), so a finding can never rest on
them. Decided by path and by a look at the file's start (licence headers, minified bundles).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# Directories whose content is installed or copied from elsewhere.
_VENDOR_DIRS = frozenset(
    {
        "node_modules",
        "miniprogram_npm",
        "uni_modules",
        "typings",
        "@types",
        "vendor",
        "vendors",
        "third_party",
        "thirdparty",
        "docs",
        "doc",
        "uview-ui",
        "uview-plus",
        "vant-weapp",
        "vant",
        "colorui",
        "wxparse",
        "towxml",
        "ec-canvas",
        "echarts",
        "lime-echart",
        "thorui",
        "tui",
        "iview",
        "weui",
        "wux",
        "mp-html",
        "u-charts",
        "ucharts",
    }
)
# Known SDKs and libraries by file name (lower case, without extension).
_VENDOR_FILE = re.compile(
    r"qqmap-wx-jssdk|amap-wx|bmap-wx|baidu-?map-wx|wx-?jssdk|jweixin|"
    r"ald-stat|umtrack|uma(?:\.min)?$|mtj-wx-sdk|sensorsdata|tdweapp|gio-minp|growingio|"
    r"sdk[.-]?\d|[.-]sdk$|^sdk$|lodash|^moment(?:-with-locales)?$|^dayjs$|crypto-js|md5|sha1|base64|mqtt|socket\.io|"
    r"runtime|polyfill|regenerator|promise-polyfill|es6-promise|wxparse|html2json|htmlparser|"
    r"qrcode|weapp-qrcode|barcode|echarts|wxcharts|u-charts|^f2$|^canvas2d$|^painter$|we-cropper|"
    r"vue(?:\.runtime)?(?:\.common|\.esm)?$|jquery|zepto|^axios$|flyio|mockjs",
    re.IGNORECASE,
)
_DOC_FILE = re.compile(r"^(?:readme|changelog|changes|license|licence|contributing|history)\b", re.IGNORECASE)
_DOC_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".rst"})
_LICENCE_HEADER = re.compile(
    r"@license|@preserve|\bcopyright\s*(?:\(c\)|©)|\(c\)\s*(?:19|20)\d\d|\bMIT License\b|"
    r"Licensed under the|Released under the MIT",
    re.IGNORECASE,
)
_HEAD = 1500
# A built web app's own code is minified too: its entry and page chunks are the app's.
_APP_BUNDLE = re.compile(r"^(?:app|main|index\.[0-9a-f]{6,}|chunk-(?!vendors)|pages?[-_.])", re.IGNORECASE)
# Chunks a web build splits off for libraries, by the names bundlers give them (webpack's
# chunk-vendors, Vite/Rollup manualChunks "vendor", Next.js "framework", polyfills, runtime).
_VENDOR_CHUNK = re.compile(
    r"vendors?(?![a-z])|chunk-(?:libs|elementui|element|vant|echarts|antd|commons)|^framework\b|polyfills?|^npm[.-]",
    re.IGNORECASE,
)
# Top folders of a built web app: dist/, build/, Cordova www/; and of a dist zipped at its root,
# where only content-hashed names (webpack's hex, Vite's eight characters) are chunks. The minified
# chunks there are the app's own unless their names say they are libraries.
_BUILD_OUTPUT = frozenset({"dist", "build", "www"})
_BUILD_ASSETS = frozenset({"assets", "static", "js"})
_HASHED_CHUNK = re.compile(r"[.-](?:[0-9a-f]{8,}|[A-Za-z0-9_]{8})(?:\.chunk)?\.m?js$")
# Minified: long lines, few of them. Hand-written source rarely has a line of 2,000 characters.
_MINIFIED_MIN_SIZE = 8_000
_MINIFIED_LINE = 2_000


def vendored_reason(rel: str, text: str, *, web_app: bool = False) -> str | None:
    """Why ``rel`` (with content ``text``) is not the app's own code, or None when it is.

    ``web_app``: the file belongs to an H5 web app, whose built chunks (in ``dist/``, or hashed in
    ``assets/``) are its own code. A mini-program's minified files never are: a committed
    ``dist/`` there is compiled output with the libraries merged in."""
    path = PurePosixPath(rel.replace("\\", "/"))
    lowered = [part.lower() for part in path.parts[:-1]]
    for part in lowered:
        if part in _VENDOR_DIRS:
            return f"vendored directory {part}/"
    name = path.name.lower()
    if name.endswith(".d.ts"):
        return "TypeScript typings"
    if path.suffix.lower() in _DOC_SUFFIXES or _DOC_FILE.match(name):
        return "documentation"
    stem = name.split(".", 1)[0] if not name.endswith(".min.js") else name[: -len(".min.js")]
    if name.endswith((".min.js", ".min.mjs", "-min.js")):
        return "minified library"
    if _VENDOR_FILE.search(stem) and path.suffix.lower() in {".js", ".ts", ".mjs", ".cjs", ".wxs"}:
        return "known library or SDK"
    if path.suffix.lower() in {".js", ".mjs", ".cjs"}:
        if _LICENCE_HEADER.search(text, 0, _HEAD):
            return "library with a licence header"
        if len(text) >= _MINIFIED_MIN_SIZE and _is_minified(text):
            if _VENDOR_CHUNK.search(name):
                return "library chunk of a web build"
            if not _APP_BUNDLE.match(stem) and not (web_app and _built_chunk(lowered, path.name)):
                return "minified bundle"
    return None


def _built_chunk(folders: list[str], name: str) -> bool:
    """A chunk a bundler wrote: anything in a build folder, or a content-hashed name in an assets folder."""
    if not folders:
        return _HASHED_CHUNK.search(name) is not None
    if folders[0] in _BUILD_OUTPUT:
        return True
    return folders[0] in _BUILD_ASSETS and _HASHED_CHUNK.search(name) is not None


def _is_minified(text: str) -> bool:
    lines = text.count("\n") + 1
    if len(text) / lines >= _MINIFIED_LINE / 4:
        return True
    return any(len(line) >= _MINIFIED_LINE for line in text[:200_000].split("\n")[:50])

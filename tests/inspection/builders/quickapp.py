"""Writers for quick-app fixtures: .rpk and .rpks."""

from __future__ import annotations

import json
from typing import Any

from .common import Files, make_certificate, pkcs7, zip_bytes


def quickapp_manifest(
    package: str = "gov.example.quickapp",
    *,
    features: tuple[str, ...] = ("system.geolocation", "system.media"),
) -> dict[str, Any]:
    return {
        "package": package,
        "name": "随手拍上报",
        "versionName": "1.0.3",
        "versionCode": 4,
        "minPlatformVersion": 1070,
        "features": [{"name": f} for f in features],
        "router": {
            "entry": "Home",
            "pages": {"Home": {"component": "index"}, "Report": {"component": "index"}},
        },
    }


DEFAULT_SCRIPTS: Files = {
    "app.js": "var app = {}; module.exports = app;\n",
    "Home/index.js": "var t = { text: '欢迎' };\n",
    "Report/index.js": (
        "var g = $app_require$('@app-module/system.geolocation');\n"
        "var m = $app_require$('@app-module/system.media');\n"
        "function report() { g.getLocation({}); m.takePhoto({}); return '强制上传工作照片'; }\n"
    ),
}


def rpk(
    manifest: dict[str, Any] | None = None, *, scripts: Files | None = None, signed: bool = True
) -> bytes:
    files: Files = {"manifest.json": json.dumps(manifest or quickapp_manifest(), ensure_ascii=False)}
    files.update(DEFAULT_SCRIPTS if scripts is None else scripts)
    if signed:
        files["META-INF/CERT"] = pkcs7(None, [make_certificate("Quick App Developer")])
    return zip_bytes(files)


def rpks(parts: dict[str, bytes]) -> bytes:
    return zip_bytes(dict(parts), compress=False)

"""Writers for WeChat fixtures: .wxapkg packages and mini-program source trees."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

from .common import Files, as_bytes, zip_bytes


def wxapkg(files: Files) -> bytes:
    """A .wxapkg: 0xBE, info, index length, body length, 0xED, count, entries, bodies (big-endian)."""
    encoded = [(("/" + name.lstrip("/")).encode(), as_bytes(content)) for name, content in files.items()]
    index_length = 4 + sum(4 + len(name) + 8 for name, _ in encoded)
    offset = 14 + index_length
    index = struct.pack(">I", len(encoded))
    body = b""
    for name, content in encoded:
        index += struct.pack(">I", len(name)) + name + struct.pack(">II", offset + len(body), len(content))
        body += content
    return bytes([0xBE]) + struct.pack(">III", 0, index_length, len(body)) + bytes([0xED]) + index + body


def encrypted_pc_wxapkg() -> bytes:
    return b"V1MMWX" + bytes(range(256)) * 4


WECHAT_PROJECT: Files = {
    "project.config.json": json.dumps({"appid": "wx0123456789abcdef", "projectname": "社区网格通"}),
    "app.json": json.dumps(
        {
            "pages": ["pages/index/index", "pages/checkin/checkin"],
            "subpackages": [{"root": "stats", "pages": ["pages/rank/rank"]}],
            "permission": {"scope.userLocation": {"desc": "用于打卡定位"}},
            "requiredPrivateInfos": ["getLocation"],
        },
        ensure_ascii=False,
    ),
    "app.js": "App({ onLaunch() { wx.login({ success() {} }) } })\n",
    "pages/index/index.wxml": "<view class='title'>通知公告</view>\n",
    "pages/index/index.js": "Page({ data: { notice: '欢迎使用' } })\n",
    "pages/checkin/checkin.wxml": "<view>\n  <button bindtap='checkin'>每日打卡签到</button>\n</view>\n",
    "pages/checkin/checkin.js": (
        "Page({\n  checkin() {\n    wx.getLocation({ type: 'gcj02', success: (r) => this.upload(r) })\n  },\n"
        "  upload(r) { wx.uploadFile({ url: 'http://10.0.0.8/api/track', filePath: r.path, name: 'f' }) }\n})\n"
    ),
    "stats/pages/rank/rank.wxml": "<view>积分排名 第{{rank}}名</view>\n",
    "node_modules/lib/index.js": "wx.getLocation({}) // 打卡 vendored code must be skipped\n",
    ".git/config": "[core]\n",
}

UNIAPP_PROJECT: Files = {
    "manifest.json": (
        '{\n  // uni-app manifests carry comments\n  "name": "智慧党建",\n  "appid": "__UNI__ABCDEF1",\n'
        '  "versionName": "2.1.0",\n  "versionCode": "210",\n'
        '  "mp-weixin": { "appid": "wxfedcba9876543210", "requiredPrivateInfos": ["chooseLocation"] },\n'
        '  "app-plus": { "distribute": { "android": { "permissions": '
        '["<uses-permission android:name=\\"android.permission.CAMERA\\"/>"] } } },\n}\n'
    ),
    "pages.json": json.dumps({"pages": [{"path": "pages/study/study"}], "subPackages": []}),
    "pages/study/study.vue": (
        "<template>\n  <view>学习时长排行榜</view>\n</template>\n<script>\nexport default {\n"
        "  methods: { snap() { uni.chooseImage({ sourceType: ['camera'] }) } }\n}\n</script>\n"
    ),
    "unpackage/dist/build/app.js": "uni.chooseImage() // build output must be skipped\n",
}

ALIPAY_PROJECT: Files = {
    "mini.project.json": json.dumps({"format": 2, "compileType": "mini"}),
    "app.json": json.dumps(
        {"pages": ["pages/index/index"], "window": {"defaultTitle": "政务通"}}, ensure_ascii=False
    ),
    "pages/index/index.axml": "<view>在线时长统计</view>\n",
    "pages/index/index.js": "Page({ onLoad() { my.getLocation({}) } })\n",
}


def write_tree(root: Path, files: Files) -> Path:
    """Write ``files`` under ``root`` (created) and return it."""
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(as_bytes(content))
    return root


def project_zip(files: Files, *, folder: str | None = None) -> bytes:
    """A mini-program project zipped, optionally inside one top folder as "compress folder" does."""
    prefix = f"{folder}/" if folder else ""
    return zip_bytes({prefix + name: content for name, content in files.items()})


_APP_FILES = ("app.json", "project.config.json", "project.private.config.json")
_WXML_COMMENT = re.compile(r"<!--[\s\S]*?-->")
_WXML_TEXT = re.compile(r">([^<>]+)<")
_WXML_ATTRIBUTE = re.compile(r"""=\s*(?:'([^']*)'|"([^"]*)")""")
_MUSTACHE = re.compile(r"(\{\{.*?\}\})")


def compiled_wxapkg(source: Files) -> bytes:
    """The .wxapkg the WeChat compiler makes of a native mini-program source tree.

    Its shape, unminified: app-config.json (app.json with the appid, page configs merged under
    "page"), one app-service.js per package root wrapping every script in
    ``define("<path>.js", function(require, module, exports, …){…})``, and per page a compiled
    template ``<page>.html`` holding the template's texts and attribute values as ``$gwx`` ops
    (comments dropped, as the compiler drops them). node_modules is never part of a build;
    miniprogram_npm is, as modules.
    """
    app = json.loads(as_bytes(source["app.json"]))
    project = json.loads(as_bytes(source.get("project.config.json", "{}")))
    subpackages = app.get("subpackages") or app.get("subPackages") or []
    roots = [str(sub["root"]).strip("/") + "/" for sub in subpackages]
    config = {
        **{key: value for key, value in app.items() if key not in ("subpackages", "subPackages")},
        "appid": project.get("appid"),
        "accountInfo": {"appId": project.get("appid"), "nickname": project.get("projectname")},
        "subPackages": subpackages,
        "page": {},
    }
    bundles: dict[str, list[str]] = {"": [], **{root: [] for root in roots}}
    files: Files = {}
    for name, content in source.items():
        if any(part.startswith(".") for part in name.split("/")) or name.startswith("node_modules/"):
            continue
        text = as_bytes(content).decode("utf-8")
        if name.endswith(".js"):
            root = next((r for r in roots if name.startswith(r)), "")
            bundles[root].append(
                f'define("{name}", function(require, module, exports, window, document, frames, self, '
                f'location, navigator, localStorage, history, Caches){{"use strict";\n{text}\n}});'
            )
        elif name.endswith(".wxml"):
            files[name.removesuffix(".wxml") + ".html"] = _compiled_template(name, text)
        elif name.endswith(".json") and name not in _APP_FILES:
            config["page"][name.removesuffix(".json") + ".html"] = json.loads(text)
    files["app-config.json"] = json.dumps(config, ensure_ascii=False)
    for root, modules in bundles.items():
        if root == "":
            modules.append('require("app.js");')
        files[root + "app-service.js"] = "\n".join(modules) + "\n"
    return wxapkg(files)


def _compiled_template(name: str, wxml: str) -> str:
    markup = _WXML_COMMENT.sub("", wxml)
    pieces = [m.group(1) for m in _WXML_TEXT.finditer(markup) if m.group(1).strip()]
    pieces += [m.group(1) or m.group(2) or "" for m in _WXML_ATTRIBUTE.finditer(markup)]
    ops = []
    for piece in pieces:
        for part in _MUSTACHE.split(piece.strip()):
            if not part:
                continue
            quoted = (
                part.strip("{} ").replace("\\", "\\\\").replace("'", "\\'")
                if part.startswith("{{")
                else (part.replace("\\", "\\\\").replace("'", "\\'"))
            )
            ops.append(f"Z([[7],[3,'{quoted}']]);" if part.startswith("{{") else f"Z([3,'{quoted}']);")
    return (
        f"<script>var __wxAppCode__=__wxAppCode__||{{}};"
        f"__wxAppCode__['{name}']=$gwx('./{name}');</script>\n"
        f"<script>(function(z){{var a=11;function Z(ops){{z.push(ops)}}\n" + "\n".join(ops) + "\n"
        "})(__WXML_GLOBAL__.ops_cached.$gwx_1=[]);</script>\n"
    )

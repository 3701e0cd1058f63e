"""A mini-program and its compiled .wxapkg give the same findings: rule, category, status and the source
files the evidence maps to (a compiled module names its source path, a compiled template its page)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govapp.inspection.engine.scan import scan_package
from tests.inspection import builders as b

CONFIG = json.dumps({"appid": "wx5566778899aabbcc", "projectname": "grid"})


def _app(pages: list[str], **extra: Any) -> str:
    return json.dumps({"pages": pages, **extra}, ensure_ascii=False)


# Each shape is a source tree the reader supports; positives and negatives side by side.
SHAPES: dict[str, dict[str, str]] = {
    "checkin page (template + script)": {
        "app.json": _app(["pages/index/index", "pages/sign/sign"]),
        "app.js": "App({})\n",
        "pages/index/index.wxml": "<view>办事指南</view>\n",
        "pages/index/index.js": "Page({})\n",
        "pages/sign/sign.wxml": "<view><button bindtap='sign'>每日打卡签到</button></view>\n",
        "pages/sign/sign.js": "Page({ sign() { wx.getLocation({ success: (r) => this.send(r) }) } })\n",
    },
    "ranking in a subpackage": {
        "app.json": _app(
            ["pages/index/index"], subpackages=[{"root": "stats", "pages": ["pages/rank/rank"]}]
        ),
        "app.js": "App({})\n",
        "pages/index/index.wxml": "<view>首页</view>\n",
        "stats/pages/rank/rank.wxml": "<view>本月积分排行榜</view><view wx:for='{{users}}'>{{item.name}}</view>\n",
        "stats/pages/rank/rank.js": (
            "Page({ onLoad() { const db = wx.cloud.database()\n"
            "  db.collection('users').orderBy('points', 'desc').get() } })\n"
        ),
    },
    "continuous location and a required photo": {
        "app.json": _app(["pages/patrol/patrol"], requiredBackgroundModes=["location"]),
        "app.js": "App({})\n",
        "pages/patrol/patrol.wxml": "<view>巡查上报</view><button bindtap='submit'>提交</button>\n",
        "pages/patrol/patrol.js": (
            "Page({\n  onShow() { wx.startLocationUpdateBackground({}); wx.onLocationChange(this.keep) },\n"
            "  submit() {\n    if (!this.data.photos.length) { wx.showToast({ title: '请先上传现场照片' }); return }\n"
            "    wx.chooseMedia({ sourceType: ['camera'] }); wx.uploadFile({ url: 'https://x.gov.cn/up' })\n  }\n})\n"
        ),
    },
    "online time accumulated and reported": {
        "app.json": _app(["pages/study/study"]),
        "app.js": "App({})\n",
        "pages/study/study.wxml": "<view>今日学习时长 {{minutes}} 分钟</view>\n",
        "pages/study/study.js": (
            "Page({ onShow() { this.t = setInterval(() => { this.seconds += 1 }, 1000) },\n"
            "  onUnload() { request.post('/learning/record', { lessonId: this.id, studyTime: this.seconds }) } })\n"
        ),
    },
    "commented out and vendored code only (negative)": {
        "app.json": _app(["pages/index/index"]),
        "app.js": "App({})\n",
        "pages/index/index.wxml": "<view>通知公告</view>\n<!-- <view>每日打卡签到</view> -->\n",
        "pages/index/index.js": (
            "Page({\n  // wx.startLocationUpdateBackground({})\n  /* 积分排行榜 */\n  onLoad() {}\n})\n"
        ),
        "miniprogram_npm/ui-kit/rank/index.js": "Component({ data: { title: '排行榜 打卡 签到' } })\n",
        "utils/qqmap-wx-jssdk.js": "function QQMapWX() { wx.startLocationUpdate({}) }\nmodule.exports = QQMapWX\n",
    },
    "clean app (negative)": {
        "app.json": _app(["pages/index/index", "pages/guide/guide"]),
        "app.js": "App({ onLaunch() { wx.login({}) } })\n",
        "pages/index/index.wxml": "<view>办事指南</view><navigator url='/pages/guide/guide'>投诉建议</navigator>\n",
        "pages/index/index.js": "Page({ data: { notice: '欢迎使用' } })\n",
        "pages/guide/guide.wxml": "<view>{{content}}</view>\n",
        "pages/guide/guide.js": "Page({ onLoad() { wx.request({ url: 'https://x.gov.cn/guide' }) } })\n",
    },
}


def _source_file(evidence: dict[str, Any]) -> str:
    """The source file a piece of evidence of either package maps to."""
    file, caller = evidence["file"], evidence.get("caller")
    if file.endswith("app-service.js") and caller:
        return caller + ".js"
    if file == "app-config.json":
        return "app.json"
    if file.endswith(".html") and not file.endswith("page-frame.html"):
        return file.removesuffix(".html") + ".wxml"
    return file


def _findings(report: Any) -> set[tuple[str, str, str, frozenset[str]]]:
    return {
        (f["rule"], f["category"], f["status"], frozenset(_source_file(e) for e in f["evidence"]))
        for f in report.findings
    }


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_source_and_compiled_package_give_the_same_findings(tmp_path: Path, shape: str) -> None:
    files = {"project.config.json": CONFIG, **SHAPES[shape]}
    source = scan_package(b.write_tree(tmp_path / "src", files))
    package = tmp_path / "main.wxapkg"
    package.write_bytes(b.compiled_wxapkg(files))
    compiled = scan_package(package)
    assert compiled.package["kind"] == "wxapkg" and compiled.package["id"] == "wx5566778899aabbcc"
    assert _findings(compiled) == _findings(source)
    assert compiled.verdict == source.verdict
    assert sorted(compiled.package["permissions"]) == sorted(source.package["permissions"])


def test_the_shapes_cover_positives_and_negatives(tmp_path: Path) -> None:
    """The agreement above means something only if the shapes find what they should."""
    found: dict[str, set[str]] = {}
    for shape, files in SHAPES.items():
        report = scan_package(
            b.write_tree(tmp_path / str(len(found)), {"project.config.json": CONFIG, **files})
        )
        found[shape] = {f["category"] for f in report.findings if f["status"] == "violation"}
    assert "checkin" in found["checkin page (template + script)"]
    assert "ranking" in found["ranking in a subpackage"]
    assert {"location_tracking", "forced_upload"} <= found["continuous location and a required photo"]
    assert "online_time" in found["online time accumulated and reported"]
    assert found["commented out and vendored code only (negative)"] == set()
    assert found["clean app (negative)"] == set()

"""Mini-program source reader (directory and zip) and the shared text scanner."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from govapp.inspection.engine import formats
from govapp.inspection.engine.errors import LimitExceeded, PackageError
from govapp.inspection.engine.facts import Interest, PackageFacts
from govapp.inspection.engine.formats.textscan import HitSink, decode_text, scan_text
from govapp.inspection.engine.limits import Limits
from tests.inspection import builders as b

LIMITS = Limits()


def _dir(tmp_path: Path, files: b.common.Files) -> PackageFacts:
    return formats.read_package(b.write_tree(tmp_path / "proj", files), b.formalism_interest(), LIMITS)


def test_wechat_project_identity_pages_permissions(tmp_path: Path) -> None:
    facts = _dir(tmp_path, b.WECHAT_PROJECT)
    assert (facts.format, facts.platform, facts.id, facts.name) == (
        "miniprogram",
        "wechat",
        "wx0123456789abcdef",
        "社区网格通",
    )
    assert [c.name for c in facts.components] == [
        "pages/index/index",
        "pages/checkin/checkin",
        "stats/pages/rank/rank",
    ]
    assert facts.permissions == ["scope.userLocation", "requiredPrivateInfos:getLocation"]


def test_wechat_evidence_has_relative_file_line_and_page(tmp_path: Path) -> None:
    facts = _dir(tmp_path, b.WECHAT_PROJECT)
    texts = {
        (t.text, t.surface, t.evidence.file, t.evidence.location, t.evidence.caller) for t in facts.texts
    }
    assert (
        "每日打卡签到",
        "layout",
        "pages/checkin/checkin.wxml",
        "line 2",
        "pages/checkin/checkin",
    ) in texts
    assert (
        "积分排名 第{{rank}}名",
        "layout",
        "stats/pages/rank/rank.wxml",
        "line 1",
        "stats/pages/rank/rank",
    ) in texts
    apis = {(a.api, a.evidence.file, a.evidence.location, a.evidence.invoked) for a in facts.apis}
    assert ("wx.getLocation", "pages/checkin/checkin.js", "line 3", True) in apis
    assert ("wx.uploadFile", "pages/checkin/checkin.js", "line 5", True) in apis


def test_node_modules_dot_dirs_and_build_output_are_skipped(tmp_path: Path) -> None:
    facts = _dir(tmp_path, {**b.WECHAT_PROJECT, **b.UNIAPP_PROJECT})
    assert not any(f.startswith(("node_modules/", ".git/", "unpackage/")) for f in facts.files)
    assert not any(
        e.evidence.file.startswith(("node_modules/", "unpackage/")) for e in [*facts.texts, *facts.apis]
    )


def test_uniapp_manifest_with_comments(tmp_path: Path) -> None:
    facts = _dir(tmp_path, b.UNIAPP_PROJECT)
    assert (facts.platform, facts.id, facts.name, facts.version, facts.version_code) == (
        "uniapp",
        "wxfedcba9876543210",
        "智慧党建",
        "2.1.0",
        "210",
    )
    assert facts.extra["uni_appid"] == "__UNI__ABCDEF1"
    assert "requiredPrivateInfos:chooseLocation" in facts.permissions
    assert "android.permission.CAMERA" in facts.permissions
    template_hit = next(t for t in facts.texts if t.text == "学习时长排行榜")
    assert template_hit.surface == "layout" and template_hit.evidence.file == "pages/study/study.vue"
    assert [(a.api, a.evidence.location) for a in facts.apis] == [("uni.chooseImage", "line 6")]


def test_alipay_project(tmp_path: Path) -> None:
    facts = _dir(tmp_path, b.ALIPAY_PROJECT)
    assert (facts.platform, facts.id, facts.name) == ("alipay", None, "政务通")
    assert any("no appid" in n for n in facts.notes)
    assert [t.text for t in facts.texts] == ["在线时长统计"]


def test_zip_with_top_folder_matches_directory(tmp_path: Path) -> None:
    zipped = formats.read_package_bytes(
        b.project_zip(b.WECHAT_PROJECT, folder="grid"), "grid.zip", b.formalism_interest(), LIMITS, depth=0
    )
    folder = _dir(tmp_path, b.WECHAT_PROJECT)
    assert zipped.id == folder.id
    assert sorted((t.text, t.evidence.file) for t in zipped.texts) == sorted(
        (t.text, t.evidence.file) for t in folder.texts
    )
    assert zipped.files == folder.files


def test_symlink_leaving_the_project_is_ignored_with_a_note(tmp_path: Path) -> None:
    outside = tmp_path / "secret.js"
    outside.write_text("wx.getLocation() // 打卡")
    root = b.write_tree(tmp_path / "proj", b.ALIPAY_PROJECT)
    os.symlink(outside, root / "pages" / "leak.js")
    os.symlink(tmp_path, root / "loop")
    facts = formats.read_package(root, b.formalism_interest(), LIMITS)
    assert "pages/leak.js" not in facts.files
    assert any("pages/leak.js" in n and "outside" in n for n in facts.notes)
    assert any("loop" in n and "not followed" in n for n in facts.notes)


def test_directory_digest_changes_with_content(tmp_path: Path) -> None:
    first = _dir(tmp_path, b.ALIPAY_PROJECT)
    (tmp_path / "proj" / "pages" / "index" / "index.axml").write_text("<view>改了</view>")
    second = formats.read_package(tmp_path / "proj", b.formalism_interest(), LIMITS)
    assert first.sha256 != second.sha256 and len(first.sha256) == 64


def test_file_count_limit(tmp_path: Path) -> None:
    with pytest.raises(LimitExceeded, match="more than 3 files"):
        formats.read_package(
            b.write_tree(tmp_path / "p", b.WECHAT_PROJECT), b.formalism_interest(), Limits(max_entries=3)
        )


def test_zip_traversal_is_refused() -> None:
    data = b.zip_bytes({"app.json": "{}", "../../x.js": "1"})
    with pytest.raises(PackageError, match="outside the package"):
        formats.read_package_bytes(data, "p.zip", b.formalism_interest(), LIMITS, depth=0)


# --- textscan ---------------------------------------------------------------------------------


def test_scan_text_script_api_forms() -> None:
    source = (
        "const f = wx.chooseImage\n"
        "uni['getLocation']({})\n"
        "import { geoLocationManager as geo } from '@kit.LocationKit'\n"
        "geo.getCurrentLocation()\n"
        "const g = require('@system.geolocation'); g.getLocation()\n"
        "mywx.getLocation()\n"
    )
    result = scan_text(source, file="a.js", surface="script", interest=b.formalism_interest())
    assert [(a.api, a.evidence.location, a.evidence.invoked) for a in result.apis] == [
        ("wx.chooseImage", "line 1", False),
        ("uni.getLocation", "line 2", True),
        ("@ohos.geoLocationManager.getCurrentLocation", "line 4", True),
        ("@system.geolocation.getLocation", "line 5", True),
    ]


def test_scan_text_snippet_is_short_and_on_one_line() -> None:
    text = "x" * 1000 + "打卡" + "y" * 1000 + "\nnext line"
    result = scan_text(text, file="min.js", surface="script", interest=b.formalism_interest())
    (hit,) = result.texts
    assert "打卡" in hit.evidence.snippet and len(hit.evidence.snippet) <= 160
    assert "next" not in hit.evidence.snippet


def test_scan_text_only_returns_what_matches() -> None:
    nothing = Interest(text=re.compile("不存在"), api=re.compile("^none$"), code_prefix=re.compile("^$"))
    result = scan_text("wx.getLocation(); '打卡'", file="a.js", surface="script", interest=nothing)
    assert result.texts == [] and result.apis == []


def test_hit_sink_caps_with_a_note() -> None:
    facts = PackageFacts(format="miniprogram", platform="wechat", path="p", sha256="", size=0)
    sink = HitSink(facts, Limits(max_texts=2))
    result = scan_text(
        "'打卡'\n'签到'\n'排名'\n", file="a.js", surface="script", interest=b.formalism_interest()
    )
    sink.add(result, "a.js")
    assert len(facts.texts) == 2
    assert any("cut at that limit" in n for n in facts.notes)


def test_decode_text_never_fails() -> None:
    assert decode_text("打卡".encode("gb18030")) == "打卡"
    assert decode_text(b"\xef\xbb\xbfok") == "ok"
    assert isinstance(decode_text(bytes(range(256))), str)

"""scan_package end to end: real packages through the readers and the rule set."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from govapp.inspection.engine.limits import Limits
from govapp.inspection.engine.scan import scan_package
from tests.inspection.builders.wechat import project_zip, write_tree

from .conftest import AndroidCorpus

DUTY_PROJECT = {
    "project.config.json": json.dumps({"appid": "wx0123456789abcdef", "projectname": "社区网格通"}),
    "app.json": json.dumps({"pages": ["pages/index/index", "pages/patrol/patrol"]}),
    "pages/index/index.wxml": "<view>每日打卡签到</view>\n<view>本周积分排名</view>\n<button>我要投诉</button>\n",
    "pages/index/index.js": "Page({ onLoad() {} })\n",
    "pages/patrol/patrol.wxml": "<view>巡查轨迹</view>\n",
    "pages/patrol/patrol.js": "Page({ go() { wx.startLocationUpdateBackground({}) } })\n",
}
CLEAN_PROJECT = {
    "project.config.json": json.dumps({"appid": "wx00000000000000aa", "projectname": "办事指南"}),
    "app.json": json.dumps({"pages": ["pages/index/index"]}),
    "pages/index/index.wxml": "<view>办事指南</view>\n<view>备案号：GA2026-330000-0007</view>\n<button>意见反馈</button>\n",
    "pages/index/index.js": "Page({ data: { api: 'https://zwfw.example.gov.cn/api' } })\n",
}


def test_mini_program_with_formalism_features_is_a_violation(tmp_path: Path) -> None:
    report = scan_package(write_tree(tmp_path / "duty", DUTY_PROJECT))
    assert report.verdict == "violation" and report.exit_code == 1
    assert report.package["id"] == "wx0123456789abcdef" and report.package["kind"] == "miniprogram"
    by_category = {finding["category"]: finding for finding in report.findings}
    assert {"checkin", "ranking", "location_tracking"} <= set(by_category)
    evidence = by_category["checkin"]["evidence"][0]
    assert evidence["file"] == "pages/index/index.wxml" and evidence["location"] == "line 1"
    assert "complaint_function_missing" not in by_category


def test_clean_mini_program_passes_and_shows_its_filing_number(tmp_path: Path) -> None:
    report = scan_package(write_tree(tmp_path / "clean", CLEAN_PROJECT), filing_number="GA2026-330000-0007")
    assert report.verdict == "pass", report.findings
    assert not [f for f in report.findings if f["status"] == "violation"]
    assert report.endpoints[0]["host"] == "zwfw.example.gov.cn"


def test_zipped_source_and_declared_exception(tmp_path: Path) -> None:
    archive = tmp_path / "duty.zip"
    only_checkin = {key: value for key, value in DUTY_PROJECT.items() if not key.startswith("pages/patrol")}
    only_checkin["pages/index/index.wxml"] = "<view>每日打卡签到</view>\n<button>留言</button>\n"
    archive.write_bytes(project_zip(only_checkin, folder="duty"))
    report = scan_package(archive, declarations=frozenset({"checkin"}))
    assert report.verdict == "pass"
    assert [f["status"] for f in report.findings if f["category"] == "checkin"] == ["declared_exception"]
    assert report.declarations == ["checkin"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello", "not a package format we recognise"),
        ("broken.apk", b"PK\x03\x04" + b"\x00" * 40, "not a readable zip archive"),
    ],
)
def test_unreadable_files_give_an_error_report(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    report = scan_package(path)
    assert report.verdict == "error" and report.exit_code == 2
    assert len(report.errors) == 1 and message in report.errors[0] and "\n" not in report.errors[0]
    assert report.package["size"] == len(content) and len(report.package["sha256"]) == 64


def test_missing_path_directory_and_fifo_are_refused_without_blocking(tmp_path: Path) -> None:
    assert scan_package(tmp_path / "nope.apk").errors == [
        f"{tmp_path / 'nope.apk'}: no such file or directory"
    ]
    assert "not mini-program source" in scan_package(tmp_path).errors[0]
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert scan_package(fifo).errors == [f"{fifo}: not a regular file or directory"]


def test_limits_reach_the_readers(tmp_path: Path) -> None:
    big = tmp_path / "big.zip"
    big.write_bytes(project_zip(DUTY_PROJECT))
    report = scan_package(big, limits=Limits(max_file_size=10))
    assert report.verdict == "error" and "limit" in report.errors[0]


def test_unknown_declaration_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown declared category 'lunch'"):
        scan_package(tmp_path, declarations=frozenset({"lunch"}))


def test_formalism_apk(android: AndroidCorpus) -> None:
    report = scan_package(android.formalism)
    assert report.verdict == "violation"
    categories = {finding["category"] for finding in report.findings}
    assert {"checkin", "ranking", "online_time", "packer"} <= categories
    ranking = next(f for f in report.findings if f["category"] == "ranking")
    assert any(item["caller"] and item["caller"].startswith("Lorg/gov/duty/") for item in ranking["evidence"])
    assert any("code evidence is limited" in note for note in report.notes)


def test_debug_and_clean_apks(android: AndroidCorpus) -> None:
    debug = scan_package(android.debug)
    assert "debuggable" in {f["category"] for f in debug.findings if f["status"] == "violation"}
    clean = scan_package(android.clean)
    formalism = {
        "checkin",
        "ranking",
        "online_time",
        "engagement_metrics",
        "forced_upload",
        "location_tracking",
    }
    assert not formalism & {f["category"] for f in clean.findings}
    assert clean.package["certificates"] and clean.package["id"]


def test_cleartext_apk(android: AndroidCorpus) -> None:
    report = scan_package(android.cleartext)
    assert "cleartext" in {f["category"] for f in report.findings}


@pytest.mark.parametrize(
    ("name", "content", "limits", "kind"),
    [
        ("notes.txt", b"just text", Limits(), "unsupported"),
        ("cut.rpk", None, Limits(), "malformed"),
        ("evil.zip", b"traversal", Limits(), "unsafe"),
        ("__APP__.wxapkg", b"pc-cache", Limits(), "encrypted"),
        ("big.rpk", b"rpk", Limits(max_file_size=100), "limit"),
    ],
)
def test_error_reports_say_what_kind_of_problem(
    tmp_path: Path, name: str, content: bytes | None, limits: Limits, kind: str
) -> None:
    from tests.inspection import builders as b

    data = {
        b"traversal": b.zip_bytes({"../outside.txt": "x", "app.json": "{}"}),
        b"pc-cache": b.encrypted_pc_wxapkg(),
        b"rpk": b.rpk(signed=False),
        None: b.rpk(signed=False)[:200],
    }.get(content, content)
    path = tmp_path / name
    path.write_bytes(data)
    report = scan_package(path, limits=limits)
    assert report.verdict == "error" and report.error_kind == kind, report.errors


def test_a_missing_file_is_unreadable_and_a_good_scan_has_no_error_kind(tmp_path: Path) -> None:
    assert scan_package(tmp_path / "gone.apk").error_kind == "unreadable"
    clean = tmp_path / "clean"
    write_tree(clean, CLEAN_PROJECT)
    report = scan_package(clean)
    assert report.verdict != "error" and report.error_kind is None

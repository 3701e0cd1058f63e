"""``govapp scan``: output modes, HTML files and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.inspection.builders.wechat import write_tree

VIOLATING = {
    "project.config.json": json.dumps({"appid": "wx0123456789abcdef", "projectname": "网格通"}),
    "app.json": json.dumps({"pages": ["pages/index/index"]}),
    "pages/index/index.wxml": '<view>考勤打卡<script>alert(1)</script></view>\n<view class="x">留言</view>\n',
}
CLEAN = {
    "project.config.json": json.dumps({"appid": "wx00000000000000aa", "projectname": "办事指南"}),
    "app.json": json.dumps({"pages": ["pages/index/index"]}),
    "pages/index/index.wxml": "<view>办事指南</view>\n<button>投诉建议</button>\n",
}


def scan(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("scan", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English; the command speaks the active language (Chinese by default)."""
    with translation.override("en"):
        yield


@pytest.fixture
def violating(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "violating", VIOLATING)


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "clean", CLEAN)


def test_clean_package_exits_0_with_a_chinese_summary(clean: Path) -> None:
    code, out, err = scan(str(clean), "--no-sandbox")
    assert code == 0 and err == ""
    assert "检测结论 (Verdict): 通过 (pass)" in out


def test_violation_exits_1_and_prints_one_json_document(violating: Path) -> None:
    code, out, _err = scan(str(violating), "--json", "--no-sandbox")
    assert code == 1
    document = json.loads(out)
    assert document["schema"] == "govapp.scan/1" and document["verdict"] == "violation"
    assert "checkin" in {finding["category"] for finding in document["findings"]}


def test_english_summary(violating: Path) -> None:
    code, out, _err = scan(str(violating), "--lang", "en", "--no-sandbox")
    assert code == 1 and "Verdict: violation" in out and "Compulsory check-in" in out


def test_declared_exception_turns_the_verdict(violating: Path) -> None:
    code, out, _err = scan(str(violating), "--json", "--declared", "checkin", "--no-sandbox")
    assert code == 0
    statuses = {f["category"]: f["status"] for f in json.loads(out)["findings"]}
    assert statuses["checkin"] == "declared_exception"


def test_unknown_declared_category_is_exit_2(violating: Path) -> None:
    with pytest.raises(CommandError, match="unknown category 'nap' for --declared") as caught:
        scan(str(violating), "--declared", "checkin,nap")
    assert caught.value.returncode == 2


def test_filing_number_missing_is_a_violation(clean: Path) -> None:
    code, out, _err = scan(str(clean), "--json", "--filing-number", "GA2026-1", "--no-sandbox")
    assert code == 1
    assert [f["category"] for f in json.loads(out)["findings"] if f["status"] == "violation"] == [
        "filing_number_missing"
    ]


def test_missing_path_is_exit_2_with_one_line(tmp_path: Path, clean: Path) -> None:
    missing = tmp_path / "missing.apk"
    code, out, err = scan(str(missing), "--no-sandbox")
    assert code == 2 and out == ""
    assert err.strip() == f"govapp scan: 文件无法读取：{missing}: no such file or directory"
    code, _out, err = scan(str(missing), "--no-sandbox", "--lang", "en")
    assert code == 2 and err.strip() == f"govapp scan: {missing}: no such file or directory"


def test_several_paths_print_a_list_and_the_worst_exit_code(
    tmp_path: Path, clean: Path, violating: Path
) -> None:
    code, out, _err = scan(str(clean), str(violating), "--json", "--no-sandbox")
    assert code == 1
    assert [doc["verdict"] for doc in json.loads(out)] == ["pass", "violation"]
    code, out, _err = scan(str(clean), str(tmp_path), "--json", "--no-sandbox")
    assert code == 2
    assert [doc["verdict"] for doc in json.loads(out)] == ["pass", "error"]


def test_several_paths_go_through_one_long_lived_sandbox(
    tmp_path: Path, clean: Path, violating: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govapp.inspection.management.commands import scan as command

    direct = [json.loads(scan(str(p), "--json", "--no-sandbox")[1]) for p in (clean, violating, tmp_path)]
    monkeypatch.setattr(command, "scan_package_isolated", None)  # a fresh child per path would fail
    code, out, err = scan(str(clean), str(violating), str(tmp_path), "--json")
    pooled = json.loads(out)
    assert code == 2 and [doc["verdict"] for doc in pooled] == ["pass", "violation", "error"]
    for doc in [*direct, *pooled]:
        doc.pop("duration_ms")
    assert pooled == direct
    assert err.count("govapp scan:") == 1


def test_html_one_file_per_package(tmp_path: Path, clean: Path, violating: Path) -> None:
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    scan(str(violating), "--html", str(target), "--no-sandbox")
    page = target.read_text(encoding="utf-8")
    assert "&lt;script&gt;" in page and "<script>" not in page
    scan(str(clean), str(violating), "--html", str(target), "--no-sandbox")
    assert (tmp_path / "out" / "report-1.html").read_text(encoding="utf-8").count("办事指南") >= 1
    assert "考勤打卡" in (tmp_path / "out" / "report-2.html").read_text(encoding="utf-8")


def test_html_write_failure_is_exit_2(tmp_path: Path, clean: Path) -> None:
    with pytest.raises(CommandError, match="cannot write the HTML report") as caught:
        scan(str(clean), "--html", str(tmp_path / "no" / "such" / "dir.html"), "--no-sandbox")
    assert caught.value.returncode == 2


def test_console_script_runs_the_sandboxed_scan(violating: Path, tmp_path: Path) -> None:
    govapp = Path(sys.executable).with_name("govapp")
    if not govapp.exists():
        pytest.fail(f"the govapp console script is not installed next to {sys.executable} (pip install -e .)")
    result = subprocess.run(
        [str(govapp), "scan", str(violating), str(tmp_path / "gone.hap"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    documents = json.loads(result.stdout)
    assert [doc["verdict"] for doc in documents] == ["violation", "error"]
    assert result.stderr.strip().splitlines() == [
        f"govapp scan: 文件无法读取：{tmp_path / 'gone.hap'}: no such file or directory"
    ]
    assert "Traceback" not in result.stderr


def test_help_describes_the_command_in_the_active_language() -> None:
    from govapp.inspection.management.commands.scan import Command

    assert "Run the technical test on app packages" in Command().create_parser("govapp", "scan").format_help()
    with translation.override("zh-hans"):
        assert "对安装包" in Command().create_parser("govapp", "scan").format_help()


def test_console_script_help_exits_0() -> None:
    govapp = Path(sys.executable).with_name("govapp")
    if not govapp.exists():
        pytest.fail(f"the govapp console script is not installed next to {sys.executable} (pip install -e .)")
    result = subprocess.run(
        [str(govapp), "scan", "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "--filing-number" in result.stdout and "--declared" in result.stdout
    assert "Traceback" not in result.stderr


def test_expect_another_app_is_exit_1_with_the_identity_mismatch(clean: Path) -> None:
    code, out, _err = scan(str(clean), "--json", "--no-sandbox", "--expect", "appid=wx1234567890abcdef")
    assert code == 1
    report = json.loads(out)
    assert report["findings"][0]["category"] == "identity_mismatch"
    assert report["findings"][0]["identity"] == {
        "field": "appid",
        "expected": "wx1234567890abcdef",
        "found": "wx00000000000000aa",
    }
    assert report["expect"] == {"appid": "wx1234567890abcdef"}
    code, out, _err = scan(str(clean), "--lang", "en", "--expect", "appid=wx00000000000000aa")
    assert code == 0 and "Verdict: pass" in out


def test_expect_in_the_sandbox_and_the_summary(clean: Path) -> None:
    code, out, _err = scan(str(clean), "--lang", "en", "--expect", "appid=wx1234567890abcdef")
    assert code == 1
    assert "identity_mismatch" in out and "wx1234567890abcdef" in out


@pytest.mark.parametrize("value", ["package", "colour=red", "cert_sha256=12"])
def test_bad_expect_is_exit_2_with_a_clear_message(clean: Path, value: str) -> None:
    with pytest.raises(CommandError, match="invalid --expect") as caught:
        scan(str(clean), "--expect", value)
    assert caught.value.returncode == 2

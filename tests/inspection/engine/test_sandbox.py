"""The capped child process: results come back as JSON, failures as one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govapp.inspection.engine.limits import Limits
from govapp.inspection.engine.sandbox import SandboxError, format_bytes, run_isolated, scan_package_isolated
from govapp.inspection.engine.scan import scan_package
from tests.inspection.builders.wechat import write_tree

PROJECT = {
    "project.config.json": json.dumps({"appid": "wx0123456789abcdef", "projectname": "网格通"}),
    "app.json": json.dumps({"pages": ["pages/index/index"]}),
    "pages/index/index.wxml": "<view>考勤打卡</view>\n",
}


def test_result_crosses_the_process_boundary() -> None:
    assert run_isolated("os.path:join", ["a", "b"], limits=Limits()) == "a/b"


def test_timeout_gives_a_clean_error() -> None:
    with pytest.raises(SandboxError, match=r"^analysis exceeded 1 s$") as raised:
        run_isolated("time:sleep", [30], limits=Limits(timeout_seconds=1))
    assert raised.value.kind == "timeout"


def test_memory_exhaustion_gives_a_clean_error() -> None:
    with pytest.raises(SandboxError, match=r"^analysis ran out of memory \(limit 256 MiB\)$") as raised:
        run_isolated("builtins:bytearray", [2 * 1024**3], limits=Limits(memory_bytes=256 * 1024**2))
    assert raised.value.kind == "memory"


def test_crash_and_exception_give_a_clean_error() -> None:
    with pytest.raises(SandboxError, match=r"^analysis crashed \(SIGABRT\)$") as raised:
        run_isolated("os:abort", [], limits=Limits())
    assert raised.value.kind == "crash"
    with pytest.raises(SandboxError, match=r"^analysis failed: ValueError: "):
        run_isolated("builtins:int", ["not a number"], limits=Limits())


def test_isolated_scan_equals_the_in_process_scan(tmp_path: Path) -> None:
    path = write_tree(tmp_path / "mp", PROJECT)
    isolated = scan_package_isolated(path, filing_number="GA-9")
    direct = scan_package(path, filing_number="GA-9")
    assert isolated.verdict == direct.verdict == "violation"
    assert isolated.findings == direct.findings
    assert isolated.package == direct.package


def test_isolated_scan_of_a_missing_file_is_an_error_report(tmp_path: Path) -> None:
    report = scan_package_isolated(tmp_path / "gone.apk")
    assert report.verdict == "error" and report.errors == [
        f"{tmp_path / 'gone.apk'}: no such file or directory"
    ]


def test_isolated_scan_out_of_memory_is_an_error_report(tmp_path: Path) -> None:
    path = tmp_path / "app.apk"
    path.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    # 16 MiB cannot even hold the engine's imports: the child fails with MemoryError before scanning.
    report = scan_package_isolated(path, limits=Limits(memory_bytes=16 * 1024**2))
    assert report.verdict == "error" and report.exit_code == 2
    assert report.errors == ["analysis ran out of memory (limit 16 MiB)"]
    assert report.error_kind == "memory" and report.to_dict()["error_kind"] == "memory"
    assert report.package["size"] == 22 and report.package["path"] == str(path)


def test_format_bytes() -> None:
    assert [format_bytes(n) for n in (2 * 1024**3, 300 * 1024**2, 1536, 10)] == [
        "2 GiB",
        "300 MiB",
        "1.5 KiB",
        "10 bytes",
    ]

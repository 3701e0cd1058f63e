"""Format detection by structure, and the read_package entry points' guarantees."""

from __future__ import annotations

from pathlib import Path

import pytest

from govapp.inspection.engine import formats
from govapp.inspection.engine.errors import LimitExceeded, PackageError, UnsupportedFormat
from govapp.inspection.engine.formats.detect import detect_archive
from govapp.inspection.engine.limits import Limits
from govapp.inspection.engine.safezip import SafeZip
from tests.inspection import builders as b

LIMITS = Limits()


def _kind(data: bytes) -> str:
    with SafeZip(data, LIMITS, "fixture") as archive:
        return detect_archive(archive)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b.zip_bytes({"AndroidManifest.xml": b"\x03\x00", "classes.dex": b"dex\n035\x00"}), "apk"),
        (b.zip_bytes({"toc.pb": b"", "splits/base-master.apk": b"PK"}), "apks"),
        (b.zip_bytes({"base.apk": b"PK", "split_config.arm64_v8a.apk": b"PK"}), "apks"),
        (
            b.zip_bytes({"manifest.json": '{"package_name": "a.b", "split_apks": []}', "a.b.apk": b"PK"}),
            "xapk",
        ),
        (b.hap(sign=False), "hap"),
        (b.app_bundle({"entry-default.hap": b.hap(sign=False)}), "app"),
        (b.rpk(signed=False), "rpk"),
        (b.rpks({"main.rpk": b.rpk(signed=False)}), "rpks"),
        (b.project_zip(b.WECHAT_PROJECT), "miniprogram"),
        (b.project_zip(b.UNIAPP_PROJECT, folder="my-project"), "miniprogram"),
        (b.project_zip(b.ALIPAY_PROJECT), "miniprogram"),
    ],
    ids=[
        "apk",
        "apks-toc",
        "apks-base",
        "xapk",
        "hap",
        "app",
        "rpk",
        "rpks",
        "wechat",
        "uniapp-folder",
        "alipay",
    ],
)
def test_zip_formats_are_told_apart_by_structure(data: bytes, kind: str) -> None:
    assert _kind(data) == kind


def test_uniapp_manifest_is_not_mistaken_for_a_quick_app() -> None:
    assert _kind(b.project_zip(b.UNIAPP_PROJECT)) == "miniprogram"


def test_file_name_does_not_matter(tmp_path: Path) -> None:
    disguised = tmp_path / "report.pdf"
    disguised.write_bytes(b.rpk(signed=False))
    facts = formats.read_package(disguised, b.formalism_interest(), LIMITS)
    assert (facts.format, facts.id) == ("rpk", "gov.example.quickapp")


def test_unknown_zip_lists_what_is_supported() -> None:
    with pytest.raises(UnsupportedFormat, match="Supported formats: Android APK"):
        _kind(b.zip_bytes({"readme.txt": "hello"}))


def test_unknown_bytes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just text")
    with pytest.raises(UnsupportedFormat, match="notes.txt: not a package format"):
        formats.read_package(path, b.formalism_interest(), LIMITS)


def test_encrypted_pc_wxapkg_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "__APP__.wxapkg"
    path.write_bytes(b.encrypted_pc_wxapkg())
    with pytest.raises(PackageError, match="encrypted WeChat PC-cache package.*submit the original"):
        formats.read_package(path, b.formalism_interest(), LIMITS)


def test_empty_and_missing_files_are_clear(tmp_path: Path) -> None:
    empty = tmp_path / "empty.apk"
    empty.write_bytes(b"")
    with pytest.raises(PackageError, match="empty.apk: the file is empty"):
        formats.read_package(empty, b.formalism_interest(), LIMITS)
    with pytest.raises(PackageError, match="missing.apk: cannot be read"):
        formats.read_package(tmp_path / "missing.apk", b.formalism_interest(), LIMITS)


def test_directory_without_project_markers_is_refused(tmp_path: Path) -> None:
    (tmp_path / "index.js").write_text("wx.getLocation()")
    with pytest.raises(UnsupportedFormat, match="not mini-program source"):
        formats.read_package(tmp_path, b.formalism_interest(), LIMITS)


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.rpk"
    path.write_bytes(b.rpk(signed=False))
    with pytest.raises(LimitExceeded, match="more than the limit of 100"):
        formats.read_package(path, b.formalism_interest(), Limits(max_file_size=100))


def test_sha256_and_size_describe_the_file(tmp_path: Path) -> None:
    import hashlib

    data = b.rpk(signed=False)
    path = tmp_path / "a.rpk"
    path.write_bytes(data)
    facts = formats.read_package(path, b.formalism_interest(), LIMITS)
    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    assert facts.size == len(data)


def test_nesting_past_the_depth_limit_is_refused() -> None:
    with pytest.raises(LimitExceeded, match="nested"):
        formats.read_package_bytes(
            b.rpk(), "deep.rpk", b.formalism_interest(), LIMITS, depth=LIMITS.max_depth + 1
        )


def test_unexpected_reader_failure_becomes_package_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from govapp.inspection.engine.formats import rpk

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("boom\nsecond line")

    monkeypatch.setattr(rpk, "read_rpk", broken)
    with pytest.raises(
        PackageError, match=r"^x.rpk: malformed package, the reader failed \(ValueError: boom second line\)$"
    ):
        formats.read_package_bytes(b.rpk(), "x.rpk", b.formalism_interest(), LIMITS, depth=0)

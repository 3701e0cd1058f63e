"""The package's identity in every report, and ``expect``: another app is a blocking identity_mismatch."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from govapp.inspection.engine.identity import Identity, parse_expect
from govapp.inspection.engine.scan import scan_package
from tests.inspection.apkbuild import build_apk, make_key
from tests.inspection.builders import hap
from tests.inspection.builders.wechat import write_tree

from .conftest import AndroidCorpus


def _categories(report: object) -> list[str]:
    return [f["category"] for f in report.findings if f["status"] == "violation"]  # type: ignore[attr-defined]


def test_every_report_carries_the_android_identity(android: AndroidCorpus) -> None:
    report = scan_package(android.clean)
    assert report.identity is not None
    assert report.identity["platform"] == "android"
    assert report.identity["package"] == "org.gov.clean"
    assert report.identity["certificates"] == [android.release_key.sha256]
    assert report.identity["lineage"] == [] and report.identity["signed"] is True
    assert report.to_dict()["identity"] == report.identity
    assert report.expect is None


def test_the_expected_app_passes_and_another_app_is_a_blocking_mismatch(android: AndroidCorpus) -> None:
    same = scan_package(
        android.clean, expect=Identity(package="org.gov.clean", cert_sha256=(android.release_key.sha256,))
    )
    assert "identity_mismatch" not in _categories(same)
    assert same.expect == {"package": "org.gov.clean", "cert_sha256": [android.release_key.sha256]}

    other = scan_package(android.clean, expect=Identity(package="cn.gov.hz.bsfw", cert_sha256=("57" * 32,)))
    assert other.verdict == "violation"
    mismatches = [f for f in other.findings if f["category"] == "identity_mismatch"]
    assert [m["identity"]["field"] for m in mismatches] == ["package", "cert_sha256"]
    package, cert = mismatches
    assert (package["identity"]["expected"], package["identity"]["found"]) == (
        "cn.gov.hz.bsfw",
        "org.gov.clean",
    )
    assert cert["identity"]["found"] == android.release_key.sha256
    assert (
        "cn.gov.hz.bsfw" in package["description"]["en"] and "org.gov.clean" in package["description"]["en"]
    )
    assert other.findings[0]["category"] == "identity_mismatch"  # blocking findings first


def test_a_v3_rotation_lineage_proves_the_new_key(android: AndroidCorpus, tmp_path: Path) -> None:
    new_key = make_key(tmp_path / "keys", "GovApp Release 2027")
    rotated = build_apk("clean", tmp_path / "rotated.apk", android.release_key, rotated_to=new_key)
    report = scan_package(rotated, expect=Identity(cert_sha256=(android.release_key.sha256,)))
    assert report.identity is not None
    assert report.identity["lineage"] == [android.release_key.sha256, new_key.sha256]
    assert new_key.sha256 in report.identity["certificates"]
    assert "identity_mismatch" not in _categories(report)

    stranger = make_key(tmp_path / "keys", "Someone Else")
    foreign = build_apk("clean", tmp_path / "foreign.apk", stranger)
    report = scan_package(foreign, expect=Identity(cert_sha256=(android.release_key.sha256,)))
    assert _categories(report)[0] == "identity_mismatch"


def test_an_unsigned_package_is_unverifiable_not_a_crash(android: AndroidCorpus) -> None:
    report = scan_package(android.unsigned, expect=Identity(cert_sha256=(android.release_key.sha256,)))
    assert report.verdict == "violation"
    finding = next(f for f in report.findings if f["category"] == "identity_unverifiable")
    assert finding["identity"]["found"] == "unsigned"
    assert "not signed" in finding["description"]["en"]


def test_an_unreadable_certificate_is_unverifiable(android: AndroidCorpus, tmp_path: Path) -> None:
    broken = tmp_path / "broken-cert.apk"
    with zipfile.ZipFile(android.v1_only) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.upper().endswith(".RSA"):
                data = b"\x30\x03garbage"
            target.writestr(info, data)
    report = scan_package(broken, expect=Identity(cert_sha256=(android.release_key.sha256,)))
    assert report.verdict == "violation"
    finding = next(f for f in report.findings if f["category"] == "identity_unverifiable")
    assert finding["identity"]["found"] == "unreadable certificate"
    assert "cannot be read" in finding["description"]["en"]


def test_harmony_bundle_and_signing_profile(tmp_path: Path) -> None:
    path = tmp_path / "entry.hap"
    path.write_bytes(hap())
    report = scan_package(path, expect=Identity(bundle="gov.example.attendance", developer_id="1234567890"))
    assert report.identity is not None
    assert (report.identity["bundle"], report.identity["developer_id"]) == (
        "gov.example.attendance",
        "1234567890",
    )
    assert "identity_mismatch" not in _categories(report)
    other = scan_package(path, expect=Identity(bundle="cn.gov.other", developer_id="999"))
    assert [f["identity"]["field"] for f in other.findings if f["category"] == "identity_mismatch"] == [
        "bundle",
        "developer_id",
    ]


def test_mini_program_appid(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "mp",
        {
            "project.config.json": json.dumps({"appid": "wx0123456789abcdef"}),
            "app.json": json.dumps({"pages": ["pages/index/index"]}),
            "pages/index/index.wxml": "<view>办事指南</view>",
        },
    )
    assert scan_package(root).identity["appid"] == "wx0123456789abcdef"  # type: ignore[index]
    report = scan_package(root, expect=Identity(appid="wx1234567890abcdef"))
    finding = report.findings[0]
    assert finding["category"] == "identity_mismatch"
    assert finding["identity"] == {
        "field": "appid",
        "expected": "wx1234567890abcdef",
        "found": "wx0123456789abcdef",
    }
    # An Android expectation on a mini-program names the platform it found.
    report = scan_package(root, expect=Identity(package="cn.gov.example"))
    assert report.findings[0]["identity"]["found"] == "wechat: wx0123456789abcdef"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("package", "not KEY=VALUE"),
        ("package=", "not KEY=VALUE"),
        ("colour=red", "unknown"),
        ("cert_sha256=xyz", "64 hexadecimal"),
        ("package=a.b,package=c.d", "given twice"),
        ("package=a b", "not a package name"),
    ],
)
def test_bad_expect_syntax(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_expect(text)


def test_expect_accepts_colons_and_upper_case() -> None:
    identity = parse_expect("package=cn.gov.x, cert_sha256=" + ":".join(["AB"] * 32))
    assert identity == Identity(package="cn.gov.x", cert_sha256=("ab" * 32,))
    assert Identity.from_dict(identity.to_dict()) == identity

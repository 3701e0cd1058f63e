"""iOS .ipa reader: Info.plist identity, provisioning profile, Mach-O strings and signature, resources."""

from __future__ import annotations

import contextlib
import hashlib
import json
import plistlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govapp.inspection.engine import formats
from govapp.inspection.engine.errors import PackageError
from govapp.inspection.engine.facts import Interest
from govapp.inspection.engine.formats.ipa import parse_mobileprovision, strings_table
from govapp.inspection.engine.formats.macho import iter_strings, parse_macho
from govapp.inspection.engine.identity import Identity
from govapp.inspection.engine.limits import Limits
from govapp.inspection.engine.scan import scan_package
from tests.inspection import builders as b
from tests.inspection.engine.conftest import mutations

TEAM = "AB12CD34EF"
BUNDLE = "cn.gov.example.grid"
ENTITLEMENTS = {
    "application-identifier": f"{TEAM}.{BUNDLE}",
    "com.apple.developer.team-identifier": TEAM,
    "get-task-allow": False,
}


@pytest.fixture(scope="module")
def developer() -> b.ios.SigningIdentity:
    return b.signing_identity(f"iPhone Distribution: Example Bureau ({TEAM})", team_id=TEAM)


def _signed_executable(developer: b.ios.SigningIdentity, **kwargs: Any) -> bytes:
    signature = b.code_signature(identifier=BUNDLE, team_id=TEAM, entitlements=ENTITLEMENTS, signer=developer)
    return b.macho(signature=signature, **kwargs)


def _profile(developer: b.ios.SigningIdentity, **kwargs: Any) -> bytes:
    return b.mobileprovision(
        bundle_id=BUNDLE, team_id=TEAM, developer_certificates=[developer.der], all_devices=True, **kwargs
    )


def _scan(tmp_path: Path, data: bytes, name: str = "grid.ipa", **kwargs: Any):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    return scan_package(path, **kwargs)


def _status(findings: list[dict[str, Any]], category: str) -> str | None:
    statuses = [f["status"] for f in findings if f["category"] == category]
    return statuses[0] if statuses else None


def test_identity_signature_and_profile(tmp_path: Path, developer: b.ios.SigningIdentity) -> None:
    data = b.ipa(executable=_signed_executable(developer), profile=_profile(developer))
    # Detection is by structure: the file name says nothing.
    report = _scan(tmp_path, data, name="release.bin")
    package = report.package
    assert (package["kind"], package["platform"], package["id"], package["name"]) == (
        "ipa",
        "ios",
        BUNDLE,
        "网格通",
    )
    assert (package["version"], package["version_code"], package["min_sdk"]) == ("2.3.0", "230", "13.0")
    assert package["debuggable"] is False
    assert [c["sha256"] for c in package["certificates"]] == [hashlib.sha256(developer.der).hexdigest()]
    assert package["certificates"][0]["scheme"] == "ios-codesign"
    signing = package["signing"]
    assert signing["profile_type"] == "enterprise" and signing["team_id"] == TEAM
    assert signing["profile_certificates"] == [package["certificates"][0]["sha256"]]
    assert signing["code_identifier"] == BUNDLE
    identity = report.identity
    assert identity["platform"] == "ios" and identity["bundle"] == BUNDLE
    assert identity["developer_id"] == TEAM and identity["app_identifier"] == f"{TEAM}.{BUNDLE}"
    assert identity["signed"] is True
    assert report.verdict == "pass" and report.errors == []
    assert report.exit_code == 0


def test_an_xml_info_plist_reads_the_same(tmp_path: Path) -> None:
    report = _scan(tmp_path, b.ipa(info=b.info_plist(binary=False), executable=b.macho()))
    assert report.package["id"] == BUNDLE and report.package["name"] == "网格通"


def test_the_bundle_id_is_bound_to_the_filing(tmp_path: Path) -> None:
    data = b.ipa(executable=b.macho())
    other = _scan(tmp_path, data, expect=Identity(bundle="cn.gov.other.app"))
    mismatch = [f for f in other.findings if f["category"] == "identity_mismatch"]
    assert mismatch and mismatch[0]["identity"] == {
        "field": "bundle",
        "expected": "cn.gov.other.app",
        "found": BUNDLE,
    }
    assert other.exit_code == 1
    same = _scan(tmp_path, data, name="same.ipa", expect=Identity(bundle=BUNDLE))
    assert not [f for f in same.findings if f["category"].startswith("identity_")]


def test_background_location_mode_with_updates_is_tracking(tmp_path: Path) -> None:
    info = b.info_plist(
        extra={
            "UIBackgroundModes": ["fetch", "location"],
            "NSLocationAlwaysAndWhenInUseUsageDescription": "用于巡查期间记录位置",
        }
    )
    report = _scan(tmp_path, b.ipa(info=info, executable=b.macho(selectors=["startUpdatingLocation"])))
    assert "UIBackgroundModes:location" in report.package["permissions"]
    finding = next(f for f in report.findings if f["category"] == "location_tracking")
    assert finding["status"] == "violation"
    files = {e["file"] for e in finding["evidence"]}
    assert "Payload/Grid.app/Info.plist" in files
    assert report.exit_code == 1


def test_one_off_location_and_other_background_modes_are_not_tracking(tmp_path: Path) -> None:
    info = b.info_plist(
        extra={
            "UIBackgroundModes": ["audio", "remote-notification"],
            # "location" right after the background modes, in another key's array: a trap for the pattern.
            "UISupportedExternalAccessoryProtocols": ["location"],
            "NSLocationWhenInUseUsageDescription": "用于查找附近的办事网点",
        }
    )
    report = _scan(tmp_path, b.ipa(info=info, executable=b.macho(selectors=["requestLocation"])))
    assert _status(report.findings, "location_tracking") in (None, "advisory")
    assert "UIBackgroundModes:location" not in report.package["permissions"]


def test_binary_strings_and_localised_resources_are_evidence(tmp_path: Path) -> None:
    executable = b.macho(cstrings=["今日未打卡", "请完成每日打卡签到"], selectors=["viewDidLoad"])
    resources = {
        "zh-Hans.lproj/Localizable.strings": '"rank.title" = "各单位积分排行榜";\n'.encode("utf-16"),
        "Base.lproj/Main.strings": plistlib.dumps({"title": "学习时长统计"}, fmt=plistlib.FMT_BINARY),
    }
    report = _scan(tmp_path, b.ipa(executable=executable, resources=resources))
    checkin = next(f for f in report.findings if f["category"] == "checkin")
    assert checkin["status"] == "violation"
    assert {e["file"] for e in checkin["evidence"]} == {"Payload/Grid.app/Grid"}
    assert checkin["evidence"][0]["location"].startswith("offset 0x")
    ranking = next(f for f in report.findings if f["category"] == "ranking")
    assert ranking["evidence"][0]["file"] == "Payload/Grid.app/zh-Hans.lproj/Localizable.strings"


def test_an_encrypted_executable_is_noted_and_the_rest_scanned(tmp_path: Path) -> None:
    executable = b.macho(cstrings=["请完成每日打卡签到"], encrypted=True)
    resources = {"www/index.html": "<h2>积分排行榜</h2><script src='app.js'></script>"}
    report = _scan(tmp_path, b.ipa(executable=executable, resources=resources))
    assert report.verdict != "error"
    assert any("encrypted (FairPlay, LC_ENCRYPTION_INFO cryptid=1)" in note for note in report.notes)
    assert report.package["signing"]["encrypted"] is True
    # The encrypted range is never read as text; the web assets still are.
    assert _status(report.findings, "checkin") is None
    assert _status(report.findings, "ranking") == "violation"


def test_a_development_profile_makes_the_app_debuggable(
    tmp_path: Path, developer: b.ios.SigningIdentity
) -> None:
    profile = b.mobileprovision(
        bundle_id=BUNDLE, team_id=TEAM, developer_certificates=[developer.der], get_task_allow=True,
        devices=["00008030-001A2B3C4D5E6F70"],
    )  # fmt: skip
    report = _scan(tmp_path, b.ipa(executable=b.macho(), profile=profile))
    assert report.package["signing"]["profile_type"] == "development"
    assert report.package["debuggable"] is True
    assert _status(report.findings, "debuggable") == "violation"
    # Without a code signature, the certificates are those the profile allows.
    assert report.package["certificates"][0]["scheme"] == "mobileprovision"
    assert any("no code signature" in note for note in report.notes)


def test_an_ad_hoc_profile_and_an_app_store_build(tmp_path: Path, developer: b.ios.SigningIdentity) -> None:
    profile = b.mobileprovision(
        bundle_id=BUNDLE, team_id=TEAM, developer_certificates=[developer.der], devices=["udid-1"]
    )
    ad_hoc = _scan(tmp_path, b.ipa(executable=_signed_executable(developer), profile=profile))
    assert ad_hoc.package["signing"]["profile_type"] == "ad-hoc"
    store = _scan(tmp_path, b.ipa(executable=_signed_executable(developer)), name="store.ipa")
    assert store.package["signing"]["profile"] is None
    assert store.identity["developer_id"] == TEAM  # from the code signature
    assert any("no embedded.mobileprovision" in note for note in store.notes)


def test_hybrid_web_assets_get_the_source_analysis(tmp_path: Path) -> None:
    resources = {
        "www/index.html": "<div id='app'></div><script src='js/app.js'></script>",
        "www/js/app.js": (
            "// wx.startLocationUpdateBackground({}) was removed\n"
            "var title = '各乡镇学习积分排名';\nlist.sort(function (a, b) { return b.points - a.points })\n"
        ),
        "www/js/vendor/map-sdk.js": "function track() { uni.startLocationUpdateBackground({}) } // 实时定位\n",
        # A framework's resources are the framework vendor's, never the app's.
        "Frameworks/Chat.framework/zh-Hans.lproj/Chat.strings": '"a" = "每日打卡签到";',
    }
    report = _scan(tmp_path, b.ipa(executable=b.macho(), resources=resources))
    assert _status(report.findings, "ranking") == "violation"
    assert _status(report.findings, "location_tracking") in (None, "advisory")
    assert _status(report.findings, "checkin") in (None, "advisory")


def test_a_zip_with_payload_but_no_app_bundle_is_no_ipa(tmp_path: Path) -> None:
    report = _scan(tmp_path, b.zip_bytes({"Payload/readme.txt": "nothing"}))
    assert report.verdict == "error" and report.error_kind == "unsupported"
    assert "iOS .ipa" in report.errors[0]


def test_a_broken_info_plist_is_a_clear_error(tmp_path: Path) -> None:
    report = _scan(tmp_path, b.ipa(info=b"bplist00\x00\x01garbage", executable=b.macho()))
    assert report.verdict == "error" and report.error_kind == "malformed"
    assert "Payload/Grid.app/Info.plist is not a valid property list" in report.errors[0]
    assert report.exit_code == 2


def test_a_broken_executable_is_a_clear_error(tmp_path: Path) -> None:
    report = _scan(tmp_path, b.ipa(executable=b"\xcf\xfa\xed\xfe" + b"\x00" * 8))
    assert report.verdict == "error"
    assert "Payload/Grid.app/Grid" in report.errors[0] and "Mach-O" in report.errors[0]


def test_missing_bundle_id_is_a_note(tmp_path: Path) -> None:
    info = plistlib.dumps({"CFBundleExecutable": "Grid", "CFBundleName": "Grid"})
    report = _scan(tmp_path, b.ipa(info=info, executable=b.macho()))
    assert report.package["id"] is None
    assert any("CFBundleIdentifier" in note for note in report.notes)


def test_a_fat_executable_is_read_per_slice() -> None:
    data = b.macho(cstrings=["每日打卡签到"], fat=True)
    slices = parse_macho(data, "Grid")
    assert [s.cpu for s in slices] == ["arm64"]
    assert "每日打卡签到" in {s.text for s in iter_strings(data, slices, cap=1 << 20)}


def test_the_strings_cap_is_honoured() -> None:
    data = b.macho(cstrings=[f"string number {i:04d}" for i in range(200)])
    slices = parse_macho(data, "Grid")
    found = list(iter_strings(data, slices, cap=100))
    assert 0 < len(found) < 10


def test_a_profile_without_its_envelope_is_read_from_the_plist() -> None:
    plist = plistlib.dumps({"TeamIdentifier": [TEAM], "Name": "raw"})
    assert parse_mobileprovision(b"\x30\x80junk" + plist + b"\x00tail", "p")["TeamIdentifier"] == [TEAM]
    with pytest.raises(PackageError, match="not a provisioning profile"):
        parse_mobileprovision(b"\x30\x80junk", "p")


def test_strings_tables_in_each_encoding() -> None:
    assert "排行" in strings_table('"a" = "排行";'.encode("utf-16"))
    assert "排行" in strings_table('"a" = "排行";'.encode())
    assert '"a" = "排行";' in strings_table(plistlib.dumps({"a": "排行"}, fmt=plistlib.FMT_BINARY))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_executables_fail_only_as_package_errors(data: st.DataObject) -> None:
    seed = b.macho(
        cstrings=["打卡"],
        selectors=["startUpdatingLocation"],
        signature=b.code_signature(identifier=BUNDLE, team_id=TEAM, entitlements=ENTITLEMENTS, signer=None),
    )
    blob = data.draw(mutations(seed))
    try:
        slices = parse_macho(blob, "Grid")
        list(iter_strings(blob, slices, cap=1 << 20))
    except PackageError:
        pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_ipas_fail_only_as_package_errors(data: st.DataObject) -> None:
    seed = b.ipa(info=b.info_plist(), executable=b.macho(cstrings=["打卡"]))
    blob = data.draw(mutations(seed))
    with contextlib.suppress(PackageError):
        formats.read_package_bytes(blob, "x.ipa", Interest.everything(), Limits(), depth=0)


def test_the_ipa_report_matches_the_schema_and_renders(
    tmp_path: Path, developer: b.ios.SigningIdentity
) -> None:
    from govapp.inspection.engine.html_report import render_html
    from tests.inspection.engine.test_report import SCHEMA_PATH, validate

    schema = json.loads(SCHEMA_PATH.read_text())
    info = b.info_plist(extra={"UIBackgroundModes": ["location"]})
    report = _scan(
        tmp_path, b.ipa(info=info, executable=_signed_executable(developer), profile=_profile(developer))
    )
    data = json.loads(json.dumps(report.to_dict()))
    validate(data, schema, schema)
    assert "Info.plist" in render_html(report)


def test_a_profile_with_fields_of_the_wrong_types_is_read_without_them(tmp_path: Path) -> None:
    odd = plistlib.dumps(
        {"DeveloperCertificates": 5, "Entitlements": "all", "TeamIdentifier": "AB", "ExpirationDate": "soon"}
    )
    report = _scan(tmp_path, b.ipa(executable=b.macho(), profile=b"\x30\x80" + odd))
    assert report.verdict != "error", report.errors
    signing = report.package["signing"]
    assert signing["team_id"] is None and signing["profile_certificates"] == []
    assert report.package["certificates"] == []


def test_an_expired_profile_is_a_note(tmp_path: Path, developer: b.ios.SigningIdentity) -> None:
    import datetime as dt

    profile = _profile(developer, expires=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    report = _scan(tmp_path, b.ipa(executable=b.macho(), profile=profile))
    assert any("provisioning profile expired on 2020-01-01" in note for note in report.notes)

"""iOS .ipa reader: Info.plist identity, provisioning profile, Mach-O strings and signature, resources."""

from __future__ import annotations

import hashlib
import json
import plistlib
import struct
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govapp.inspection.engine import formats
from govapp.inspection.engine.errors import PackageError
from govapp.inspection.engine.facts import Interest
from govapp.inspection.engine.formats import ipa as ipa_reader
from govapp.inspection.engine.formats import macho as macho_reader
from govapp.inspection.engine.formats.ipa import parse_mobileprovision, strings_table
from govapp.inspection.engine.formats.macho import iter_strings, parse_macho
from govapp.inspection.engine.formats.plists import PlistTooLarge, load_plist
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


def _sectionless_macho(tail: bytes) -> bytes:
    """A thin 64-bit Mach-O with no load command: the reader scans the whole file for text."""
    return struct.pack("<IiiIIIII", 0xFEEDFACF, 0x0100000C, 0, 2, 0, 0, 0, 0) + tail


_MUTATION_SEEDS = [
    b.macho(
        cstrings=["打卡"],
        selectors=["startUpdatingLocation"],
        signature=b.code_signature(identifier=BUNDLE, team_id=TEAM, entitlements=ENTITLEMENTS, signer=None),
    ),
    # No sections: the whole-file text scan, where hostile bytes once raised UnicodeDecodeError.
    _sectionless_macho("每日打卡签到 daily check-in".encode() + b"\0" * 8),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_executables_fail_only_as_package_errors(data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(_MUTATION_SEEDS))
    blob = data.draw(mutations(seed))
    try:
        slices = parse_macho(blob, "Grid")
        list(iter_strings(blob, slices, cap=1 << 20))
    except PackageError:
        pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_ipas_fail_only_as_package_errors(data: st.DataObject) -> None:
    # The parts are mutated, not the zip (whose CRCs would refuse almost every mutation before a reader runs).
    part = data.draw(st.sampled_from(["executable", "info", "profile"]))
    executable = data.draw(st.sampled_from(_MUTATION_SEEDS))
    info = b.info_plist()
    profile = b"\x30\x80" + plistlib.dumps({"TeamIdentifier": [TEAM], "Entitlements": ENTITLEMENTS})
    if part == "executable":
        executable = data.draw(mutations(executable))
    elif part == "info":
        info = data.draw(mutations(info))
    else:
        profile = data.draw(mutations(profile))
    blob = b.ipa(info=info, executable=executable, profile=profile)
    try:
        formats.read_package_bytes(blob, "x.ipa", Interest.everything(), Limits(), depth=0)
    except PackageError as exc:
        # The entry point turns any other exception into this message: a reader bug, not a clear error.
        assert "the reader failed" not in str(exc)


def test_hostile_utf8_in_a_sectionless_macho_is_read_without_error() -> None:
    # 40 bytes: a surrogate (ED A0 80) and an overlong NUL (C0 80) inside printable text.
    data = _sectionless_macho(b"ab\xed\xa0\x80cd\x00")
    assert len(data) == 40
    texts = [s.text for s in iter_strings(data, parse_macho(data, "Grid"), cap=1 << 20)]
    assert all("\ud800" not in text for text in texts)
    overlong = _sectionless_macho(b"abcd\xc0\x80efgh\xe0\x80\x80ijkl")
    texts = [s.text for s in iter_strings(overlong, parse_macho(overlong, "Grid"), cap=1 << 20)]
    assert texts == ["abcd", "efgh", "ijkl"]


# ---------------------------------------------------------------- hostile input, bounded work


def _exponential_plist(depth: int = 21, **top: Any) -> bytes:
    """A binary plist of ``depth`` nested arrays, each referring twice to the next: ~200 bytes that a naive
    walk expands into 2^depth copies."""
    node: Any = ["每日打卡签到"]
    for _ in range(depth):
        node = [node, node]
    return plistlib.dumps({**top, "Nested": node}, fmt=plistlib.FMT_BINARY)


def test_the_bounded_loader_refuses_shared_references_past_the_bounds() -> None:
    started = time.monotonic()
    with pytest.raises(PlistTooLarge, match="more than 100000 values"):
        load_plist(_exponential_plist())
    assert time.monotonic() - started < 2
    deep: Any = "bottom"
    for _ in range(70):
        deep = [deep]
    with pytest.raises(PlistTooLarge, match="nested deeper than 64 levels"):
        load_plist(plistlib.dumps(deep, fmt=plistlib.FMT_BINARY))
    with pytest.raises(PlistTooLarge, match="more than 8 characters of text"):
        load_plist(plistlib.dumps(["abcde", "fghij"]), max_text=8)
    # Sharing within the bounds is copied: the values are independent of each other.
    value = load_plist(_exponential_plist(depth=4))
    assert value["Nested"][0] == value["Nested"][1] and value["Nested"][0] is not value["Nested"][1]


def test_an_exponential_info_plist_is_kept_as_nothing_with_a_note(tmp_path: Path) -> None:
    info = _exponential_plist(CFBundleIdentifier=BUNDLE, CFBundleExecutable="Grid")
    started = time.monotonic()
    report = _scan(tmp_path, b.ipa(info=info, executable=b.macho()))
    assert time.monotonic() - started < 10
    assert report.verdict != "error", report.errors
    assert any(
        "Payload/Grid.app/Info.plist: holds more than 100000 values" in note and "not scanned" in note
        for note in report.notes
    )
    # Nothing of it is kept: no identity, no executable name, no evidence from its text.
    assert report.package["id"] is None
    assert _status(report.findings, "checkin") is None
    assert _status(report.findings, "code_not_analysed") == "advisory"


def test_an_exponential_resource_plist_and_entitlements_are_not_read(
    tmp_path: Path, developer: b.ios.SigningIdentity
) -> None:
    signature = b.code_signature(
        identifier=BUNDLE,
        team_id=TEAM,
        entitlements={},
        signer=developer,
        entitlements_plist=_exponential_plist(),
    )
    resources = {"Settings.bundle/Root.plist": _exponential_plist(), "Settings.plist": _exponential_plist()}
    started = time.monotonic()
    report = _scan(tmp_path, b.ipa(executable=b.macho(signature=signature), resources=resources))
    assert time.monotonic() - started < 10
    assert report.verdict != "error", report.errors
    assert any("Payload/Grid.app/Settings.plist: holds more than 100000 values" in n for n in report.notes)
    assert any("the signed entitlements are too large or invalid" in n for n in report.notes)
    assert _status(report.findings, "checkin") is None
    assert "entitlements" not in report.package["signing"]
    # The certificate of the signature is still read: the entitlements alone are lost.
    assert report.package["certificates"][0]["scheme"] == "ios-codesign"


def test_an_exponential_provisioning_profile_is_a_signing_error(tmp_path: Path) -> None:
    profile = b"\x30\x80" + _exponential_plist(TeamIdentifier=[TEAM])
    report = _scan(tmp_path, b.ipa(executable=b.macho(), profile=profile), expect=Identity(
        cert_sha256=("ab" * 32,)
    ))  # fmt: skip
    assert report.verdict == "violation" and report.errors == []
    assert "team_id" not in report.package["signing"]
    assert report.identity["certificate_errors"]
    assert [f["category"] for f in report.findings][0] == "identity_unverifiable"


def test_repeated_code_signature_commands_are_refused_fast() -> None:
    signature = b.code_signature(identifier=BUNDLE, team_id=TEAM, entitlements=ENTITLEMENTS, signer=None)
    data = b.macho(signature=signature + b"\0" * (1 << 20), signature_commands=64)
    started = time.monotonic()
    with pytest.raises(PackageError, match="load commands #1 and #2 are both LC_CODE_SIGNATURE"):
        parse_macho(data, "Grid")
    assert time.monotonic() - started < 1
    assert parse_macho(b.macho(signature=signature), "Grid")[0].signature is not None


def test_oversized_signature_blobs_are_not_read(
    monkeypatch: pytest.MonkeyPatch, developer: b.ios.SigningIdentity
) -> None:
    monkeypatch.setattr(macho_reader, "MAX_SIGNATURE_BLOB", 64)
    signature = b.code_signature(identifier=BUNDLE, team_id=TEAM, entitlements=ENTITLEMENTS, signer=developer)
    parsed = parse_macho(b.macho(signature=signature), "Grid")[0].signature
    assert parsed is not None and parsed.identifier == BUNDLE
    assert parsed.cms is None and parsed.entitlements == {} and parsed.entitlements_unread == "too_large"
    assert len(parsed.errors) == 2 and "CMS blob" in parsed.errors[1]


def test_an_invalid_cms_signature_leaves_the_signer_unknown_not_the_scan(
    tmp_path: Path, developer: b.ios.SigningIdentity
) -> None:
    signature = b.code_signature(
        identifier=BUNDLE, team_id=TEAM, entitlements=ENTITLEMENTS, signer=None, cms=b"\x30\x03not cms"
    )
    data = b.ipa(
        executable=b.macho(signature=signature, cstrings=["请完成每日打卡签到"]), profile=_profile(developer)
    )
    report = _scan(tmp_path, data, expect=Identity(cert_sha256=(hashlib.sha256(developer.der).hexdigest(),)))
    assert report.errors == [] and report.verdict == "violation"
    assert any("the code signature's CMS signature is invalid" in note for note in report.notes)
    assert "code signature is not valid PKCS#7" in report.package["signing"]["errors"][0]
    # The profile's certificates are not taken for the broken signature's signer.
    assert report.package["certificates"] == []
    assert report.findings[0]["category"] == "identity_unverifiable"
    assert _status(report.findings, "checkin") == "violation"  # the rest of the scan ran


def test_an_oversized_profile_is_a_note_and_a_signing_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ipa_reader, "_MAX_PLIST", 4096)
    profile = b"\x30\x80" + plistlib.dumps({"TeamIdentifier": [TEAM], "Padding": "x" * 8192})
    report = _scan(tmp_path, b.ipa(executable=b.macho(), profile=profile))
    assert report.errors == []
    assert any("the provisioning profile is larger than 4096 bytes" in note for note in report.notes)
    assert report.package["signing"]["errors"]


def test_string_tables_are_split_the_same_across_chunk_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    strings = [f"string {i:03d} " + "长" * (i % 7) for i in range(300)] + ["x" * 5000]
    data = b.macho(cstrings=strings)
    whole = [(s.offset, s.text) for s in iter_strings(data, parse_macho(data, "Grid"), cap=1 << 20)]
    assert [text for _o, text in whole] == strings
    monkeypatch.setattr(macho_reader, "_CHUNK", 97)
    chunked = [(s.offset, s.text) for s in iter_strings(data, parse_macho(data, "Grid"), cap=1 << 20)]
    # The 5000-byte string is cut at the chunk size; every other string and offset is the same.
    assert chunked[:300] == whole[:300] and "".join(text for _o, text in chunked[300:]) == "x" * 5000
    for offset, text in whole:
        assert data[offset : offset + len(text.encode())].decode() == text


def test_the_number_of_executable_strings_is_capped_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ipa_reader, "MAX_EXECUTABLE_STRING_COUNT", 50)
    monkeypatch.setattr(ipa_reader, "_STRING_BATCH", 7)
    executable = b.macho(
        cstrings=["今日未打卡", *(f"filler {i:04d}" for i in range(100)), "请完成每日打卡签到"]
    )
    report = _scan(tmp_path, b.ipa(executable=executable))
    assert any("holds more than 50 strings; only the first 50 were scanned" in note for note in report.notes)
    checkin = next(f for f in report.findings if f["category"] == "checkin")
    assert [e["snippet"] for e in checkin["evidence"]] == ["今日未打卡"]


# ---------------------------------------------------------------- code not analysed


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda: b.ipa(executable=b.macho(encrypted=True)), "encrypted"),
        (lambda: b.ipa(executable=None), "missing"),
        (lambda: b.ipa(info=plistlib.dumps({"CFBundleIdentifier": BUNDLE}), executable=b.macho()), "no_name"),
    ],
)
def test_an_executable_not_analysed_is_an_advisory_finding(tmp_path: Path, build: Any, reason: str) -> None:
    report = _scan(tmp_path, build())
    finding = next(f for f in report.findings if f["category"] == "code_not_analysed")
    assert finding["status"] == "advisory" and finding["coverage"]["reason"] == reason
    assert "Submit a development or ad-hoc build" in finding["description"]["en"]
    assert "请提交开发版本或临时分发版本" in finding["description"]["zh"]
    assert report.verdict == "pass"  # advisory: it does not decide, the reviewer sees it
    from govapp.inspection.engine.html_report import render_html
    from tests.inspection.engine.test_report import SCHEMA_PATH, validate

    schema = json.loads(SCHEMA_PATH.read_text())
    validate(json.loads(json.dumps(report.to_dict())), schema, schema)
    assert "请提交开发版本或临时分发版本" in render_html(report)
    clean = _scan(tmp_path, b.ipa(executable=b.macho()), name="clean.ipa")
    assert _status(clean.findings, "code_not_analysed") is None


def test_an_executable_over_the_cap_is_not_analysed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ipa_reader, "_MAX_EXECUTABLE", 100)
    report = _scan(tmp_path, b.ipa(executable=b.macho(cstrings=["请完成每日打卡签到"])))
    assert any("the executable is larger than 100 bytes" in note for note in report.notes)
    finding = next(f for f in report.findings if f["category"] == "code_not_analysed")
    assert finding["coverage"] == {"file": "Payload/Grid.app/Grid", "reason": "too_large"}


def test_every_note_the_ipa_reader_writes_has_a_code() -> None:
    import ast

    from govapp.inspection.engine.notes import NOTES

    source = Path(ipa_reader.__file__).read_text(encoding="utf-8")
    appended = [
        node.args[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("append", "extend")
        and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "notes"
    ]  # fmt: skip
    assert appended, "the reader writes notes"
    for arg in appended:
        assert isinstance(arg, ast.Call) and getattr(arg.func, "id", None) == "Note", ast.unparse(arg)
        assert isinstance(arg.args[0], ast.Constant) and arg.args[0].value in NOTES, ast.unparse(arg)


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

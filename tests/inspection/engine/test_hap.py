"""HarmonyOS HAP and .app reader, Ark bytecode strings, resources.index, signing block."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from govapp.inspection.engine import formats
from govapp.inspection.engine.errors import LimitExceeded, PackageError
from govapp.inspection.engine.formats import abc
from govapp.inspection.engine.formats.hap_resources import parse_resource_index
from govapp.inspection.engine.limits import Limits
from tests.inspection import builders as b

LIMITS = Limits()
REAL_SAMPLE = Path("/work/shared/samples/hap/example-signed.hap")


def _read(data: bytes, label: str = "entry.hap"):  # type: ignore[no-untyped-def]
    return formats.read_package_bytes(data, label, b.formalism_interest(), LIMITS, depth=0)


def test_stage_model_identity_permissions_components() -> None:
    facts = _read(b.hap())
    assert (facts.format, facts.platform) == ("hap", "harmonyos")
    assert (facts.id, facts.name, facts.version, facts.version_code) == (
        "gov.example.attendance",
        "掌上考勤",
        "1.2.0",
        "1002000",
    )
    assert facts.permissions == ["ohos.permission.INTERNET", "ohos.permission.LOCATION"]
    assert [(c.kind, c.name, c.exported) for c in facts.components] == [
        ("ability", "EntryAbility", True),
        ("extension", "CheckinWidget", False),
    ]
    assert facts.extra["model"] == "stage"
    assert facts.debuggable is False


def test_signing_profile_and_certificates() -> None:
    facts = _read(b.hap(profile_type="release"))
    assert facts.signing["profile_type"] == "release"
    assert facts.signing["issuer"] == "app_gallery"
    assert facts.signing["developer_id"] == "1234567890"
    assert facts.signing["bundle_name"] == "gov.example.attendance"
    assert len(facts.certificates) == 1
    certificate = facts.certificates[0]
    assert "Gov Developer" in certificate.subject and certificate.scheme == "hap" and not certificate.debug
    assert len(certificate.sha256) == 64


def test_debug_profile_marks_debuggable() -> None:
    facts = _read(b.hap(profile_type="debug"))
    assert facts.signing["profile_type"] == "debug"
    assert facts.debuggable is True
    assert all(c.debug for c in facts.certificates)


def test_unsigned_hap_is_read_with_a_note() -> None:
    facts = _read(b.hap(sign=False))
    assert facts.signing == {"signed": False}
    assert facts.certificates == []
    assert any("unsigned" in n for n in facts.notes)


def test_ark_strings_and_platform_api_references() -> None:
    facts = _read(
        b.hap(abc_strings=["Index", "每日打卡", "@ohos:geoLocationManager", "getCurrentLocation", "x"])
    )
    assert [(t.text, t.surface, t.evidence.file) for t in facts.texts] == [
        ("每日打卡", "script", "ets/modules.abc")
    ]
    assert [a.api for a in facts.apis] == ["@ohos.geoLocationManager.getCurrentLocation"]


def test_resource_strings_are_text_surfaces() -> None:
    data = b.hap(app_name="考勤打卡")
    facts = _read(data)
    assert ("考勤打卡", "resource") in {(t.text, t.surface) for t in facts.texts}


def test_resources_index_prefers_chinese_label() -> None:
    blob = b.resources_index({0x01000000: ("app_name", "Attendance")}, zh={0x01000000: "考勤"})
    index = parse_resource_index(blob, "resources.index", LIMITS)
    assert index.string_by_id(0x01000000) == "考勤"
    assert index.string_by_name("app_name") == "考勤"


def test_fa_model_config_json_and_js() -> None:
    config = {
        "app": {
            "bundleName": "gov.example.fa",
            "version": {"name": "3.0", "code": 30},
            "apiVersion": {"target": 8},
        },
        "module": {
            "reqPermissions": [{"name": "ohos.permission.CAMERA"}],
            "abilities": [{"name": ".MainAbility", "label": "FA 政务", "visible": True}],
            "js": [{"pages": ["pages/index/index"]}],
        },
    }
    files = {"assets/js/default/pages/index/index.js": "geo(); var t = '在线时长统计'"}
    facts = _read(b.hap(fa_config=config, files=files, sign=False))
    assert (facts.id, facts.version, facts.version_code, facts.extra["model"]) == (
        "gov.example.fa",
        "3.0",
        "30",
        "fa",
    )
    assert facts.permissions == ["ohos.permission.CAMERA"]
    assert ("page", "pages/index/index") in {(c.kind, c.name) for c in facts.components}
    hit = next(t for t in facts.texts if t.text == "在线时长统计")
    assert hit.evidence.file == "assets/js/default/pages/index/index.js"
    assert hit.evidence.caller == "assets/js/default/pages/index/index"


def test_app_bundle_reads_its_modules() -> None:
    data = b.app_bundle({"entry-default.hap": b.hap(abc_strings=["积分排名"])})
    facts = _read(data, "bundle.app")
    assert (facts.format, facts.id, facts.version, facts.name) == (
        "app",
        "gov.example.attendance",
        "1.2.0",
        "掌上考勤",
    )
    assert len(facts.children) == 1
    child = facts.children[0]
    assert child.format == "hap" and child.path == "bundle.app!entry-default.hap"
    assert [t.text for t in child.texts if t.surface == "script"] == ["积分排名"]
    assert facts.permissions == child.permissions
    assert facts.certificates == child.certificates


def test_app_nested_past_max_depth_is_refused() -> None:
    data = b.app_bundle({"entry.hap": b.hap(sign=False)})
    with pytest.raises(LimitExceeded, match="deeper than the limit of 0"):
        formats.read_package_bytes(data, "x.app", b.formalism_interest(), Limits(max_depth=0), depth=0)


def test_corrupted_signing_block_is_a_package_error() -> None:
    data = bytearray(b.hap())
    at = data.find(b"<hap sign block>")
    data[at - 12 : at - 4] = (10**9).to_bytes(8, "little")  # block size beyond the file
    with pytest.raises(PackageError, match="signing block header is corrupted"):
        _read(bytes(data))


def test_bad_manifest_json_is_a_package_error() -> None:
    data = b.zip_bytes({"module.json": "{not json", "pack.info": "{}"})
    with pytest.raises(PackageError, match="module.json is missing, too large or not a JSON object"):
        _read(data)


def test_ark_header_size_mismatch_is_refused() -> None:
    blob = b.ark_bytecode(["abc"])
    with pytest.raises(PackageError, match="declares"):
        abc.parse_header(blob + b"\0", "modules.abc")
    with pytest.raises(PackageError, match="no PANDA magic"):
        abc.parse_header(b"X" * 80, "modules.abc")


@pytest.mark.skipif(not REAL_SAMPLE.exists(), reason="real HAP sample not present")
def test_real_signed_sample_agrees_with_its_contents() -> None:
    facts = formats.read_package(REAL_SAMPLE, b.formalism_interest(), LIMITS)
    assert (facts.id, facts.name, facts.version, facts.version_code) == (
        "com.example.approov",
        "Approov",
        "1.0.0",
        "1000000",
    )
    assert facts.signing["profile_type"] == "debug"
    assert facts.signing["issuer"] == "app_gallery"
    assert facts.signing["developer_id"] == "30086000795458159"
    assert facts.signing["bundle_name"] == "com.example.approov"
    assert facts.debuggable is True
    assert [c.kind for c in facts.components] == ["ability", "extension"]
    leaf = facts.certificates[0]
    assert "Development" in leaf.subject
    assert leaf.sha256 == facts.signing["development_certificate_sha256"]
    assert facts.sha256 == hashlib.sha256(REAL_SAMPLE.read_bytes()).hexdigest()
    strings = [s.text for s in abc.iter_strings(_entry(REAL_SAMPLE, "ets/modules.abc"))]
    assert "Hello World" in strings and "@ohos:hilog" in strings


def _entry(path: Path, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def test_module_json_label_literal_without_resources() -> None:
    manifest = b.module_json()
    manifest["app"]["label"] = "直接名称"
    del manifest["app"]["labelId"]
    data = b.zip_bytes({"module.json": json.dumps(manifest, ensure_ascii=False), "pack.info": "{}"})
    facts = _read(data)
    assert facts.name == "直接名称"
    assert any("resources.index" in n for n in facts.notes)

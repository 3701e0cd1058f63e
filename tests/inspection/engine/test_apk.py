"""read_apk over APKs built at test time: identity, signing, components and linked text/API hits."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pytest

from govapp.inspection.engine.errors import PackageError
from govapp.inspection.engine.facts import Interest, PackageFacts
from govapp.inspection.engine.formats.apk import read_apk
from govapp.inspection.engine.limits import Limits
from govapp.inspection.engine.safezip import SafeZip
from tests.inspection.engine.conftest import AndroidCorpus

INTEREST = Interest(
    text=re.compile(r"签到|排名|排行|在线时长|学习时长|打卡|http://"),
    api=re.compile(
        r"Landroid/location/LocationManager;->request|Landroid/hardware/Camera;->open|uni\.getLocation"
    ),
    code_prefix=re.compile(r"org\.gov\.duty|com\.tencent"),
)


def read(path: Path, interest: Interest = INTEREST, limits: Limits | None = None) -> PackageFacts:
    limits = limits or Limits()
    data = path.read_bytes()
    with SafeZip(path, limits) as archive:
        return read_apk(
            archive,
            path=str(path),
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            interest=interest,
            limits=limits,
        )


def texts(facts: PackageFacts, surface: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for hit in facts.texts:
        if hit.surface == surface:
            out.setdefault(hit.text, []).append(hit.evidence)
    return out


def test_identity_of_a_clean_app(android: AndroidCorpus) -> None:
    facts = read(android.clean)
    assert (facts.format, facts.platform) == ("apk", "android")
    assert (facts.id, facts.name, facts.version, facts.version_code) == (
        "org.gov.clean",
        "政务服务",
        "1.2.0",
        "3",
    )
    assert (facts.min_sdk, facts.target_sdk, facts.debuggable) == ("21", "33", False)
    assert facts.permissions == ["android.permission.INTERNET"]
    assert facts.texts == [] and facts.apis == []
    assert facts.extra["dex_files"] == ["classes.dex"]


def test_release_signature_in_all_schemes(android: AndroidCorpus) -> None:
    facts = read(android.clean)
    assert facts.signing["schemes"] == ["v1", "v2", "v3"]
    assert [c.sha256 for c in facts.certificates] == [android.release_key.sha256]
    cert = facts.certificates[0]
    assert cert.subject == android.release_key.subject and cert.issuer == cert.subject
    assert cert.debug is False and cert.not_before.startswith("2026-01-01")


def test_v1_only_and_unsigned(android: AndroidCorpus) -> None:
    v1 = read(android.v1_only)
    assert v1.signing["schemes"] == ["v1"]
    assert [(c.sha256, c.scheme) for c in v1.certificates] == [(android.release_key.sha256, "v1")]
    unsigned = read(android.unsigned)
    assert unsigned.certificates == [] and unsigned.signing["schemes"] == []
    assert "the APK is not signed" in unsigned.notes


def test_debuggable_app_with_debug_certificate(android: AndroidCorpus) -> None:
    facts = read(android.debug)
    assert facts.debuggable is True and facts.name == "调试版"
    assert facts.signing["schemes"] == ["v2"] and facts.signing["debug_certificate"] is True
    assert [(c.sha256, c.debug, c.subject) for c in facts.certificates] == [
        (android.debug_key.sha256, True, "CN=Android Debug, O=Android, C=US")
    ]


def test_cleartext_app(android: AndroidCorpus) -> None:
    facts = read(android.cleartext)
    assert facts.extra["uses_cleartext_traffic"] is True
    config = facts.extra["network_security_config"]
    assert config["file"] == "res/xml/network_security_config.xml"
    assert config["base_cleartext_permitted"] is False
    assert config["cleartext_domains"] == ["portal.gov.example"]
    [evidence] = texts(facts, "dex")["http://10.12.0.8/portal/login"]
    assert evidence.caller == "Lorg/gov/net/Portal;->endpoint()Ljava/lang/String;" and evidence.invoked


def test_components_and_permissions(android: AndroidCorpus) -> None:
    facts = read(android.formalism)
    assert facts.permissions == [
        "android.permission.CAMERA",
        "android.permission.ACCESS_FINE_LOCATION",
        "android.permission.INTERNET",
    ]
    assert [(c.kind, c.name, c.exported) for c in facts.components] == [
        ("activity", "org.gov.duty.CheckinActivity", True),  # intent-filter, no explicit flag
        ("activity", "org.gov.duty.RankingActivity", False),
        ("service", "org.gov.duty.TrackService", False),
        ("receiver", "org.gov.duty.BootReceiver", True),
        ("provider", "org.gov.duty.FilesProvider", False),
    ]
    assert facts.extra["application_class"] == "org.gov.duty.DutyApp"


def test_label_and_version_name_resolve_through_resources(android: AndroidCorpus) -> None:
    facts = read(android.formalism)
    assert facts.name == "Duty Desk"  # the default configuration wins over values-zh
    assert (facts.version, facts.version_code) == ("2.0.1", "42")


def test_dex_strings_are_linked_to_their_calling_method(android: AndroidCorpus) -> None:
    dex = texts(read(android.formalism), "dex")
    checkin = "Lorg/gov/duty/CheckinActivity;->dailyCheckin(I)Ljava/lang/String;"
    assert [(e.caller, e.invoked) for e in dex["每日签到"]] == [(checkin, True)]
    assert [(e.caller, e.invoked) for e in dex["连续签到奖励"]] == [(checkin, True)]  # past a switch payload
    assert [e.caller for e in dex["部门积分排名"]] == [
        "Lorg/gov/duty/RankingActivity;->rankTitle()Ljava/lang/String;"
    ]
    assert [e.caller for e in dex["在线时长"]] == [
        "Lorg/gov/duty/RankingActivity;->onlineSeconds(J)Ljava/lang/String;"
    ]
    assert all(e.file == "classes.dex" and e.location.startswith("offset 0x") for e in dex["在线时长"])
    # A static field's initial value is in the DEX but no instruction loads it.
    [banner] = dex["学习强度排行"]
    assert (banner.invoked, banner.caller) == (False, None) and banner.location.startswith("string #")


def test_api_invocations(android: AndroidCorpus) -> None:
    apis = {(h.api, h.evidence.caller, h.evidence.invoked) for h in read(android.formalism).apis}
    assert apis == {
        (
            "Landroid/hardware/Camera;->open",
            "Lorg/gov/duty/CheckinActivity;->takePhoto()Landroid/hardware/Camera;",
            True,
        ),
        (
            "Landroid/location/LocationManager;->requestLocationUpdates",
            "Lorg/gov/duty/TrackService;->track(Landroid/location/LocationManager;Landroid/location/LocationListener;)V",
            True,
        ),
        ("uni.getLocation", None, True),
    }


def test_resource_layout_manifest_script_and_native_surfaces(android: AndroidCorpus) -> None:
    facts = read(android.formalism)
    assert texts(facts, "resource")["积分排名榜"][0].file == "resources.arsc"
    layout = texts(facts, "layout")
    assert [(e.file, e.location, e.caller) for e in layout["立即签到"]] == [
        ("res/layout/ranking.xml", "line 6", "Button")
    ]
    assert layout["积分排名榜"][0].caller == "TextView"  # @string reference resolved
    assert texts(facts, "manifest")["每日打卡渠道"][0].file == "AndroidManifest.xml"
    [script] = [h for h in facts.texts if h.surface == "script"]
    assert (
        script.evidence.file == "assets/apps/__UNI__GOV/www/app-service.js"
        and script.evidence.location == "line 4"
    )
    native = texts(facts, "native")
    assert list(native) == ["今日打卡排行"]  # one ABI only, UTF-16 Dart string
    assert native["今日打卡排行"][0].file == "lib/arm64-v8a/libapp.so"
    assert set(facts.extra["frameworks"]) == {"uniapp", "flutter"}
    assert "libjiagu.so" in facts.extra["native_libraries"] and "lib/arm64-v8a/libjiagu.so" in facts.files
    assert facts.code_names == {"org.gov.duty"}


def test_only_interesting_text_is_returned(android: AndroidCorpus) -> None:
    nothing = re.compile(r"(?!)")
    facts = read(android.formalism, Interest(text=nothing, api=nothing, code_prefix=nothing))
    assert facts.texts == [] and facts.apis == [] and facts.code_names == set()
    assert facts.id == "org.gov.duty" and len(facts.components) == 5


def test_text_hits_are_capped(android: AndroidCorpus) -> None:
    facts = read(android.formalism, Interest.everything(), Limits(max_texts=3))
    assert len(facts.texts) == 3
    assert any("text hits were kept" in note for note in facts.notes)


def test_not_an_apk(tmp_path: Path) -> None:
    path = tmp_path / "plain.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(PackageError, match="no AndroidManifest.xml"):
        read(path)


def test_text_manifest_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "text.apk"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("AndroidManifest.xml", "<manifest package='x'/>")
    with pytest.raises(PackageError, match="not compiled binary XML"):
        read(path)


def _rewrite(source: Path, target: Path, change: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change.get(info.filename, old.read(info)))
    return target


@pytest.mark.parametrize("entry", ["AndroidManifest.xml", "classes.dex"])
def test_truncated_entries_raise_package_error(android: AndroidCorpus, tmp_path: Path, entry: str) -> None:
    with zipfile.ZipFile(android.formalism) as archive:
        data = archive.read(entry)
    broken = _rewrite(android.formalism, tmp_path / "broken.apk", {entry: data[: len(data) // 3]})
    with pytest.raises(PackageError):
        read(broken)


def test_corrupt_resources_still_identify_the_app(android: AndroidCorpus, tmp_path: Path) -> None:
    broken = _rewrite(
        android.formalism, tmp_path / "broken.apk", {"resources.arsc": b"\x02\x00\x0c\x00garbage!"}
    )
    facts = read(broken)
    assert facts.id == "org.gov.duty" and facts.name is None
    assert any("resources.arsc" in note for note in facts.notes)


def test_truncated_and_corrupted_archives(android: AndroidCorpus, tmp_path: Path) -> None:
    data = android.formalism.read_bytes()
    for name, blob in {
        "truncated.apk": data[: len(data) // 2],
        "flipped.apk": data[:200] + bytes(b ^ 0x5A for b in data[200:400]) + data[400:],
    }.items():
        path = tmp_path / name
        path.write_bytes(blob)
        with pytest.raises(PackageError):
            read(path)


def test_signing_block_damage_is_reported_not_fatal(android: AndroidCorpus, tmp_path: Path) -> None:
    data = bytearray(android.clean.read_bytes())
    magic = data.rfind(b"APK Sig Block 42")
    data[magic - 8 : magic] = (10**6).to_bytes(8, "little")  # footer size no longer matches
    path = tmp_path / "badblock.apk"
    path.write_bytes(bytes(data))
    facts = read(path)
    assert facts.id == "org.gov.clean"
    assert any("APK Signing Block" in error for error in facts.signing["errors"])

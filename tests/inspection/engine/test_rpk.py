"""Quick app .rpk / .rpks reader."""

from __future__ import annotations

import pytest

from govapp.inspection.engine import formats
from govapp.inspection.engine.errors import LimitExceeded, PackageError
from govapp.inspection.engine.limits import Limits
from tests.inspection import builders as b

LIMITS = Limits()


def _read(data: bytes, label: str = "app.rpk", limits: Limits = LIMITS):  # type: ignore[no-untyped-def]
    return formats.read_package_bytes(data, label, b.formalism_interest(), limits, depth=0)


def test_identity_features_pages_certificate() -> None:
    facts = _read(b.rpk())
    assert (facts.format, facts.platform, facts.id, facts.name) == (
        "rpk",
        "quickapp",
        "gov.example.quickapp",
        "随手拍上报",
    )
    assert (facts.version, facts.version_code, facts.min_sdk) == ("1.0.3", "4", "1070")
    assert facts.permissions == ["system.geolocation", "system.media"]
    assert [c.name for c in facts.components] == ["Home", "Report"]
    assert facts.signing["scheme"] == "rpk"
    assert "Quick App Developer" in facts.certificates[0].subject


def test_system_api_calls_and_texts_with_page_caller() -> None:
    facts = _read(b.rpk())
    apis = {(a.api, a.evidence.file, a.evidence.caller, a.evidence.location) for a in facts.apis}
    assert ("@system.geolocation.getLocation", "Report/index.js", "Report/index", "line 3") in apis
    assert ("@system.media.takePhoto", "Report/index.js", "Report/index", "line 3") in apis
    assert [t.text for t in facts.texts] == ["强制上传工作照片"]


def test_es_module_import_form_is_recognised() -> None:
    scripts = {"app.js": "import geolocation from '@system.geolocation'\ngeolocation.getLocation({})\n"}
    facts = _read(b.rpk(scripts=scripts, signed=False))
    assert [a.api for a in facts.apis] == ["@system.geolocation.getLocation"]
    assert any("unsigned" in n for n in facts.notes)


def test_rpks_reads_parts_and_takes_identity_from_the_main_part() -> None:
    sub = b.zip_bytes({"Sub/index.js": "var s = '每日签到';"})
    facts = _read(b.rpks({"main.rpk": b.rpk(), "sub.rpk": sub}), "bundle.rpks")
    assert (facts.format, facts.id, facts.version) == ("rpks", "gov.example.quickapp", "1.0.3")
    assert [c.path for c in facts.children] == ["bundle.rpks!main.rpk", "bundle.rpks!sub.rpk"]
    assert facts.children[1].extra["subpackage_part"] is True
    assert [t.text for t in facts.children[1].texts] == ["每日签到"]
    assert facts.certificates == facts.children[0].certificates


def test_rpks_without_a_main_part_is_refused() -> None:
    sub = b.zip_bytes({"Sub/index.js": "1"})
    with pytest.raises(PackageError, match="no part of the .rpks has a quick-app manifest"):
        _read(b.rpks({"sub.rpk": sub}), "bundle.rpks")


def test_rpks_past_max_depth_is_refused() -> None:
    with pytest.raises(LimitExceeded, match="deeper than the limit"):
        _read(b.rpks({"main.rpk": b.rpk()}), "bundle.rpks", Limits(max_depth=0))


def test_garbage_certificate_is_a_package_error() -> None:
    data = b.zip_bytes(
        {
            "manifest.json": '{"package": "a.b", "minPlatformVersion": 1070}',
            "app.js": "1",
            "META-INF/CERT": b"\x30\x03junk",
        }
    )
    with pytest.raises(PackageError, match="META-INF/CERT is not"):
        _read(data)


def test_traversal_entry_is_refused() -> None:
    data = b.zip_bytes({"manifest.json": '{"package": "a.b", "features": []}', "../evil.js": "1"})
    with pytest.raises(PackageError, match="points outside the package"):
        _read(data)

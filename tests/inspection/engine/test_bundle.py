"""APK bundles (.apks, .xapk): identity from the base APK, splits as children, depth limit."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import pytest

from govapp.inspection.engine.errors import LimitExceeded, PackageError
from govapp.inspection.engine.facts import Interest, PackageFacts
from govapp.inspection.engine.formats import read_package
from govapp.inspection.engine.formats.bundle import read_bundle
from govapp.inspection.engine.limits import Limits
from govapp.inspection.engine.safezip import SafeZip
from tests.inspection.engine.conftest import AndroidCorpus

INTEREST = Interest(
    text=re.compile(r"签到|排名"), api=re.compile(r"Camera;->open"), code_prefix=re.compile(r"org\.gov")
)


def bundle(path: Path, kind: str, limits: Limits | None = None, depth: int = 0) -> PackageFacts:
    limits = limits or Limits()
    data = path.read_bytes()
    with SafeZip(path, limits) as archive:
        return read_bundle(
            archive,
            kind=kind,
            path=str(path),
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            interest=INTEREST,
            limits=limits,
            depth=depth,
        )


@pytest.mark.parametrize(("attr", "kind"), [("apks", "apks"), ("xapk", "xapk")])
def test_bundle_identity_comes_from_the_base(android: AndroidCorpus, attr: str, kind: str) -> None:
    facts = read_package(getattr(android, attr), INTEREST, Limits())
    assert (facts.format, facts.platform) == (kind, "android")
    assert (facts.id, facts.version, facts.version_code, facts.name) == (
        "org.gov.duty",
        "2.0.1",
        "42",
        "Duty Desk",
    )
    assert [c.sha256 for c in facts.certificates] == [android.release_key.sha256]
    assert "android.permission.CAMERA" in facts.permissions and len(facts.components) == 5
    assert facts.code_names == {"org.gov.duty"}
    assert [c.format for c in facts.children] == ["apk", "apk"]
    assert facts.extra["splits"] == ["config.zh"]


def test_hits_stay_with_the_apk_that_has_them(android: AndroidCorpus) -> None:
    facts = read_package(android.apks, INTEREST, Limits())
    assert facts.texts == []
    by_entry = {c.extra["entry"]: c for c in facts.children}
    base, split = by_entry["splits/base-master.apk"], by_entry["splits/base-zh.apk"]
    assert base.path.endswith("duty.apks!/splits/base-master.apk")
    assert any(h.evidence.caller and "dailyCheckin" in h.evidence.caller for h in base.texts)
    assert [h.text for h in split.texts] == ["排名规则说明"]
    assert [h.api for h in base.apis] == ["Landroid/hardware/Camera;->open"]


def test_xapk_manifest_is_recorded_and_obb_ignored(android: AndroidCorpus) -> None:
    facts = read_package(android.xapk, INTEREST, Limits())
    assert facts.extra["xapk_manifest"]["package_name"] == "org.gov.duty"
    assert facts.extra["base"] == "org.gov.duty.apk"
    assert len(facts.children) == 2 and facts.notes == []


def test_depth_limit(android: AndroidCorpus) -> None:
    with pytest.raises(LimitExceeded):
        bundle(android.apks, "apks", Limits(max_depth=1), depth=1)


def test_bundle_of_splits_only_is_refused(android: AndroidCorpus, tmp_path: Path) -> None:
    path = tmp_path / "splits.apks"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(android.split, "splits/base-zh.apk")
        archive.writestr("toc.pb", b"")
    with pytest.raises(PackageError, match="no base APK"):
        bundle(path, "apks")


def test_broken_child_raises_package_error(android: AndroidCorpus, tmp_path: Path) -> None:
    path = tmp_path / "broken.apks"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(android.clean, "splits/base-master.apk")
        archive.writestr("splits/base-xx.apk", android.split.read_bytes()[:300])
    with pytest.raises(PackageError):
        bundle(path, "apks")


def test_foreign_signer_is_noted(android: AndroidCorpus, tmp_path: Path) -> None:
    path = tmp_path / "mixed.apks"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(android.formalism, "splits/base-master.apk")
        archive.write(android.debug, "splits/base-debug.apk")
    facts = bundle(path, "apks")
    assert facts.debuggable is True
    assert any("different certificate" in note for note in facts.notes)
    assert any("differs from the base" in note for note in facts.notes)

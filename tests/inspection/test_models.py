"""Rules of the technical-test rows: content-addressed paths, one current package per platform."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from govapp.inspection.engine.formats.detect import SUPPORTED
from govapp.inspection.models import PLATFORM_OF_KIND, FilingPackage, Package, PackageKind, Scan, package_path
from govapp.registry.choices import AppKind
from tests.factories import complete_filing

SHA = "ab" + "0" * 62


def make_package(sha256: str = SHA, kind: str = PackageKind.APK) -> Package:
    return Package.objects.create(
        sha256=sha256, size=10, file=package_path(sha256), kind=kind, original_name="a.apk"
    )


def test_packages_are_stored_under_their_hash_never_their_name() -> None:
    assert package_path(SHA) == f"packages/ab/{SHA}"


def test_every_engine_format_has_a_platform() -> None:
    assert set(PLATFORM_OF_KIND) == set(PackageKind.values)
    assert PLATFORM_OF_KIND["apks"] == PLATFORM_OF_KIND["xapk"] == "android"
    assert PLATFORM_OF_KIND["wxapkg"] == PLATFORM_OF_KIND["miniprogram"] == "miniprogram"
    for label in ("APK", "HAP", "wxapkg", "rpk"):
        assert label in SUPPORTED  # the engine still reads every kind we accept


def test_one_current_package_per_platform_and_filing(filer) -> None:  # type: ignore[no-untyped-def]
    filing = complete_filing(filer, packages=False, kind=AppKind.APP)
    android = make_package()
    FilingPackage.objects.create(
        filing=filing, package=android, platform="android", original_name="a", uploaded_by=filer
    )
    harmony = make_package("cd" + "0" * 62, PackageKind.HAP)
    FilingPackage.objects.create(
        filing=filing, package=harmony, platform="harmonyos", original_name="h", uploaded_by=filer
    )
    other = make_package("ef" + "0" * 62)
    with pytest.raises(IntegrityError), transaction.atomic():
        FilingPackage.objects.create(
            filing=filing, package=other, platform="android", original_name="b", uploaded_by=filer
        )
    FilingPackage.objects.create(
        filing=filing,
        package=other,
        platform="android",
        original_name="b",
        uploaded_by=filer,
        is_current=False,
    )
    assert sorted(link.platform for link in filing.inspection_packages.current()) == ["android", "harmonyos"]


def test_latest_scan_is_the_newest_for_this_filing_only(filer, other_filer) -> None:  # type: ignore[no-untyped-def]
    filing = complete_filing(filer, packages=False)
    elsewhere = complete_filing(other_filer, packages=False, name="另一个应用")
    package = make_package()
    link = FilingPackage.objects.create(
        filing=filing, package=package, platform="android", original_name="a", uploaded_by=filer
    )
    assert link.latest_scan() is None
    older = Scan.objects.create(package=package, filing=filing, status=Scan.Status.DONE, verdict="pass")
    newer = Scan.objects.create(package=package, filing=filing)
    Scan.objects.create(package=package, filing=elsewhere)
    assert link.latest_scan() == newer
    assert newer.is_pending and not newer.is_complete
    assert older.is_complete and not older.is_pending
    assert not Scan(package=package, status=Scan.Status.DONE, verdict="error").is_complete
    assert Scan(package=package, report=None).report_data == {}

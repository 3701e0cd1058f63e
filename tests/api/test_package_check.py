"""POST /api/v1/public/packages/check: a filed, a foreign and a revoked package; bad input never a 500."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from govapp.registry import services as registry
from govapp.registry.models import App
from tests.factories import complete_filing
from tests.inspection.apkbuild import SigningKey, build_apk, make_key
from tests.inspection.builders import project_zip

URL = "/api/v1/public/packages/check"


@dataclass(frozen=True)
class Apks:
    key: SigningKey
    clean: Path  # org.gov.clean, key
    foreign: Path  # org.gov.clean, another key
    cleartext: Path  # org.gov.cleartext, key
    unsigned: Path
    broken_cert: Path


@pytest.fixture(scope="module")
def apks(tmp_path_factory: pytest.TempPathFactory) -> Apks:
    out = tmp_path_factory.mktemp("check-apks")
    key = make_key(out / "keys", "Hangzhou Data Bureau")
    v1 = build_apk("clean", out / "v1.apk", key, schemes=("v1",))
    broken = out / "broken-cert.apk"
    with zipfile.ZipFile(v1) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            target.writestr(
                info, b"\x30\x03bad" if info.filename.upper().endswith(".RSA") else source.read(info)
            )
    return Apks(
        key=key,
        clean=build_apk("clean", out / "clean.apk", key),
        foreign=build_apk("clean", out / "foreign.apk", make_key(out / "keys", "Somebody Else")),
        cleartext=build_apk("cleartext", out / "cleartext.apk", key),
        unsigned=build_apk("clean", out / "unsigned.apk", None),
        broken_cert=broken,
    )


def file_android(filer: Any, provincial: Any, national: Any, *, name: str, package: str, cert: str) -> App:
    filing = complete_filing(
        filer,
        name=name,
        platforms=["android"],
        android_package=package,
        android_cert_sha256=cert,
        harmony_bundle="",
    )
    registry.filing_submit(filing=filing, actor=filer)
    registry.filing_forward(filing=filing, actor=provincial)
    registry.filing_approve(filing=filing, actor=national)
    return App.objects.get(pk=filing.app_id)


def check(path_or_bytes: Path | bytes, name: str | None = None) -> tuple[int, dict[str, Any]]:
    data = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    label = name or (path_or_bytes.name if isinstance(path_or_bytes, Path) else "package.bin")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(URL, {"package": SimpleUploadedFile(label, data)})
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.status_code, response.json()


@pytest.fixture
def register(
    apks,
    filer,
    far_filer,
    provincial_reviewer,
    other_provincial_reviewer,
    national_reviewer,
    without_technical_test,
):  # type: ignore[no-untyped-def]
    filed = file_android(
        filer,
        provincial_reviewer,
        national_reviewer,
        name="办事通",
        package="org.gov.clean",
        cert=apks.key.sha256,
    )
    revoked = file_android(
        far_filer,
        other_provincial_reviewer,
        national_reviewer,
        name="旧版通",
        package="org.gov.cleartext",
        cert=apks.key.sha256,
    )
    registry.app_order_rectification(app=revoked, actor=national_reviewer, reason="强制打卡")
    registry.app_revoke(app=revoked, actor=national_reviewer, reason="逾期未整改")
    return {"filed": filed, "revoked": revoked}


def test_a_filed_package_matches_its_valid_filing(apks, register) -> None:  # type: ignore[no-untyped-def]
    from govapp.inspection.models import Package

    stored = set(Package.objects.values_list("sha256", flat=True))  # the filings' own uploads
    status, body = check(apks.clean)
    assert status == 200, body
    assert body["matches"] is True and body["reason"] is None
    assert (
        body["filing"]["number"] == register["filed"].current_number.number
        and body["filing"]["valid"] is True
    )
    assert body["package"] == {
        "platform": "android",
        "identifier": "org.gov.clean",
        "certificates": [apks.key.sha256],
    }
    # Nothing is kept: no stored package, no temporary file left.
    assert not list((Path(settings.MEDIA_ROOT) / "packages" / "check").glob("*"))
    assert set(Package.objects.values_list("sha256", flat=True)) == stored


def test_a_renamed_file_is_recognised_by_its_structure(apks, register) -> None:  # type: ignore[no-untyped-def]
    status, body = check(apks.clean, name="installer.zip")
    assert status == 200 and body["matches"] is True


def test_a_foreign_package_is_another_certificate_and_an_unknown_one_is_unknown(apks, register) -> None:  # type: ignore[no-untyped-def]
    status, body = check(apks.foreign)
    assert (status, body["matches"], body["reason"]) == (200, False, "other_certificate")
    assert "another signing certificate" in body["explanation"]
    chinese = Client().post(URL, {"package": SimpleUploadedFile("x.apk", apks.foreign.read_bytes())}).json()
    assert "签名证书不同" in chinese["explanation"]
    mini = project_zip({"project.config.json": json.dumps({"appid": "wx00000000000000ee"}), "app.json": "{}"})
    status, body = check(mini, "mini.zip")
    assert (status, body["matches"], body["reason"], body["filing"]) == (200, False, "unknown_identity", None)


def test_a_revoked_package_says_revoked(apks, register) -> None:  # type: ignore[no-untyped-def]
    status, body = check(apks.cleartext)
    assert (status, body["matches"], body["reason"]) == (200, False, "revoked")
    assert body["filing"]["status"] == "revoked"


@pytest.mark.parametrize(
    ("which", "status", "words"),
    [
        ("unsigned", 422, "not signed"),
        ("broken_cert", 422, "cannot be read"),
    ],
)
def test_unsigned_and_unreadable_certificates_are_422(apks, register, which, status, words) -> None:  # type: ignore[no-untyped-def]
    code, body = check(getattr(apks, which))
    assert code == status and words in body["detail"] and body["parameter"] == "package"


def test_other_files_and_missing_files_are_clear_4xx(db) -> None:  # type: ignore[no-untyped-def]
    code, body = check(b"%PDF-1.7 not a package", "report.pdf")
    assert code == 415 and "not an app package" in body["detail"]
    code, body = check(b"PK\x03\x04" + b"\x00" * 40, "broken.apk")
    assert code in (415, 422) and body["detail"]
    response = Client().post(URL, {})
    assert response.status_code == 400 and "multipart field" in response.json()["detail"]
    code, body = check(b"", "empty.apk")
    assert code == 400


def test_a_huge_file_is_refused_before_it_is_stored(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.GOVAPP_PACKAGE_CHECK_MAX_BYTES = 1024
    code, body = check(b"PK" + b"\x00" * 200_000, "huge.apk")
    assert code == 413 and "larger than the limit" in body["detail"]
    code, body = check(b"PK" + b"\x00" * 2_000, "big.apk")
    assert code == 413


def test_the_check_has_its_own_rate_limit(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.GOVAPP_PACKAGE_CHECK_RATE_LIMIT = 1
    assert check(b"%PDF-1.7", "a.pdf")[0] == 415
    code, body = check(b"%PDF-1.7", "a.pdf")
    assert code == 429 and "Too many requests" in body["detail"]

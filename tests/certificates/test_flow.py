"""Certificates through the real approval flow: issued on approval, served by the API and the page's QR
code, verified offline by the CLI; revoked still authentic, with the register saying so."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govapp.certificates import compact, keystore
from govapp.certificates.models import FilingCertificate
from govapp.certificates.services import certificate_reissue
from govapp.registry import services
from govapp.registry.models import App, Filing
from govapp.registry.workflow import WorkflowError
from tests.factories import add_attachment, attach_packages
from tests.registry.test_views_helpers import filed_filing, without_external_checks


@pytest.fixture(autouse=True)
def _registry_only(monkeypatch):  # type: ignore[no-untyped-def]
    without_external_checks(monkeypatch)


def run_verify(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("certificate", "verify", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def _api(path: str, **headers: Any) -> Any:
    return Client().get(path, **headers)


def _certificate_api(number: str, **headers: Any) -> Any:
    return _api(f"/api/v1/public/filings/{quote(number)}/certificate", **headers)


def _keys_file(tmp_path: Path) -> Path:
    """What an app store saves from the public endpoint, for verifying offline later."""
    path = tmp_path / "keys.json"
    path.write_text(_api("/api/v1/public/certificate-keys").content.decode(), encoding="utf-8")
    return path


def test_approval_issues_a_certificate_that_the_cli_verifies_offline(
    filer, provincial_reviewer, national_reviewer, tmp_path
):
    filing = filed_filing(filer, provincial_reviewer, national_reviewer)
    app = App.objects.select_related("current_number", "unit").get(pk=filing.app_id)
    number = app.current_number.number
    stored = FilingCertificate.objects.get(number__number=number)
    assert stored.issued_by == national_reviewer and stored.key_id == keystore.signing_key().key_id
    assert stored.claims["ids"]["android"] == filing.android_package
    assert stored.claims["ids"]["android_cert"] == filing.android_cert_sha256

    answer = _certificate_api(number)
    assert answer.status_code == 200
    body = answer.json()
    assert body["certificate"] == stored.text and body["algorithm"] == "SM2" and body["status"] == "valid"
    assert body["qr_text"].endswith("#" + stored.text)
    keys = _keys_file(tmp_path)
    assert json.loads(keys.read_text())["keys"][0]["kid"] == stored.key_id

    (tmp_path / "cert.txt").write_text(body["qr_text"])  # as scanned from the QR code
    code, out = run_verify(str(tmp_path / "cert.txt"), "--keys", str(keys))
    assert code == 0, out
    assert "Authentic" in out and number in out and filing.app_name in out and app.unit.name in out
    assert filing.android_package in out and filing.android_cert_sha256 in out

    code, out = run_verify(stored.text, "--keys", str(keys), "--json")
    document = json.loads(out)
    assert code == 0 and document["authentic"] is True
    assert document["claims"]["number"] == number
    assert document["claims"]["identity"]["android_package"] == filing.android_package

    payload = stored.text.split(".")[1]
    changed = stored.text.replace(payload, payload[:20] + ("A" if payload[20] != "A" else "B") + payload[21:])
    code, out = run_verify(changed, "--keys", str(keys))
    assert code in (1, 2) and "Authentic" not in out
    assert run_verify(stored.text[:-30], "--keys", str(keys))[0] == 2
    other_keys = tmp_path / "other.pem"
    from govapp.certificates.signing import SM2, generate_key

    other_keys.write_text(generate_key(SM2).public_key.pem())
    code, out = run_verify(stored.text, "--keys", str(other_keys))
    assert code == 1 and "not among the published keys" in out
    (tmp_path / "broken.json").write_text("{nonsense")
    with pytest.raises(Exception) as broken:
        run_verify(stored.text, "--keys", str(tmp_path / "broken.json"))
    assert "cannot be read" in str(broken.value)


def test_the_page_qr_code_carries_the_certificate_and_revoked_still_verifies(
    filer, provincial_reviewer, national_reviewer, tmp_path
):
    filing = filed_filing(filer, provincial_reviewer, national_reviewer)
    app = App.objects.get(pk=filing.app_id)
    number = app.current_number.number
    certificate = FilingCertificate.objects.get(number__number=number)
    page = Client().get(reverse("public:verify", args=[number])).content.decode()
    assert "qr-certificate" in page and certificate.key_id in page
    assert "备案证明" in page  # Chinese by default

    services.app_order_rectification(app=app, actor=national_reviewer, reason="强制打卡")
    services.app_revoke(app=app, actor=national_reviewer, reason="强制打卡，整改逾期")
    revoked_page = Client().get(reverse("public:verify", args=[number])).content.decode()
    assert "已撤销" in revoked_page and "仍可验证为真实" in revoked_page
    english_page = Client().get(reverse("public:verify", args=[number]) + "?lang=en").content.decode()
    assert "Revoked." in english_page and "certificate still verifies as authentic" in english_page
    answer = _certificate_api(number).json()
    assert (
        answer["status"] == "revoked" and answer["valid"] is False and answer["status_label"] == "已撤销备案"
    )
    assert "已撤销备案的备案证明仍可验证为真实" in answer["statement"]
    english_answer = _api(f"/api/v1/public/filings/{quote(number)}/certificate?lang=en").json()
    assert (
        english_answer["status_label"] == "Revoked"
        and "still verifies as authentic" in english_answer["statement"]
    )
    # The certificate itself is still authentic: it proves the number was issued.
    code, out = run_verify(answer["certificate"], "--keys", str(_keys_file(tmp_path)))
    assert code == 0 and "revoked" in out


def test_a_change_filing_re_signs_the_number_with_the_new_facts(
    filer, provincial_reviewer, national_reviewer
):
    filing = filed_filing(filer, provincial_reviewer, national_reviewer)
    app = App.objects.get(pk=filing.app_id)
    change = services.change_start(app=app, actor=filer)
    change.app_name = "浙政钉2.0"
    change.change_description = "更名"
    change.change_effective_date = timezone.localdate() + dt.timedelta(days=60)
    change.save()
    add_attachment(change)
    attach_packages(change)
    services.filing_submit(filing=change, actor=filer)
    services.filing_forward(filing=Filing.objects.get(pk=change.pk), actor=provincial_reviewer)
    services.filing_approve(filing=Filing.objects.get(pk=change.pk), actor=national_reviewer)
    number = app.current_number.number
    certificates = list(FilingCertificate.objects.filter(number__number=number))
    assert [c.claims["name"] for c in certificates] == ["浙政钉2.0", filing.app_name]
    assert _certificate_api(number).json()["claims"]["name"] == "浙政钉2.0"
    keys = [entry.key for entry in keystore.published_keys()]
    assert all(compact.verify(c.text, keys).authentic for c in certificates)


def test_reissue_by_the_national_office_only_for_a_valid_number(
    filer, provincial_reviewer, national_reviewer, settings, tmp_path
):
    filing = filed_filing(filer, provincial_reviewer, national_reviewer)
    app = App.objects.get(pk=filing.app_id)
    number = app.current_number
    with pytest.raises(PermissionDenied):
        certificate_reissue(number=number, actor=provincial_reviewer, reason="新密钥")
    with pytest.raises(WorkflowError):
        certificate_reissue(number=number, actor=national_reviewer, reason=" ")

    # Rotation: a new key signs the re-issued certificate; the old one stays published and verifiable.
    settings.GOVAPP_CERT_KEY = ""
    key_file = Path(settings.GOVAPP_CERT_KEY_FILE)
    first = keystore.signing_key()  # generated into the (test's) key file, as in the embedded mode
    old = certificate_reissue(number=number, actor=national_reviewer, reason="启用密钥文件")
    out = StringIO()
    call_command("certificate", "keygen", stdout=out)
    assert "retired" in out.getvalue() and key_file.exists()
    assert keystore.signing_key().key_id != first.key_id
    out = StringIO()
    call_command(
        "certificate",
        "issue",
        number.number,
        "--by",
        national_reviewer.username,
        "--reason",
        "轮换密钥",
        stdout=out,
    )
    new = FilingCertificate.objects.filter(number=number).first()
    assert new is not None and new.text == out.getvalue().strip() and new.key_id != old.key_id
    published = _api("/api/v1/public/certificate-keys").json()["keys"]
    assert [(k["kid"], k["status"]) for k in published] == [
        (new.key_id, "current"),
        (first.key_id, "retired"),
    ]
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps({"keys": published}))
    assert run_verify(old.text, "--keys", str(keys))[0] == 0
    assert run_verify(new.text, "--keys", str(keys))[0] == 0
    pem = StringIO()
    call_command("certificate", "publickeys", "--format", "pem", stdout=pem)
    assert pem.getvalue().count("BEGIN PUBLIC KEY") == 2

    services.app_revoke(
        app=app, actor=national_reviewer, reason="以虚假材料取得备案", basis="false_materials"
    )
    with pytest.raises(WorkflowError):
        certificate_reissue(number=number, actor=national_reviewer, reason="再签")


def test_unknown_number_and_missing_key(client, settings, filer, provincial_reviewer, national_reviewer):
    answer = _certificate_api("浙政备2099999999A")
    assert answer.status_code == 404 and "certificate" in answer.json()["detail"]
    settings.GOVAPP_CERT_KEY = ""
    settings.GOVAPP_CERT_KEY_GENERATE = False
    with pytest.raises(ImproperlyConfigured, match="GOVAPP_CERT_KEY_FILE"):
        keystore.signing_key()
    settings.GOVAPP_CERT_ALGORITHM = "Ed25519"
    settings.GOVAPP_CERT_KEY_GENERATE = True
    assert keystore.signing_key().algorithm == "Ed25519"
    settings.GOVAPP_CERT_ALGORITHM = "SM2"
    with pytest.raises(ImproperlyConfigured, match="GOVAPP_CERT_ALGORITHM"):
        keystore.signing_key()


def test_a_number_issued_before_certificates_keeps_the_plain_qr_code(
    filer, provincial_reviewer, national_reviewer, monkeypatch
):
    monkeypatch.setattr(services, "APPROVAL_HOOKS", [])
    filing = filed_filing(filer, provincial_reviewer, national_reviewer)
    number = App.objects.get(pk=filing.app_id).current_number.number
    page = Client().get(reverse("public:verify", args=[number])).content.decode()
    assert "<svg" in page and "qr-certificate" not in page
    assert _certificate_api(number).status_code == 404


def test_the_certificate_states_the_identity_the_technical_test_pinned(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer
):
    from govapp.certificates.services import certificate_claims
    from govapp.inspection.models import PinnedIdentity

    filing = filed_filing(filer, provincial_reviewer, national_reviewer)
    declared = certificate_claims(filing)["ids"]
    PinnedIdentity.objects.create(
        app=filing.app, platform="android", identifier="cn.gov.pinned.app", certificates=["AB" * 32],
        filing=filing,
    )  # fmt: skip

    pinned = certificate_claims(filing)["ids"]

    assert pinned["android"] == "cn.gov.pinned.app" and pinned["android_cert"] == "ab" * 32
    assert {k: v for k, v in pinned.items() if not k.startswith("android")} == {
        k: v for k, v in declared.items() if not k.startswith("android")
    }

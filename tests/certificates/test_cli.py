"""``govapp certificate``: offline verification needs no database; numbers from before certificates get theirs."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import Client

from govapp.certificates import checks, compact
from govapp.certificates.models import FilingCertificate
from govapp.certificates.signing import SM2, generate_key
from govapp.registry import services
from govapp.registry.models import App
from tests.registry.test_views_helpers import filed_filing, without_external_checks

SRC = Path(__file__).resolve().parents[2] / "src"
CLAIMS = {"num": "浙政备2026000001A", "name": "浙里办", "unit": "浙江省大数据发展管理局", "kind": "app",
          "ids": {"android": "cn.gov.zj.zlb"}, "st": "valid", "date": "2026-03-02"}  # fmt: skip


def _govapp(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # A database that cannot be reached and no signing key: verifying needs neither.
    env = {**os.environ, "PYTHONPATH": str(SRC), "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
           "GOVAPP_SECRET_KEY": "x", "GOVAPP_CERT_KEY": "", "GOVAPP_CERT_KEY_FILE": "",
           "GOVAPP_VAR_DIR": str(tmp_path / "var")}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "govapp.cli", "certificate", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_verify_runs_offline_with_exit_codes_0_1_2(tmp_path: Path) -> None:
    key = generate_key(SM2)
    (tmp_path / "keys.pem").write_text(key.public_key.pem())
    text = compact.encode(CLAIMS, key)
    authentic = _govapp("verify", text, "--keys", str(tmp_path / "keys.pem"), tmp_path=tmp_path)
    assert authentic.returncode == 0, authentic.stderr
    assert "浙政备2026000001A" in authentic.stdout and "原生应用" in authentic.stdout  # Chinese by default
    other = generate_key(SM2)
    (tmp_path / "other.pem").write_text(other.public_key.pem())
    assert _govapp("verify", text, "--keys", str(tmp_path / "other.pem"), tmp_path=tmp_path).returncode == 1
    (tmp_path / "cut.txt").write_text(text[:100])
    assert (
        _govapp(
            "verify", str(tmp_path / "cut.txt"), "--keys", str(tmp_path / "keys.pem"), tmp_path=tmp_path
        ).returncode
        == 2
    )
    missing = _govapp("verify", text, "--keys", str(tmp_path / "none.json"), tmp_path=tmp_path)
    assert missing.returncode == 2 and "none.json" in missing.stderr


def test_numbers_without_a_certificate_get_one(
    filer, provincial_reviewer, national_reviewer, monkeypatch
) -> None:
    without_external_checks(monkeypatch)
    monkeypatch.setattr(services, "APPROVAL_HOOKS", [])  # approved before certificates existed
    filing = filed_filing(filer, provincial_reviewer, national_reviewer)
    monkeypatch.undo()
    number = App.objects.get(pk=filing.app_id).current_number
    assert not FilingCertificate.objects.filter(number=number).exists()
    out = StringIO()
    call_command(
        "certificate",
        "issue",
        "--all-missing",
        "--by",
        national_reviewer.username,
        "--reason",
        "升级",
        stdout=out,
    )
    certificate = FilingCertificate.objects.get(number=number)
    assert certificate.reason == "升级" and certificate.issued_by == national_reviewer
    assert Client().get(f"/api/v1/public/filings/{number.number}/certificate").status_code == 200
    out = StringIO()
    call_command(
        "certificate",
        "issue",
        "--all-missing",
        "--by",
        national_reviewer.username,
        "--reason",
        "再次",
        stdout=out,
    )
    assert FilingCertificate.objects.filter(number=number).count() == 1


def test_a_missing_key_is_named_by_the_system_check(settings) -> None:
    settings.GOVAPP_CERT_KEY = ""
    settings.GOVAPP_CERT_KEY_FILE = ""
    [warning] = checks.certificate_key_configured()
    assert warning.id == "certificates.W001" and "GOVAPP_CERT_KEY_FILE" in (warning.hint or "")

"""Every number of the demo data has a certificate; one verifies with the CLI and with Debian's OpenSSL."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from django.test import Client

from govapp.certificates.models import FilingCertificate
from govapp.certificates.signing import sm2_signature_to_der
from govapp.portal import demo
from govapp.registry.models import FilingNumber
from tests.certificates.test_flow import run_verify
from tests.certificates.test_signing import DISTID, openssl

pytestmark = pytest.mark.slow


@pytest.mark.django_db
def test_demo_certificates_verify_offline_with_the_cli_and_openssl(tmp_path: Path) -> None:
    demo.load_demo()
    numbers = FilingNumber.objects.all()
    assert numbers and all(FilingCertificate.objects.filter(number=n).exists() for n in numbers)
    keys = tmp_path / "keys.json"
    keys.write_text(Client().get("/api/v1/public/certificate-keys").content.decode())
    revoked = FilingCertificate.objects.filter(number__status=FilingNumber.Status.REVOKED).first()
    valid = FilingCertificate.objects.filter(number__status=FilingNumber.Status.ACTIVE).first()
    assert revoked is not None and valid is not None

    for certificate in (valid, revoked):
        code, out = run_verify(certificate.text, "--keys", str(keys))
        assert code == 0 and certificate.number.number in out, out

    # OpenSSL checks the same bytes with the published PEM key: the format is no private convention.
    signed, signature = valid.text.rsplit(".", 1)
    (tmp_path / "signed").write_bytes(signed.encode("ascii"))
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    (tmp_path / "sig").write_bytes(sm2_signature_to_der(raw))
    published = json.loads(keys.read_text())["keys"]
    (tmp_path / "pub.pem").write_text(next(k["public_key"] for k in published if k["kid"] == valid.key_id))
    result = openssl("dgst", "-sm3", "-verify", tmp_path / "pub.pem", "-sigopt", DISTID,
                     "-signature", tmp_path / "sig", tmp_path / "signed")  # fmt: skip
    assert result.returncode == 0 and b"Verified OK" in result.stdout

    # One changed byte: neither verifier accepts it.
    (tmp_path / "signed").write_bytes(signed[:-1].encode("ascii") + (b"A" if signed[-1] != "A" else b"B"))
    result = openssl("dgst", "-sm3", "-verify", tmp_path / "pub.pem", "-sigopt", DISTID,
                     "-signature", tmp_path / "sig", tmp_path / "signed")  # fmt: skip
    assert result.returncode != 0
    changed = (tmp_path / "signed").read_text() + "." + signature
    assert run_verify(changed, "--keys", str(keys))[0] != 0

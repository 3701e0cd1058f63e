"""SM2 with SM3 against Debian's OpenSSL in both directions; Ed25519 likewise; keys as OpenSSL writes them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from govapp.certificates.signing import (
    ED25519,
    SM2,
    KeyFormatError,
    PublicKey,
    SigningKey,
    generate_key,
    load_private_key,
    load_public_key,
    sm2_signature_from_der,
    sm2_signature_to_der,
)

OPENSSL = shutil.which("openssl")
DISTID = "distid:1234567812345678"
MESSAGE = "GAC1.浙政备2026000001A 浙里办".encode()


def openssl(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    assert OPENSSL, "Debian's openssl is part of the test set-up (scripts/install-system-deps.sh)"
    return subprocess.run([OPENSSL, *map(str, args)], capture_output=True, check=False)


def _openssl_sm2_key(tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "openssl.pem", tmp_path / "openssl.pub.pem"
    assert openssl("genpkey", "-algorithm", "SM2", "-out", private).returncode == 0
    assert openssl("pkey", "-in", private, "-pubout", "-out", public).returncode == 0
    return private, public


def _openssl_verifies_sm2(public: Path, signature_der: bytes, message: bytes, tmp_path: Path) -> bool:
    (tmp_path / "msg").write_bytes(message)
    (tmp_path / "sig").write_bytes(signature_der)
    result = openssl("pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt", DISTID, "-pubin",
                     "-inkey", public, "-in", tmp_path / "msg", "-sigfile", tmp_path / "sig")  # fmt: skip
    return result.returncode == 0 and b"Verified Successfully" in result.stdout


def test_our_sm2_signature_verifies_with_openssl(tmp_path: Path) -> None:
    key = generate_key(SM2)
    public = tmp_path / "ours.pub.pem"
    public.write_text(key.public_key.pem())
    signature = sm2_signature_to_der(key.sign(MESSAGE))
    assert _openssl_verifies_sm2(public, signature, MESSAGE, tmp_path)
    # The Z value enters the digest: another user id, or another message, fails in OpenSSL too.
    assert not _openssl_verifies_sm2(public, signature, MESSAGE + b"x", tmp_path)
    (tmp_path / "msg").write_bytes(MESSAGE)
    other_id = openssl("pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt", "distid:ALICE123@YAHOO.COM",
                       "-pubin", "-inkey", public, "-in", tmp_path / "msg", "-sigfile", tmp_path / "sig")  # fmt: skip
    assert other_id.returncode != 0


def test_openssl_sm2_signature_verifies_with_ours(tmp_path: Path) -> None:
    private, public = _openssl_sm2_key(tmp_path)
    (tmp_path / "msg").write_bytes(MESSAGE)
    signed = openssl(
        "dgst", "-sm3", "-sign", private, "-sigopt", DISTID, "-out", tmp_path / "sig", tmp_path / "msg"
    )
    assert signed.returncode == 0, signed.stderr
    key = load_public_key(public.read_bytes())
    signature = sm2_signature_from_der((tmp_path / "sig").read_bytes())
    assert key.verify(signature, MESSAGE)
    assert not key.verify(signature, MESSAGE[:-1])
    # OpenSSL's private key file reads as the same key pair.
    assert load_private_key(private.read_bytes()).public_key == key


def test_signing_with_only_the_private_key_derives_the_public_key_openssl_derives(tmp_path: Path) -> None:
    private, public = _openssl_sm2_key(tmp_path)
    text = openssl("pkey", "-in", private, "-text", "-noout").stdout.decode()
    hex_lines = re.search(r"priv:\s*\n((?:\s+[0-9a-f:]+\n)+)", text)
    assert hex_lines is not None, text
    secret = bytes.fromhex(re.sub(r"[\s:]", "", hex_lines.group(1)))[-32:]
    key = SigningKey(SM2, secret)  # nothing but the 32 secret bytes
    assert key.public_key == load_public_key(public.read_bytes())
    assert _openssl_verifies_sm2(public, sm2_signature_to_der(key.sign(MESSAGE)), MESSAGE, tmp_path)


def test_our_sm2_key_files_are_read_by_openssl(tmp_path: Path) -> None:
    key = generate_key(SM2)
    (tmp_path / "k.pem").write_text(key.pem())
    derived = openssl("pkey", "-in", tmp_path / "k.pem", "-pubout")
    assert derived.returncode == 0 and derived.stdout.decode() == key.public_key.pem()
    assert load_private_key(key.pem().encode()) == key


def test_ed25519_both_directions(tmp_path: Path) -> None:
    key = generate_key(ED25519)
    (tmp_path / "k.pem").write_text(key.pem())
    (tmp_path / "pub.pem").write_text(key.public_key.pem())
    (tmp_path / "msg").write_bytes(MESSAGE)
    (tmp_path / "sig").write_bytes(key.sign(MESSAGE))
    verified = openssl("pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", tmp_path / "pub.pem",
                       "-in", tmp_path / "msg", "-sigfile", tmp_path / "sig")  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
    signed = openssl("pkeyutl", "-sign", "-rawin", "-inkey", tmp_path / "k.pem", "-in", tmp_path / "msg",
                     "-out", tmp_path / "sig2")  # fmt: skip
    assert signed.returncode == 0
    assert key.public_key.verify((tmp_path / "sig2").read_bytes(), MESSAGE)


def test_bad_keys_are_refused() -> None:
    with pytest.raises(KeyFormatError):
        SigningKey(SM2, b"\0" * 32)  # zero is no private key
    with pytest.raises(KeyFormatError):
        PublicKey(SM2, b"\x04" + b"\x01" * 64)  # not on the curve: a forged key must not verify anything
    with pytest.raises(KeyFormatError):
        load_private_key(b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
    with pytest.raises(KeyFormatError):
        load_public_key(b"garbage")
    with pytest.raises(KeyFormatError):
        generate_key("RSA")
    assert not generate_key(SM2).public_key.verify(b"\0" * 63, MESSAGE)

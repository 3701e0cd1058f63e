"""APK signing: v1 PKCS#7 certificates, the v2/v3 signing block, and fuzzing its parser."""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govapp.inspection.engine.errors import PackageError
from govapp.inspection.engine.formats.signing import (
    block_pairs,
    find_signing_block,
    read_signing_block,
    scheme_certificates,
    v1_certificates,
)
from tests.inspection.engine.conftest import AndroidCorpus, mutations


def test_v1_certificate(android: AndroidCorpus) -> None:
    with zipfile.ZipFile(android.v1_only) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".RSA"))
        [cert] = v1_certificates(archive.read(name), name)
    assert cert.sha256 == android.release_key.sha256 and cert.scheme == "v1"
    assert cert.subject == android.release_key.subject


def test_signing_block_schemes(android: AndroidCorpus) -> None:
    schemes, certs = read_signing_block(io.BytesIO(android.clean.read_bytes()), "clean.apk")
    assert schemes == ["v2", "v3"]
    assert [(c.scheme, c.sha256) for c in certs] == [
        ("v2", android.release_key.sha256),
        ("v3", android.release_key.sha256),
    ]


def test_no_signing_block(android: AndroidCorpus) -> None:
    assert read_signing_block(io.BytesIO(android.v1_only.read_bytes()), "v1.apk") == ([], [])
    assert read_signing_block(io.BytesIO(android.unsigned.read_bytes()), "unsigned.apk") == ([], [])


def test_not_a_zip() -> None:
    with pytest.raises(PackageError, match="end-of-central-directory"):
        find_signing_block(io.BytesIO(b"not a zip at all"), "x")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (b"", "truncated"),
        (struct.pack("<I", 50), "runs past"),
        (struct.pack("<I", 0), "no signers"),
        (struct.pack("<II", 4, 0) + b"", "truncated"),
    ],
)
def test_malformed_scheme_values(value: bytes, message: str) -> None:
    with pytest.raises(PackageError, match=message):
        scheme_certificates(value, "v2", "x.apk")


def test_malformed_pairs() -> None:
    with pytest.raises(PackageError, match="invalid length"):
        list(block_pairs(struct.pack("<QI", 2, 0x7109871A), "x.apk"))


def test_garbage_v1_block() -> None:
    with pytest.raises(PackageError, match="v1 signature"):
        v1_certificates(b"\x30\x03\x02\x01\x01", "CERT.RSA")


def _pairs(android: AndroidCorpus) -> bytes:
    pairs = find_signing_block(io.BytesIO(android.clean.read_bytes()), "clean.apk")
    assert pairs is not None
    return pairs


_SEED: list[bytes] = []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_signing_block_raises_only_package_error(android: AndroidCorpus, data: st.DataObject) -> None:
    if not _SEED:
        _SEED.append(_pairs(android))
    blob = data.draw(mutations(_SEED[0]))
    with contextlib.suppress(PackageError):
        for pair_id, value in block_pairs(blob, "fuzz.apk"):
            if pair_id in (0x7109871A, 0xF05368C0):
                scheme_certificates(value, "v2", "fuzz.apk")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_fuzz_v1_on_arbitrary_bytes(blob: bytes) -> None:
    with contextlib.suppress(PackageError):
        v1_certificates(blob, "CERT.RSA")

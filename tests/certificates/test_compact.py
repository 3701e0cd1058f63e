"""The compact certificate: what verifies, and every way a text fails to."""

from __future__ import annotations

import base64
import json

import pytest

from govapp.certificates import compact
from govapp.certificates.keyset import CURRENT, RETIRED, PublishedKey, key_set_json, parse_key_set
from govapp.certificates.signing import ED25519, SM2, KeyFormatError, generate_key

CLAIMS = {
    "num": "浙政备2026000001A",
    "name": "浙里办",
    "unit": "浙江省大数据发展管理局",
    "kind": "app",
    "ids": {"android": "cn.gov.zj.zlb", "android_cert": "ab" * 32},
    "st": "valid",
    "date": "2026-03-02",
}
SM2_KEY = generate_key(SM2)


def _resign(text: str, change: dict[str, object], key=SM2_KEY) -> str:  # type: ignore[no-untyped-def]
    """The claims of ``text`` changed and signed properly again (by ``key``)."""
    payload = json.loads(base64.urlsafe_b64decode(text.split(".")[1] + "=="))
    payload.update(change)
    signed = compact.PREFIX + compact._b64(compact.canonical_json(payload))
    return f"{signed}.{compact._b64(key.sign(signed.encode()))}"


@pytest.mark.parametrize("algorithm", [SM2, ED25519])
def test_a_certificate_verifies_with_its_key_and_states_the_claims(algorithm: str) -> None:
    key = SM2_KEY if algorithm == SM2 else generate_key(ED25519)
    text = compact.encode(CLAIMS, key)
    result = compact.verify(text, [generate_key(ED25519).public_key, key.public_key])
    assert result.outcome == compact.AUTHENTIC and result.exit_code == 0
    assert result.claims["num"] == "浙政备2026000001A" and result.claims["kid"] == key.key_id
    assert compact.identities(result.claims) == {
        "android_package": "cn.gov.zj.zlb",
        "android_cert_sha256": "ab" * 32,
    }
    # Scanned from the QR code: the address with the certificate in its fragment.
    assert compact.verify(f"https://example.gov.cn/verify/X/#{text}", [key.public_key]).authentic


def test_one_changed_byte_does_not_verify() -> None:
    text = compact.encode(CLAIMS, SM2_KEY)
    payload = base64.urlsafe_b64decode(text.split(".")[1] + "==")
    forged = payload.replace(b"2026000001A", b"2026000002A")  # still valid JSON: only the signature can tell
    assert len(forged) == len(payload)
    forged_text = f"GAC1.{compact._b64(forged)}.{text.split('.')[2]}"
    result = compact.verify(forged_text, [SM2_KEY.public_key])
    assert result.outcome == compact.NOT_AUTHENTIC and result.code == "altered" and result.exit_code == 1
    # Any single character of the text changed: never authentic.
    for index in range(5, len(text), 7):
        if text[index] == ".":
            continue
        changed = text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]
        assert not compact.verify(changed, [SM2_KEY.public_key]).authentic, index


def test_wrong_key_id_and_unknown_algorithm_are_not_authentic() -> None:
    text = compact.encode(CLAIMS, SM2_KEY)
    other = generate_key(SM2)
    unknown = compact.verify(text, [other.public_key])
    assert unknown.outcome == compact.NOT_AUTHENTIC and unknown.code == "unknown_key"
    # Claiming another published key's id does not help a signature made with a different key.
    claimed = compact.verify(_resign(text, {"kid": other.key_id}), [other.public_key])
    assert claimed.code == "altered"
    algorithm = compact.verify(_resign(text, {"alg": "RSA"}), [SM2_KEY.public_key])
    assert algorithm.outcome == compact.NOT_AUTHENTIC and algorithm.code == "unknown_algorithm"
    mismatch = compact.verify(_resign(text, {"alg": ED25519}), [SM2_KEY.public_key])
    assert mismatch.code == "wrong_algorithm"


@pytest.mark.parametrize("cut", [1, 10, 90, 200])
def test_truncated_text_is_unreadable(cut: int) -> None:
    text = compact.encode(CLAIMS, SM2_KEY)
    result = compact.verify(text[:-cut], [SM2_KEY.public_key])
    assert result.outcome == compact.UNREADABLE and result.exit_code == 2, result.reason


@pytest.mark.parametrize("text", ["", "hello", "GAC1.", "GAC1.x.y", "GAC1.!!!.abc", "GAC1." + "A" * 9000])
def test_garbage_is_unreadable(text: str) -> None:
    assert compact.verify(text, [SM2_KEY.public_key]).outcome == compact.UNREADABLE


def test_missing_claims_and_unknown_version_are_unreadable() -> None:
    text = compact.encode(CLAIMS, SM2_KEY)
    assert compact.verify(_resign(text, {"v": 2}), [SM2_KEY.public_key]).code == "version"
    with pytest.raises(ValueError):
        compact.encode({"num": "x"}, SM2_KEY)


def test_key_set_round_trip_and_a_wrong_kid_is_refused() -> None:
    retired = generate_key(ED25519)
    entries = [PublishedKey(SM2_KEY.public_key, CURRENT), PublishedKey(retired.public_key, RETIRED)]
    document = key_set_json(entries)
    assert parse_key_set(json.dumps(document)) == entries
    pems = "".join(entry.key.pem() for entry in entries)
    assert [entry.key for entry in parse_key_set(pems)] == [entry.key for entry in entries]
    document["keys"][0]["kid"] = "0000000000000000"  # type: ignore[index]
    with pytest.raises(KeyFormatError):
        parse_key_set(json.dumps(document))
    with pytest.raises(KeyFormatError):
        parse_key_set("{}")

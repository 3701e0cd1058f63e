"""Signature keys of filing certificates: SM2 with SM3 (GB/T 32918, GM/T 0003) or Ed25519.

Pure Python and no Django, so that an offline verifier needs nothing but the published public keys.
Keys travel as standard PEM (PKCS#8 private keys, SubjectPublicKeyInfo public keys) that OpenSSL reads.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from asn1crypto import algos, keys, pem
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from gmalg import SM2 as _GmalgSM2

SM2 = "SM2"
ED25519 = "Ed25519"
ALGORITHMS = (SM2, ED25519)
# GM/T 0009 §10: the user id signers and verifiers use when none is agreed; it enters the Z value.
SM2_DEFAULT_ID = b"1234567812345678"
SM2_CURVE_OID = "1.2.156.10197.1.301"
# Order n of the SM2 curve (GB/T 32918.5): a private key must lie in [1, n-2].
SM2_ORDER = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_7203DF6B_21C6052B_53BBF409_39D54123
_SIGNATURE_BYTES = 64
# asn1crypto needs the curve's key size to write an ECPrivateKey; it does not know SM2 itself.
keys.NamedCurve.register("sm2", SM2_CURVE_OID, 32)


class KeyFormatError(ValueError):
    """A key is not a readable SM2 or Ed25519 key."""


def _sm2(secret: bytes | None = None, public: bytes | None = None) -> _GmalgSM2:
    return _GmalgSM2(sk=secret, uid=SM2_DEFAULT_ID, pk=public)


@dataclass(frozen=True)
class PublicKey:
    """A verification key: SM2 as the 65-byte uncompressed point, Ed25519 as its 32 bytes."""

    algorithm: str
    raw: bytes

    def __post_init__(self) -> None:
        if self.algorithm == SM2:
            if len(self.raw) != 65 or self.raw[0] != 4:
                raise KeyFormatError("An SM2 public key is an uncompressed point of 65 bytes.")
            # A point off the curve would let a forged signature verify: gmalg's verify does not check.
            if not _sm2().verify_pk(self.raw):
                raise KeyFormatError("The SM2 public key is not a point of the SM2 curve.")
        elif self.algorithm == ED25519:
            if len(self.raw) != 32:
                raise KeyFormatError("An Ed25519 public key has 32 bytes.")
        else:
            raise KeyFormatError(f"Unknown signature algorithm {self.algorithm!r}.")

    @property
    def spki_der(self) -> bytes:
        if self.algorithm == ED25519:
            return ed25519.Ed25519PublicKey.from_public_bytes(self.raw).public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        info = keys.PublicKeyInfo(
            {
                "algorithm": {
                    "algorithm": "ec",
                    "parameters": keys.ECDomainParameters(name="named", value="sm2"),
                },
                "public_key": self.raw,
            }
        )
        return bytes(info.dump())

    @property
    def key_id(self) -> str:
        """Names the key inside each certificate: the first 8 bytes of SHA-256 of its SPKI, in hex."""
        return hashlib.sha256(self.spki_der).hexdigest()[:16]

    def pem(self) -> str:
        return pem.armor("PUBLIC KEY", self.spki_der).decode("ascii")

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Whether ``signature`` (64 bytes: r‖s for SM2) signs ``message`` under this key."""
        if len(signature) != _SIGNATURE_BYTES:
            return False
        if self.algorithm == ED25519:
            try:
                ed25519.Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
            except InvalidSignature:
                return False
            return True
        return bool(_sm2(public=self.raw).verify(message, signature[:32], signature[32:]))


@dataclass(frozen=True)
class SigningKey:
    """A private key; its public key is always derived from the secret, never taken on trust."""

    algorithm: str
    secret: bytes = field(repr=False)
    public_key: PublicKey = field(init=False)

    def __post_init__(self) -> None:
        if self.algorithm == SM2:
            value = int.from_bytes(self.secret, "big")
            if len(self.secret) != 32 or not 1 <= value <= SM2_ORDER - 2:
                raise KeyFormatError("An SM2 private key is a number from 1 to n-2 in 32 bytes.")
            raw = _sm2().generate_pk(self.secret)
        elif self.algorithm == ED25519:
            if len(self.secret) != 32:
                raise KeyFormatError("An Ed25519 private key has 32 bytes.")
            raw = (
                ed25519.Ed25519PrivateKey.from_private_bytes(self.secret)
                .public_key()
                .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            )
        else:
            raise KeyFormatError(f"Unknown signature algorithm {self.algorithm!r}.")
        object.__setattr__(self, "public_key", PublicKey(self.algorithm, raw))

    @property
    def key_id(self) -> str:
        return self.public_key.key_id

    def sign(self, message: bytes) -> bytes:
        """64 bytes: SM2 r‖s (each 32 bytes, big-endian; Z from the default id) or the Ed25519 signature."""
        if self.algorithm == ED25519:
            return ed25519.Ed25519PrivateKey.from_private_bytes(self.secret).sign(message)
        # The public key is passed explicitly: Z (and so the signature) depends on it.
        r, s = _sm2(self.secret, self.public_key.raw).sign(message)
        return r.rjust(32, b"\0") + s.rjust(32, b"\0")

    def pem(self) -> str:
        """PKCS#8, unencrypted: the file's permissions protect it."""
        if self.algorithm == ED25519:
            return (
                ed25519.Ed25519PrivateKey.from_private_bytes(self.secret)
                .private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                .decode("ascii")
            )
        curve = keys.ECDomainParameters(name="named", value="sm2")
        info = keys.PrivateKeyInfo(
            {
                "version": 0,
                "private_key_algorithm": {"algorithm": "ec", "parameters": curve},
                "private_key": keys.ECPrivateKey(
                    {
                        "version": "ecPrivkeyVer1",
                        "private_key": int.from_bytes(self.secret, "big"),
                        "public_key": self.public_key.raw,
                    }
                ),
            }
        )
        return pem.armor("PRIVATE KEY", info.dump()).decode("ascii")


def generate_key(algorithm: str) -> SigningKey:
    if algorithm == SM2:
        secret, _public = _sm2().generate_keypair()
        return SigningKey(SM2, secret.rjust(32, b"\0"))
    if algorithm == ED25519:
        private = ed25519.Ed25519PrivateKey.generate()
        raw = private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return SigningKey(ED25519, raw)
    raise KeyFormatError(f"Unknown signature algorithm {algorithm!r}; use {' or '.join(ALGORITHMS)}.")


def _der(data: bytes, kind: str) -> bytes:
    text = data.strip()
    if pem.detect(text):
        try:
            _type, _headers, der = pem.unarmor(text)
        except ValueError as exc:
            raise KeyFormatError(f"Not a readable PEM {kind}: {exc}") from None
        return bytes(der)
    return text


def _is_sm2_curve(parameters: keys.ECDomainParameters) -> bool:
    return bool(parameters.name == "named" and parameters.chosen.dotted == SM2_CURVE_OID)


def load_private_key(data: bytes) -> SigningKey:
    """A PKCS#8 private key (PEM or DER) of SM2 or Ed25519, as OpenSSL ``genpkey`` writes it."""
    try:
        info = keys.PrivateKeyInfo.load(_der(data, "private key"))
        algorithm = info["private_key_algorithm"]["algorithm"].native
        if algorithm == "ed25519":
            raw = info["private_key"].parsed.native
            return SigningKey(ED25519, bytes(raw))
        if algorithm == "ec" and _is_sm2_curve(info["private_key_algorithm"]["parameters"]):
            ec_key = info["private_key"].parsed
            key = SigningKey(SM2, int(ec_key["private_key"].native).to_bytes(32, "big"))
            embedded = ec_key["public_key"].native
            if embedded and bytes(embedded) != key.public_key.raw:
                raise KeyFormatError("The public key inside the key file does not belong to its private key.")
            return key
    except KeyFormatError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise KeyFormatError(f"Not a readable PKCS#8 private key: {exc}") from None
    raise KeyFormatError("The private key is neither SM2 nor Ed25519.")


def load_public_key(data: bytes) -> PublicKey:
    """A SubjectPublicKeyInfo public key (PEM or DER) of SM2 or Ed25519."""
    try:
        info = keys.PublicKeyInfo.load(_der(data, "public key"))
        algorithm = info["algorithm"]["algorithm"].native
        if algorithm == "ed25519":
            return PublicKey(ED25519, bytes(info["public_key"].native))
        if algorithm == "ec" and _is_sm2_curve(info["algorithm"]["parameters"]):
            return PublicKey(SM2, bytes(info["public_key"].native))
    except KeyFormatError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise KeyFormatError(f"Not a readable public key: {exc}") from None
    raise KeyFormatError("The public key is neither SM2 nor Ed25519.")


def sm2_signature_to_der(signature: bytes) -> bytes:
    """r‖s as the DER SEQUENCE OpenSSL reads and writes (GM/T 0009 SM2Signature)."""
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    return bytes(algos.DSASignature({"r": r, "s": s}).dump())


def sm2_signature_from_der(der: bytes) -> bytes:
    value = algos.DSASignature.load(der)
    return int(value["r"].native).to_bytes(32, "big") + int(value["s"].native).to_bytes(32, "big")

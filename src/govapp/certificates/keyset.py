"""The published key set: the current public key and the retired ones, each with its id.

Old certificates name a retired key; keeping it published keeps them verifiable after a rotation.
Pure Python, read by the offline verifier as well as by the installation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from .signing import KeyFormatError, PublicKey, load_public_key

FORMAT = "govapp-certificate-keys/1"
CURRENT = "current"
RETIRED = "retired"


@dataclass(frozen=True)
class PublishedKey:
    key: PublicKey
    status: str  # current | retired

    @property
    def key_id(self) -> str:
        return self.key.key_id

    def as_json(self) -> dict[str, str]:
        return {
            "kid": self.key_id,
            "alg": self.key.algorithm,
            "status": self.status,
            "public_key": self.key.pem(),
        }


def key_set_json(keys: Iterable[PublishedKey]) -> dict[str, object]:
    return {"format": FORMAT, "keys": [entry.as_json() for entry in keys]}


def parse_key_set(text: str) -> list[PublishedKey]:
    """A key set as JSON (``key_set_json``) or as concatenated PEM public keys (all taken as current).

    Raises KeyFormatError naming what is wrong; an entry whose ``kid`` is not its key's id is refused.
    """
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        blocks = [block for block in stripped.split("-----END PUBLIC KEY-----") if block.strip()]
        return [
            PublishedKey(load_public_key((block.strip() + "\n-----END PUBLIC KEY-----\n").encode()), CURRENT)
            for block in blocks
        ]
    try:
        document = json.loads(stripped)
    except ValueError:
        raise KeyFormatError("The key set is neither JSON nor PEM public keys.") from None
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise KeyFormatError("The key set has no list of keys.")
    keys = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("public_key"), str):
            raise KeyFormatError("Each key of the key set needs a public_key in PEM.")
        key = load_public_key(entry["public_key"].encode("ascii", "replace"))
        if entry.get("kid", key.key_id) != key.key_id:
            raise KeyFormatError(f"Key id {entry.get('kid')!r} does not belong to its public key.")
        keys.append(PublishedKey(key, RETIRED if entry.get("status") == RETIRED else CURRENT))
    return keys

"""Receipt codes: random, unguessable, easy to read aloud and type ("TS-7KQ2-M9XD-4HRP").

32 symbols without 0/O/1/I (which people confuse), 12 of them: 60 random bits, so guessing a live code
is hopeless at the lookup rate limit. The code is a secret of the complainant's: it is shown once, when
the complaint is received, and stored only as a keyed hash (HMAC-SHA-256) beside its first group, by
which lookups select; staff refer to a complaint by its case number, never by the code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata

from django.conf import settings

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
GROUPS = 3
GROUP_LENGTH = 4
PREFIX = "TS"
_SHAPE = re.compile(rf"^(?:{PREFIX})?([{ALPHABET}]{{{GROUPS * GROUP_LENGTH}}})$")


def new_receipt() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return format_receipt(body)


def format_receipt(body: str) -> str:
    parts = [body[i : i + GROUP_LENGTH] for i in range(0, len(body), GROUP_LENGTH)]
    return "-".join([PREFIX, *parts])


def normalise_receipt(raw: str) -> str | None:
    """The canonical code for what a person typed (any case, full-width, spaces or dashes), or None when
    it cannot be a receipt code at all."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    text = re.sub(r"[\s\-_.·]", "", text)
    match = _SHAPE.match(text)
    return format_receipt(match.group(1)) if match else None


def prefix_of(receipt: str) -> str:
    return receipt[len(PREFIX) + 1 : len(PREFIX) + 1 + GROUP_LENGTH]


def receipt_key() -> bytes:
    """GOVAPP_RECEIPT_KEY, or a key derived from SECRET_KEY (then rotating SECRET_KEY loses every code)."""
    configured = getattr(settings, "GOVAPP_RECEIPT_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"govapp.complaints.receipt", hashlib.sha256).digest()


def receipt_digest(receipt: str) -> str:
    """The keyed hash stored for a canonical receipt code: without the key it reveals nothing."""
    return hmac.new(receipt_key(), receipt.encode("ascii"), hashlib.sha256).hexdigest()

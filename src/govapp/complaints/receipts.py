"""Receipt codes: random, unguessable, easy to read aloud and type ("TS-7KQ2-M9XD-4HRP").

32 symbols without 0/O/1/I (which people confuse), 12 of them: 60 random bits, so guessing a live code
is hopeless at the lookup rate limit. Lookups find candidates by the first group and compare whole
codes in constant time, so response timing says nothing about how much of a guess was right.
"""

from __future__ import annotations

import hmac
import re
import secrets
import unicodedata

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


def same_receipt(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))

"""The complainant's identity never leaves the complaint: a finding, an order or a notice that quotes the
name, the telephone number or the e-mail address is refused, and handlers see the complaint text with
those parts masked (the unit, the authorities and the public read what handlers write)."""

from __future__ import annotations

import re
import unicodedata

from .models import Complaint

MASK = "＊＊＊"


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text or ""))


def identity_in(text: str, complaint: Complaint) -> list[str]:
    """Which of the complainant's details ``text`` contains ("name", "phone", "email")."""
    plain, digits = _plain(text), _digits(text)
    found = []
    if complaint.contact_name.strip() and _plain(complaint.contact_name.strip()) in plain:
        found.append("name")
    phone = _digits(complaint.contact_phone)
    if len(phone) >= 5 and phone in digits:
        found.append("phone")
    if complaint.contact_email.strip() and _plain(complaint.contact_email.strip()) in plain:
        found.append("email")
    return found


def redacted(text: str, complaint: Complaint) -> str:
    """``text`` with the complainant's name, telephone number and e-mail address masked."""
    out = text or ""
    for value in (complaint.contact_name, complaint.contact_email):
        value = value.strip()
        if value:
            out = re.sub(re.escape(value), MASK, out, flags=re.IGNORECASE)
    phone = _digits(complaint.contact_phone)
    if len(phone) >= 5:
        # The number as typed in the complaint, with or without spaces and dashes between its digits.
        out = re.sub(r"[\s\-]*".join(re.escape(d) for d in phone), MASK, out)
    return out

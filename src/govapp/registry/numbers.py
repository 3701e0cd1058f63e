"""How a typed or scanned filing number (or a name searched for) is spelled before it is compared."""

from __future__ import annotations

import re
import unicodedata


def normalise_text(raw: str) -> str:
    """NFKC (full-width digits and letters become ASCII), without whitespace or invisible characters.

    Control and format characters (NUL, zero-width spaces, a scanner's trailing CR) never belong to a
    number or a name; PostgreSQL refuses NUL in a query outright, which would be a server error.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"\s+", "", "".join(ch for ch in text if unicodedata.category(ch)[0] != "C"))


def normalise_number(raw: str) -> str:
    """The canonical spelling of a typed or scanned filing number: NFKC, no spaces, capital kind letter."""
    return normalise_text(raw).upper()

"""Chinese wording of the catalogue: no doubled full stops, no half-width ';' or ':' after Chinese text,
iOS spelled as Apple spells it, and no Django capfirst turning "iOS" into "IOS" on a page."""

from __future__ import annotations

import re

from tests.test_translations import CATALOGUE_DIR, _messages, parse_po

# A half-width ';' or ':' right after a Chinese character or closing mark (not in URLs, times or codes).
_HALF_WIDTH = re.compile(r"[\u4e00-\u9fff”）》][;:]")


def _chinese() -> list[tuple[int, str, str]]:
    return [
        (e.line, e.msgid, text)
        for e in _messages(parse_po(CATALOGUE_DIR / "django.po"))
        for text in e.msgstrs.values()
    ]


def test_no_doubled_full_stops() -> None:
    assert [(line, text) for line, _msgid, text in _chinese() if "。。" in text or "。." in text] == []


def test_no_half_width_semicolons_or_colons_after_chinese() -> None:
    assert [(line, text) for line, _msgid, text in _chinese() if _HALF_WIDTH.search(text)] == []


def test_ios_is_spelled_ios() -> None:
    assert [(line, text) for line, _msgid, text in _chinese() if re.search(r"\bIOS\b", text)] == []

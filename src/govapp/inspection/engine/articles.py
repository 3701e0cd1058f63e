"""Articles of the Measures as data: a reference "13" or "13.2" (article 13, item 2), rendered by language.

Chinese official text says 第十三条 / 第十三条第二项, English text Art. 13 / Art. 13(2); storing the number
and rendering it where it is shown keeps English out of Chinese documents and the other way round.
Plain Python (the engine imports nothing), used by the engine, the pages and the documents alike.
"""

from __future__ import annotations

import re

_DIGITS = "零一二三四五六七八九"
_VALUE = {c: n for n, c in enumerate(_DIGITS)} | {"〇": 0, "两": 2}

# The articles an order or a finding can cite: the duties of a unit (Art. 4–22), with the five
# prohibitions of Art. 13 also by item.
ARTICLE_REFS: tuple[str, ...] = tuple(
    ref
    for n in range(4, 23)
    for ref in ((str(n), *(f"13.{i}" for i in range(1, 6))) if n == 13 else (str(n),))
)

_REF = re.compile(r"^\s*(\d{1,3})(?:\s*[.(（]\s*(\d{1,2})\s*[)）]?)?\s*$")
_EN = re.compile(r"Art(?:icle)?\.?\s*(\d{1,3})(?:\s*\(\s*(\d{1,2})\s*\))?", re.IGNORECASE)
_ZH = re.compile(r"第([零〇一二两三四五六七八九十百\d]+)条(?:第([零〇一二两三四五六七八九十\d]+)[项款])?")


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 13 -> 十三, 20 -> 二十, 45 -> 四十五 (the Measures have fewer than 100 articles)."""
    if not 0 < n < 100:
        raise ValueError(f"no article or item number {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[ones] if ones else "")


def _from_chinese(text: str) -> int:
    if text.isdigit():
        return int(text)
    total, number = 0, 0
    for char in text:
        if char == "百":
            total += (number or 1) * 100
            number = 0
        elif char == "十":
            total += (number or 1) * 10
            number = 0
        else:
            number = _VALUE[char]
    return total + number


def _ref(article: int, item: int | None) -> str:
    return f"{article}.{item}" if item else str(article)


def parse_article(text: str) -> str | None:
    """The reference in "13", "13.2", "Art. 13(2)", "第十三条第二项" or "《办法》第十五条"; None if there is none."""
    match = _REF.match(text or "")
    if match:
        return _ref(int(match[1]), int(match[2]) if match[2] else None)
    match = _EN.search(text or "")
    if match:
        return _ref(int(match[1]), int(match[2]) if match[2] else None)
    match = _ZH.search(text or "")
    if match:
        return _ref(_from_chinese(match[1]), _from_chinese(match[2]) if match[2] else None)
    return None


def split_article(text: str) -> tuple[str | None, str]:
    """The reference a text cites and what else it says (a reviewer's own words, kept as a note)."""
    for pattern in (_EN, _ZH):
        match = pattern.search(text or "")
        if match:
            rest = (text[: match.start()] + text[match.end() :]).strip(" \t;；,，。.:：()（）")
            rest = re.sub(r"^《(?:办法|管理办法)》$", "", rest).strip()
            return parse_article(match[0]), rest
    ref = parse_article(text)
    return (ref, "") if ref else (None, (text or "").strip())


def article_label(ref: str, *, english: bool) -> str:
    """第十三条第二项 / Art. 13(2) for "13.2"; an unreadable reference is shown as it is."""
    match = _REF.match(ref or "")
    if not match:
        return ref or ""
    article, item = int(match[1]), int(match[2]) if match[2] else None
    if english:
        return f"Art. {article}" + (f"({item})" if item else "")
    return f"第{chinese_number(article)}条" + (f"第{chinese_number(item)}项" if item else "")

"""The unit's same-kind declaration (material 6) read against the similar apps found."""

from __future__ import annotations

import re

from .text import normalise

_NONE = re.compile(r"^(无|没有|暂无|none|no|n/?a|nil|nothing)([同类应用程序的及其他。.!！\s]*)$")


def declares_none(same_kind_apps: str) -> bool:
    """Whether the unit declared that it uses no app of the same kind ("无", "none", "暂无同类应用")."""
    text = re.sub(r"[\s，,。.;；:：“”\"'（）()]+", "", normalise(same_kind_apps))
    return bool(text) and bool(_NONE.match(text))

"""Native libraries: their names (packers ship tell-tale ones) and Flutter's compiled Dart strings.

A Flutter app's UI text lives in ``lib/<abi>/libapp.so``, the AOT snapshot, where Dart
keeps Latin-1 strings as plain bytes and all others as UTF-16LE; both are scanned.
"""

from __future__ import annotations

import re

from ..facts import Evidence, Interest, TextHit

FLUTTER_APP_LIB = re.compile(r"^lib/[^/]+/libapp\.so$")
_UTF8_RUN = re.compile(
    rb"(?:[\x20-\x7e]|[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}){4,}"
)
# UTF-16LE runs with at least two CJK ideographs, ASCII / CJK punctuation / full-width forms
# in between: demanding ideographs keeps random machine code from looking like text.
_FILLER16 = rb"(?:[\x20-\x7e]\x00|[\x00-\xff]\x30|[\x00-\xef]\xff)"
_UTF16_RUN = re.compile(_FILLER16 + rb"*(?:[\x00-\xff][\x4e-\x9f]" + _FILLER16 + rb"*){2,}")
_MAX_SNIPPET = 160


def native_libraries(names: list[str]) -> list[str]:
    """File names of the .so libraries in an APK, once each (ABIs collapse)."""
    seen: dict[str, None] = {}
    for name in names:
        if name.startswith("lib/") and name.endswith(".so"):
            seen.setdefault(name.rsplit("/", 1)[-1], None)
    return list(seen)


def native_strings(data: bytes, interest: Interest, *, file: str, limit: int) -> list[TextHit]:
    """Strings of a native library that match the interest, at most ``limit``."""
    hits: list[TextHit] = []
    for pattern, encoding in ((_UTF8_RUN, "utf-8"), (_UTF16_RUN, "utf-16-le")):
        for match in pattern.finditer(data):
            if len(hits) >= limit:
                return hits
            raw = match.group()
            text = raw.decode(encoding, "replace")
            found = interest.text.search(text)
            if found is None:
                continue
            start = max(0, found.start() - 60)
            evidence = Evidence(
                file=file, location=f"offset 0x{match.start():x}", snippet=text[start : start + _MAX_SNIPPET]
            )
            hits.append(TextHit(text=text, surface="native", evidence=evidence))
    return hits

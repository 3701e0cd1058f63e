"""String surfaces of Ark bytecode (HarmonyOS ``ets/modules.abc``, the "Panda" file format).

What is parsed: the header (magic ``PANDA\\0\\0\\0``, version, the declared file size, which
must equal the real size) and then the string data. Each Panda string is stored as a
ULEB128 header ``utf16_length << 1 | is_ascii`` followed by MUTF-8 bytes and a NUL. Rather
than following every class, method and literal-array reference to reach them (which needs
the full, version-dependent index structures), we scan the whole file for NUL-terminated
runs and keep a run only when a ULEB128 header right before it announces exactly its
length. That check makes false positives from code or index bytes rare, and the scan is a
single linear pass that cannot loop or read out of bounds on hostile input.

Imports appear as module-request strings such as ``@ohos:geoLocationManager``; a platform API
reference is reported as ``@ohos.geoLocationManager.getCurrentLocation`` when an identifier
string stands near the module request (strings are laid out per source file).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import PackageError

MAGIC = b"PANDA\x00\x00\x00"
HEADER_SIZE = 60
_RUN = re.compile(rb"[^\x00]{2,}(?=\x00)")
_MODULE_REQUEST = re.compile(r"^@(ohos|system|kit|hms|service|native\.ohos|native\.system):([\w.]+)$")
# Code and index bytes that happen to pass the length check are short and full of control bytes.
_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]{2,63}$")
# How many strings on each side of a module request may name one of its members.
_MEMBER_WINDOW = 150


@dataclass(frozen=True, slots=True)
class AbcString:
    offset: int  # file offset of the string's first character
    index: int  # ordinal among the strings found, for "string #N" evidence
    text: str


@dataclass(frozen=True, slots=True)
class AbcHeader:
    version: str
    file_size: int
    num_classes: int


def parse_header(data: bytes, label: str) -> AbcHeader:
    if len(data) < HEADER_SIZE:
        raise PackageError(f"{label}: Ark bytecode file is truncated ({len(data)} bytes)")
    if data[:8] != MAGIC:
        raise PackageError(f"{label}: not Ark bytecode (no PANDA magic)")
    version = ".".join(str(b) for b in data[12:16])
    (file_size,) = struct.unpack_from("<I", data, 16)
    if file_size != len(data):
        raise PackageError(
            f"{label}: Ark bytecode header declares {file_size} bytes but the file has {len(data)}"
        )
    (num_classes,) = struct.unpack_from("<I", data, 28)
    return AbcHeader(version=version, file_size=file_size, num_classes=num_classes)


def _uleb_before(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The split point inside run ``data[start:end]`` after a ULEB128 header that matches the rest."""
    # The header is 1-3 bytes at the run's start; junk from a preceding structure may sit
    # before it, so a few start positions are tried (bounded: at most 32 x 3, and a string
    # is decoded only when its byte length fits the announced UTF-16 length).
    for lead in range(0, min(32, end - start - 1)):
        value = 0
        shift = 0
        pos = start + lead
        for _ in range(3):
            if pos >= end:
                break
            byte = data[pos]
            value |= (byte & 0x7F) << shift
            shift += 7
            pos += 1
            if not byte & 0x80:
                utf16_length = value >> 1
                fits = utf16_length <= end - pos <= 3 * utf16_length
                if fits and _utf16_length(data, pos, end) == utf16_length:
                    return pos, value & 1
                break
    return None


def _utf16_length(data: bytes, start: int, end: int) -> int:
    try:
        text = data[start:end].decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        # MUTF-8 encodes supplementary characters as surrogate pairs; CESU-style bytes fail
        # strict UTF-8, and such strings are rare enough in UI text to be skipped.
        return -1
    return len(text.encode("utf-16-le")) // 2


def iter_strings(data: bytes) -> Iterator[AbcString]:
    """Every string of the file whose ULEB128 length header checks out, in file order."""
    index = 0
    for match in _RUN.finditer(data, HEADER_SIZE):
        split = _uleb_before(data, match.start(), match.end())
        if split is None:
            continue
        pos, _ascii = split
        text = data[pos : match.end()].decode("utf-8")
        if len(text) < 2 or _JUNK.search(text):
            continue
        yield AbcString(offset=pos, index=index, text=text)
        index += 1


def module_of(text: str) -> str | None:
    """``@ohos:geoLocationManager`` -> ``@ohos.geoLocationManager``; None for other strings."""
    match = _MODULE_REQUEST.match(text)
    if match is None:
        return None
    scope = match.group(1).removeprefix("native.")
    return f"@{scope}.{match.group(2)}"


def member_references(
    strings: list[AbcString], skip: set[str] | frozenset[str] = frozenset()
) -> Iterator[tuple[str, AbcString, AbcString]]:
    """(module, module-request string, member string) pairs of module requests and nearby identifiers."""
    for position, string in enumerate(strings):
        module = module_of(string.text)
        if module is None or module in skip:
            continue
        low = max(0, position - _MEMBER_WINDOW)
        for neighbour in strings[low : position + _MEMBER_WINDOW]:
            if _IDENTIFIER.match(neighbour.text):
                yield module, string, neighbour


def is_identifier(text: str) -> bool:
    return _IDENTIFIER.match(text) is not None

"""Mach-O executables of iOS apps: load commands, string sections, encryption and code signature.

What is parsed: a thin 32/64-bit little-endian Mach-O or a fat (universal) file of them; in
each slice the load commands ``LC_SEGMENT``/``LC_SEGMENT_64`` (to find the string sections
``__cstring``, ``__objc_methname``, ``__objc_classname``, ``__oslogstring``, ``__ustring``),
``LC_ENCRYPTION_INFO[_64]`` (FairPlay: ``cryptid`` 1 means the range is encrypted and its bytes
say nothing) and ``LC_CODE_SIGNATURE`` (the embedded signature SuperBlob: the CodeDirectory's
identifier and team id, the signed entitlements and the CMS signature with the signer's
certificates). Every offset is checked against the slice before it is used, so hostile input
ends as a ``PackageError`` naming the offset, never as an out-of-bounds read or a loop.

The executable may be hundreds of megabytes: it is read through a ``memoryview`` and only the
pieces used are copied (the signature blobs of the three slots read, each string); strings are
produced one by one (``iter_strings``), never as one list. A slice carries at most one
``LC_CODE_SIGNATURE``; the signed entitlements and the CMS blob are read up to ``MAX_SIGNATURE_BLOB``
each, a larger one is recorded in ``CodeSignature.errors`` and not read.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import PackageError
from .plists import MAX_PLIST_VALUES, PlistInvalid, PlistTooLarge, load_plist

# What the readers accept as the executable's bytes (``SafeZip.read_buffer`` gives a bytearray).
Buffer = bytes | bytearray | memoryview

MH_MAGIC = 0xFEEDFACE
MH_MAGIC_64 = 0xFEEDFACF
FAT_MAGIC = 0xCAFEBABE
FAT_MAGIC_64 = 0xCAFEBABF
LC_SEGMENT = 0x1
LC_SEGMENT_64 = 0x19
LC_CODE_SIGNATURE = 0x1D
LC_ENCRYPTION_INFO = 0x21
LC_ENCRYPTION_INFO_64 = 0x2C

CSMAGIC_EMBEDDED_SIGNATURE = 0xFADE0CC0
CSMAGIC_CODEDIRECTORY = 0xFADE0C02
CSMAGIC_EMBEDDED_ENTITLEMENTS = 0xFADE7171
CSMAGIC_BLOBWRAPPER = 0xFADE0B01
CSSLOT_CODEDIRECTORY = 0
CSSLOT_ENTITLEMENTS = 5
CSSLOT_SIGNATURESLOT = 0x10000

STRING_SECTIONS = frozenset({"__cstring", "__objc_methname", "__objc_classname", "__oslogstring"})
# Strings are cut at NUL in the string sections; printable runs of four or more bytes elsewhere.
UTF16_SECTIONS = frozenset({"__ustring"})
_MAX_COMMANDS = 4096
_MAX_SLICES = 16
_MAX_BLOBS = 64
MAX_SIGNATURE_BLOB = 1024**2  # signed entitlements, CMS signature: real ones are a few kilobytes
_CHUNK = 1024**2  # string sections are split this much at a time
_CPU_NAMES = {7: "x86", 12: "arm", 0x01000007: "x86_64", 0x0100000C: "arm64", 0x0200000C: "arm64_32"}
# Printable ASCII or well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF; the
# table of RFC 3629), at least four characters: what `strings` would show.
_UTF8_RUN = re.compile(
    rb"(?:[\x20-\x7e\t]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}){4,}"
)
_UTF16_RUN = re.compile(rb"(?:[^\x00][\x00-\xff]|\x00[^\x00]){2,}(?=\x00\x00|$)")


@dataclass(slots=True)
class CodeSignature:
    identifier: str | None = None
    team_id: str | None = None
    entitlements: dict[str, Any] = field(default_factory=dict)
    cms: bytes | None = None  # DER PKCS#7 SignedData (detached) carrying the certificates
    # Parts that could not be read, one English line each; the reader records them as signing errors.
    errors: list[str] = field(default_factory=list)
    entitlements_unread: str | None = None  # "too_large" or "invalid" when the entitlements were not read


@dataclass(slots=True)
class MachOSlice:
    """One architecture of the executable; every offset is absolute in the file."""

    offset: int
    size: int
    cpu: str
    bits: int
    sections: list[tuple[str, int, int]] = field(default_factory=list)  # (name, offset, size)
    encrypted: tuple[int, int] | None = None  # (offset, size) of a range FairPlay encrypted
    crypt_id: int | None = None
    signature: CodeSignature | None = None


class MachOString(NamedTuple):
    offset: int  # absolute file offset of the first byte
    section: str
    text: str


def is_macho(head: bytes) -> bool:
    if len(head) < 4:
        return False
    little = struct.unpack_from("<I", head)[0]
    big = struct.unpack_from(">I", head)[0]
    return little in (MH_MAGIC, MH_MAGIC_64) or big in (FAT_MAGIC, FAT_MAGIC_64)


def parse_macho(data: Buffer, label: str) -> list[MachOSlice]:
    """The slices of a thin or fat Mach-O; PackageError when it is neither or is malformed."""
    view = memoryview(data)
    if len(view) < 8:
        raise PackageError(f"{label}: Mach-O executable is truncated ({len(view)} bytes)")
    (big,) = struct.unpack_from(">I", view)
    if big in (FAT_MAGIC, FAT_MAGIC_64):
        (count,) = struct.unpack_from(">I", view, 4)
        if count == 0 or count > _MAX_SLICES:
            raise PackageError(f"{label}: fat Mach-O announces {count} architectures")
        entry = 32 if big == FAT_MAGIC_64 else 20
        if 8 + count * entry > len(view):
            raise PackageError(f"{label}: fat Mach-O header is truncated")
        slices = []
        for number in range(count):
            at = 8 + number * entry
            if big == FAT_MAGIC_64:
                _cpu, _sub, offset, size = struct.unpack_from(">iiQQ", view, at)
            else:
                _cpu, _sub, offset, size = struct.unpack_from(">iiII", view, at)
            if offset + size > len(view) or size < 28:
                raise PackageError(
                    f"{label}: fat Mach-O architecture #{number} at {offset}..{offset + size} "
                    f"lies outside the {len(view)}-byte file"
                )
            slices.append(_parse_thin(view, offset, size, label))
        return slices
    return [_parse_thin(view, 0, len(view), label)]


def _parse_thin(data: memoryview, base: int, size: int, label: str) -> MachOSlice:
    (magic,) = struct.unpack_from("<I", data, base)
    if magic not in (MH_MAGIC, MH_MAGIC_64):
        raise PackageError(f"{label}: not a Mach-O executable (magic 0x{magic:08x} at offset {base})")
    bits = 64 if magic == MH_MAGIC_64 else 32
    header = 32 if bits == 64 else 28
    if size < header:
        raise PackageError(f"{label}: Mach-O header is truncated")
    cputype, _sub, _filetype, ncmds, sizeofcmds = struct.unpack_from("<iiiII", data, base + 4)
    if ncmds > _MAX_COMMANDS or header + sizeofcmds > size:
        raise PackageError(
            f"{label}: Mach-O announces {ncmds} load commands in {sizeofcmds} bytes, more than the file holds"
        )
    result = MachOSlice(offset=base, size=size, cpu=_CPU_NAMES.get(cputype, str(cputype)), bits=bits)
    pos = base + header
    end = pos + sizeofcmds
    signature_command: int | None = None
    for number in range(ncmds):
        if pos + 8 > end:
            raise PackageError(f"{label}: Mach-O load command #{number} runs past the commands area")
        cmd, cmdsize = struct.unpack_from("<II", data, pos)
        if cmdsize < 8 or pos + cmdsize > end:
            raise PackageError(
                f"{label}: Mach-O load command #{number} at offset {pos} has an impossible size {cmdsize}"
            )
        if cmd in (LC_SEGMENT, LC_SEGMENT_64):
            _segment(data, pos, cmdsize, cmd == LC_SEGMENT_64, result, label)
        elif cmd in (LC_ENCRYPTION_INFO, LC_ENCRYPTION_INFO_64) and cmdsize >= 20:
            cryptoff, cryptsize, cryptid = struct.unpack_from("<III", data, pos + 8)
            result.crypt_id = cryptid
            if cryptid != 0:
                result.encrypted = (base + cryptoff, cryptsize)
        elif cmd == LC_CODE_SIGNATURE:
            # The loader honours one signature; a second is a crafted file (and each would be parsed).
            if signature_command is not None:
                raise PackageError(
                    f"{label}: Mach-O load commands #{signature_command} and #{number} are both "
                    "LC_CODE_SIGNATURE; an executable carries one code signature"
                )
            signature_command = number
            if cmdsize < 16:
                raise PackageError(f"{label}: Mach-O code signature command #{number} is truncated")
            dataoff, datasize = struct.unpack_from("<II", data, pos + 8)
            if dataoff + datasize > size:
                raise PackageError(
                    f"{label}: Mach-O code signature at {dataoff}..{dataoff + datasize} lies outside the file"
                )
            result.signature = parse_code_signature(data[base + dataoff : base + dataoff + datasize], label)
        pos += cmdsize
    return result


def _segment(data: memoryview, pos: int, cmdsize: int, wide: bool, result: MachOSlice, label: str) -> None:
    head, entry = (72, 80) if wide else (56, 68)
    if cmdsize < head:
        raise PackageError(f"{label}: Mach-O segment command at offset {pos} is truncated")
    (nsects,) = struct.unpack_from("<I", data, pos + head - 8)
    if head + nsects * entry > cmdsize:
        raise PackageError(f"{label}: Mach-O segment at offset {pos} lists more sections than it holds")
    for number in range(nsects):
        at = pos + head + number * entry
        name = bytes(data[at : at + 16]).split(b"\0", 1)[0].decode("ascii", "replace")
        if wide:
            _addr, sect_size, offset = struct.unpack_from("<QQI", data, at + 32)
        else:
            _addr, sect_size, offset = struct.unpack_from("<III", data, at + 32)
        if name not in STRING_SECTIONS and name not in UTF16_SECTIONS:
            continue
        if offset == 0 or offset + sect_size > result.size:
            raise PackageError(
                f"{label}: Mach-O section {name} #{number} at {offset}..{offset + sect_size} "
                "lies outside the file"
            )
        result.sections.append((name, result.offset + offset, sect_size))


def parse_code_signature(blob: Buffer, label: str) -> CodeSignature:
    """The embedded signature SuperBlob (big-endian): identifier, team id, entitlements, CMS.

    Only the blobs of the slots read are copied; a structure that does not hold together is a
    PackageError, an entitlements or CMS blob that cannot be used is recorded in ``errors``."""
    view = memoryview(blob)
    signature = CodeSignature()
    if len(view) < 12:
        raise PackageError(f"{label}: Mach-O code signature is truncated")
    magic, length, count = struct.unpack_from(">III", view)
    if magic != CSMAGIC_EMBEDDED_SIGNATURE:
        raise PackageError(
            f"{label}: Mach-O code signature has magic 0x{magic:08x}, not an embedded signature"
        )
    if count > _MAX_BLOBS or 12 + count * 8 > min(length, len(view)):
        raise PackageError(f"{label}: Mach-O code signature lists {count} blobs, more than it holds")
    for number in range(count):
        slot, offset = struct.unpack_from(">II", view, 12 + number * 8)
        if offset + 8 > len(view):
            raise PackageError(f"{label}: Mach-O code signature blob #{number} lies outside the signature")
        blob_magic, blob_length = struct.unpack_from(">II", view, offset)
        if blob_length < 8 or offset + blob_length > len(view):
            raise PackageError(f"{label}: Mach-O code signature blob #{number} has an impossible length")
        if slot == CSSLOT_CODEDIRECTORY and blob_magic == CSMAGIC_CODEDIRECTORY:
            _code_directory(view[offset : offset + blob_length], signature)
        elif slot == CSSLOT_ENTITLEMENTS and blob_magic == CSMAGIC_EMBEDDED_ENTITLEMENTS:
            _entitlements(view[offset + 8 : offset + blob_length], signature, label)
        elif slot == CSSLOT_SIGNATURESLOT and blob_magic == CSMAGIC_BLOBWRAPPER and blob_length > 8:
            if blob_length - 8 > MAX_SIGNATURE_BLOB:
                signature.errors.append(
                    f"{label}: the code signature's CMS blob is {blob_length - 8} bytes, more than the "
                    f"{MAX_SIGNATURE_BLOB} read; its signer is unknown"
                )
            else:
                signature.cms = bytes(view[offset + 8 : offset + blob_length])
    return signature


def _entitlements(body: memoryview, signature: CodeSignature, label: str) -> None:
    if len(body) > MAX_SIGNATURE_BLOB:
        signature.entitlements_unread = "too_large"
        signature.errors.append(
            f"{label}: the signed entitlements are {len(body)} bytes, more than the {MAX_SIGNATURE_BLOB} read"
        )
        return
    try:
        value = load_plist(body)
    except PlistTooLarge as exc:
        signature.entitlements_unread = "too_large"
        signature.errors.append(
            f"{label}: the signed entitlements hold {exc} (at most {MAX_PLIST_VALUES} values are read)"
        )
        return
    except PlistInvalid as exc:
        signature.entitlements_unread = "invalid"
        signature.errors.append(f"{label}: the signed entitlements are not a property list ({exc})")
        return
    signature.entitlements = value if isinstance(value, dict) else {}


def _code_directory(body: memoryview, signature: CodeSignature) -> None:
    if len(body) < 44:
        return
    version, _flags, _hash_offset, ident_offset = struct.unpack_from(">IIII", body, 8)
    signature.identifier = _c_string(body, ident_offset)
    if version >= 0x20200 and len(body) >= 52:
        (team_offset,) = struct.unpack_from(">I", body, 48)
        signature.team_id = _c_string(body, team_offset) if team_offset else None


def _c_string(body: memoryview, offset: int) -> str | None:
    if not 0 < offset < len(body):
        return None
    piece = bytes(body[offset : offset + 256])
    end = piece.find(b"\0")
    text = piece[: end if end >= 0 else len(piece)].decode("utf-8", "replace")
    return text or None


def iter_strings(data: Buffer, slices: list[MachOSlice], *, cap: int) -> Iterator[MachOString]:
    """Strings of the string sections (the whole slice when none is found), encrypted bytes skipped,
    one at a time.

    At most ``cap`` bytes of section data are read over all slices."""
    view = memoryview(data)
    budget = cap
    for part in slices:
        ranges = part.sections or [("(whole file)", part.offset, part.size)]
        for name, offset, size in ranges:
            for start, end in _without(offset, offset + size, part.encrypted):
                take = min(end - start, budget)
                if take <= 0:
                    return
                budget -= take
                yield from _strings_in(view, start, start + take, name)


def _without(start: int, end: int, hole: tuple[int, int] | None) -> list[tuple[int, int]]:
    if hole is None:
        return [(start, end)]
    low, high = hole[0], hole[0] + hole[1]
    pieces = [(start, min(end, low)), (max(start, high), end)]
    return [(a, b) for a, b in pieces if b > a]


def _strings_in(view: memoryview, start: int, end: int, section: str) -> Iterator[MachOString]:
    if section in UTF16_SECTIONS:
        for match in _UTF16_RUN.finditer(view, start, end):
            if (match.start() - start) % 2:
                continue
            wide = match.group().decode("utf-16-le", "replace")
            yield MachOString(offset=match.start(), section=section, text=wide)
        return
    if section in STRING_SECTIONS:
        yield from _string_table(view, start, end, section)
        return
    for match in _UTF8_RUN.finditer(view, start, end):
        # The pattern admits well-formed UTF-8 only; "replace" keeps a hostile byte from ever raising.
        yield MachOString(
            offset=match.start(), section=section, text=match.group().decode("utf-8", "replace")
        )


def _string_table(view: memoryview, start: int, end: int, section: str) -> Iterator[MachOString]:
    """NUL-terminated strings back to back, split at C speed a chunk at a time (a 16 MiB section split
    at once is millions of bytes objects alive together)."""
    position = start  # file offset of the next string
    carry = b""  # the unterminated end of the previous chunk
    at = start
    while at < end:
        stop = min(at + _CHUNK, end)
        pieces = (carry + bytes(view[at:stop])).split(b"\0")
        tail = pieces.pop()
        for raw in pieces:
            yield from _table_string(raw, position, section)
            position += len(raw) + 1
        # The tail runs on into the next chunk, unless the section ends here or it is already a
        # chunk long (no string table holds such a string: it is cut there).
        if stop >= end or len(tail) >= _CHUNK:
            yield from _table_string(tail, position, section)
            position += len(tail)
            carry = b""
        else:
            carry = tail
        at = stop


def _table_string(raw: bytes, position: int, section: str) -> Iterator[MachOString]:
    decoded = _utf8(raw) if len(raw) >= 4 else None
    if decoded is not None:
        yield MachOString(offset=position, section=section, text=decoded)


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None  # not text: data placed in a string section by hand

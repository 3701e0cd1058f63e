"""Mach-O executables of iOS apps: load commands, string sections, encryption and code signature.

What is parsed: a thin 32/64-bit little-endian Mach-O or a fat (universal) file of them; in
each slice the load commands ``LC_SEGMENT``/``LC_SEGMENT_64`` (to find the string sections
``__cstring``, ``__objc_methname``, ``__objc_classname``, ``__oslogstring``, ``__ustring``),
``LC_ENCRYPTION_INFO[_64]`` (FairPlay: ``cryptid`` 1 means the range is encrypted and its bytes
say nothing) and ``LC_CODE_SIGNATURE`` (the embedded signature SuperBlob: the CodeDirectory's
identifier and team id, the signed entitlements and the CMS signature with the signer's
certificates). Every offset is checked against the slice before it is used, so hostile input
ends as a ``PackageError`` naming the offset, never as an out-of-bounds read or a loop.
"""

from __future__ import annotations

import plistlib
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import PackageError

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
_CPU_NAMES = {7: "x86", 12: "arm", 0x01000007: "x86_64", 0x0100000C: "arm64", 0x0200000C: "arm64_32"}
# Printable ASCII or well-formed UTF-8, at least four characters: what `strings` would show.
_UTF8_RUN = re.compile(
    rb"(?:[\x20-\x7e\t]|[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}){4,}"
)
_UTF16_RUN = re.compile(rb"(?:[^\x00][\x00-\xff]|\x00[^\x00]){2,}(?=\x00\x00|$)")


@dataclass(slots=True)
class CodeSignature:
    identifier: str | None = None
    team_id: str | None = None
    entitlements: dict[str, Any] = field(default_factory=dict)
    cms: bytes | None = None  # DER PKCS#7 SignedData (detached) carrying the certificates


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


def parse_macho(data: bytes, label: str) -> list[MachOSlice]:
    """The slices of a thin or fat Mach-O; PackageError when it is neither or is malformed."""
    if len(data) < 8:
        raise PackageError(f"{label}: Mach-O executable is truncated ({len(data)} bytes)")
    (big,) = struct.unpack_from(">I", data)
    if big in (FAT_MAGIC, FAT_MAGIC_64):
        (count,) = struct.unpack_from(">I", data, 4)
        if count == 0 or count > _MAX_SLICES:
            raise PackageError(f"{label}: fat Mach-O announces {count} architectures")
        entry = 32 if big == FAT_MAGIC_64 else 20
        if 8 + count * entry > len(data):
            raise PackageError(f"{label}: fat Mach-O header is truncated")
        slices = []
        for number in range(count):
            at = 8 + number * entry
            if big == FAT_MAGIC_64:
                _cpu, _sub, offset, size = struct.unpack_from(">iiQQ", data, at)
            else:
                _cpu, _sub, offset, size = struct.unpack_from(">iiII", data, at)
            if offset + size > len(data) or size < 28:
                raise PackageError(
                    f"{label}: fat Mach-O architecture #{number} at {offset}..{offset + size} "
                    f"lies outside the {len(data)}-byte file"
                )
            slices.append(_parse_thin(data, offset, size, label))
        return slices
    return [_parse_thin(data, 0, len(data), label)]


def _parse_thin(data: bytes, base: int, size: int, label: str) -> MachOSlice:
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
        elif cmd == LC_CODE_SIGNATURE and cmdsize >= 16:
            dataoff, datasize = struct.unpack_from("<II", data, pos + 8)
            if dataoff + datasize > size:
                raise PackageError(
                    f"{label}: Mach-O code signature at {dataoff}..{dataoff + datasize} lies outside the file"
                )
            result.signature = parse_code_signature(data[base + dataoff : base + dataoff + datasize], label)
        pos += cmdsize
    return result


def _segment(data: bytes, pos: int, cmdsize: int, wide: bool, result: MachOSlice, label: str) -> None:
    head, entry = (72, 80) if wide else (56, 68)
    if cmdsize < head:
        raise PackageError(f"{label}: Mach-O segment command at offset {pos} is truncated")
    (nsects,) = struct.unpack_from("<I", data, pos + head - 8)
    if head + nsects * entry > cmdsize:
        raise PackageError(f"{label}: Mach-O segment at offset {pos} lists more sections than it holds")
    for number in range(nsects):
        at = pos + head + number * entry
        name = data[at : at + 16].split(b"\0", 1)[0].decode("ascii", "replace")
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


def parse_code_signature(blob: bytes, label: str) -> CodeSignature:
    """The embedded signature SuperBlob (big-endian): identifier, team id, entitlements, CMS."""
    signature = CodeSignature()
    if len(blob) < 12:
        raise PackageError(f"{label}: Mach-O code signature is truncated")
    magic, length, count = struct.unpack_from(">III", blob)
    if magic != CSMAGIC_EMBEDDED_SIGNATURE:
        raise PackageError(
            f"{label}: Mach-O code signature has magic 0x{magic:08x}, not an embedded signature"
        )
    if count > _MAX_BLOBS or 12 + count * 8 > min(length, len(blob)):
        raise PackageError(f"{label}: Mach-O code signature lists {count} blobs, more than it holds")
    for number in range(count):
        slot, offset = struct.unpack_from(">II", blob, 12 + number * 8)
        if offset + 8 > len(blob):
            raise PackageError(f"{label}: Mach-O code signature blob #{number} lies outside the signature")
        blob_magic, blob_length = struct.unpack_from(">II", blob, offset)
        if blob_length < 8 or offset + blob_length > len(blob):
            raise PackageError(f"{label}: Mach-O code signature blob #{number} has an impossible length")
        body = blob[offset : offset + blob_length]
        if slot == CSSLOT_CODEDIRECTORY and blob_magic == CSMAGIC_CODEDIRECTORY:
            _code_directory(body, signature)
        elif slot == CSSLOT_ENTITLEMENTS and blob_magic == CSMAGIC_EMBEDDED_ENTITLEMENTS:
            try:
                value = plistlib.loads(body[8:])
            except Exception:  # noqa: BLE001 - plistlib raises many types on hostile input
                raise PackageError(f"{label}: the signed entitlements are not a property list") from None
            signature.entitlements = value if isinstance(value, dict) else {}
        elif slot == CSSLOT_SIGNATURESLOT and blob_magic == CSMAGIC_BLOBWRAPPER and blob_length > 8:
            signature.cms = body[8:]
    return signature


def _code_directory(body: bytes, signature: CodeSignature) -> None:
    if len(body) < 44:
        return
    version, _flags, _hash_offset, ident_offset = struct.unpack_from(">IIII", body, 8)
    signature.identifier = _c_string(body, ident_offset)
    if version >= 0x20200 and len(body) >= 52:
        (team_offset,) = struct.unpack_from(">I", body, 48)
        signature.team_id = _c_string(body, team_offset) if team_offset else None


def _c_string(body: bytes, offset: int) -> str | None:
    if not 0 < offset < len(body):
        return None
    end = body.find(b"\0", offset, offset + 256)
    text = body[offset : end if end >= 0 else offset + 256].decode("utf-8", "replace")
    return text or None


def iter_strings(data: bytes, slices: list[MachOSlice], *, cap: int) -> Iterator[MachOString]:
    """Strings of the string sections (the whole slice when none is found), encrypted bytes skipped.

    At most ``cap`` bytes of section data are read over all slices."""
    budget = cap
    for part in slices:
        ranges = part.sections or [("(whole file)", part.offset, part.size)]
        for name, offset, size in ranges:
            for start, end in _without(offset, offset + size, part.encrypted):
                take = min(end - start, budget)
                if take <= 0:
                    return
                budget -= take
                yield from _strings_in(data, start, start + take, name)


def _without(start: int, end: int, hole: tuple[int, int] | None) -> list[tuple[int, int]]:
    if hole is None:
        return [(start, end)]
    low, high = hole[0], hole[0] + hole[1]
    pieces = [(start, min(end, low)), (max(start, high), end)]
    return [(a, b) for a, b in pieces if b > a]


def _strings_in(data: bytes, start: int, end: int, section: str) -> Iterator[MachOString]:
    window = data[start:end]
    if section in UTF16_SECTIONS:
        for match in _UTF16_RUN.finditer(window):
            if match.start() % 2:
                continue
            wide = match.group().decode("utf-16-le", "replace")
            yield MachOString(offset=start + match.start(), section=section, text=wide)
        return
    if section in STRING_SECTIONS:
        # A string table: NUL-terminated strings back to back, split at C speed.
        position = start
        for raw in window.split(b"\0"):
            decoded = _utf8(raw) if len(raw) >= 4 else None
            if decoded is not None:
                yield MachOString(offset=position, section=section, text=decoded)
            position += len(raw) + 1
        return
    for match in _UTF8_RUN.finditer(window):
        yield MachOString(offset=start + match.start(), section=section, text=match.group().decode("utf-8"))


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None  # not text: data placed in a string section by hand

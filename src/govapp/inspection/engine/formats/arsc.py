"""resources.arsc: enough of the resource table to resolve string and boolean references.

The manifest names its label, version name and flags by reference (``@0x7f0b0001``); this
reader finds the value, preferring the default configuration and then Chinese, because
that is what a user of a government app in China sees. The global string pool is also
exposed as the "resource" text surface.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..errors import PackageError
from ..notes import Note
from .axml import RES_STRING_POOL_TYPE, TYPE_INT_BOOLEAN, TYPE_REFERENCE, TYPE_STRING, StringPool

RES_TABLE_TYPE = 0x0002
RES_TABLE_PACKAGE_TYPE = 0x0200
RES_TABLE_TYPE_TYPE = 0x0201

_FLAG_SPARSE = 0x01
_FLAG_OFFSET16 = 0x02
_ENTRY_COMPLEX = 0x0001
_ENTRY_COMPACT = 0x0008
_NO_ENTRY = 0xFFFFFFFF
_MAX_REFERENCE_HOPS = 8


@dataclass(frozen=True, slots=True)
class _TypeChunk:
    start: int
    header_size: int
    end: int
    flags: int
    entry_count: int
    entries_start: int
    language: str
    country: str


@dataclass(frozen=True, slots=True)
class ResourceValue:
    type: int
    data: int
    language: str


class ResourceTable:
    """A parsed resources.arsc; ``resolve_string`` / ``resolve_value`` follow references."""

    def __init__(self, data: bytes, label: str = "resources.arsc") -> None:
        self.label = label
        self._data = data
        self._types: dict[tuple[int, int], list[_TypeChunk]] = {}
        self.notes: list[str] = []
        try:
            self.strings = self._parse()
        except (IndexError, struct.error, ValueError) as exc:
            raise PackageError(f"{label}: malformed resource table ({exc})") from None

    def _parse(self) -> StringPool:
        data = self._data
        if len(data) < 12 or struct.unpack_from("<H", data, 0)[0] != RES_TABLE_TYPE:
            raise PackageError(f"{self.label}: not a resource table")
        header_size = struct.unpack_from("<H", data, 2)[0]
        end = min(struct.unpack_from("<I", data, 4)[0], len(data))
        pos = header_size if 12 <= header_size <= 64 else 12
        pool: StringPool | None = None
        while pos + 8 <= end:
            kind, chunk_header, size = struct.unpack_from("<HHI", data, pos)
            if size < 8 or chunk_header < 8:
                self.notes.append(Note("arsc_invalid_chunk", file=self.label, offset=f"0x{pos:x}"))
                break
            chunk_end = min(pos + size, end)
            if kind == RES_STRING_POOL_TYPE and pool is None:
                pool = StringPool(data, pos, chunk_end, self.label)
            elif kind == RES_TABLE_PACKAGE_TYPE:
                self._parse_package(pos, chunk_header, chunk_end)
            pos = chunk_end
        if pool is None:
            raise PackageError(f"{self.label}: resource table has no global string pool")
        return pool

    def _parse_package(self, start: int, header_size: int, end: int) -> None:
        data = self._data
        package_id = struct.unpack_from("<I", data, start + 8)[0] & 0xFF
        pos = start + header_size
        while pos + 8 <= end:
            kind, chunk_header, size = struct.unpack_from("<HHI", data, pos)
            if size < 8 or chunk_header < 8:
                self.notes.append(Note("arsc_invalid_package_chunk", file=self.label, offset=f"0x{pos:x}"))
                return
            chunk_end = min(pos + size, end)
            if kind == RES_TABLE_TYPE_TYPE and chunk_end - pos >= 28:
                type_id, flags, _reserved, count, entries_start = struct.unpack_from("<BBHII", data, pos + 8)
                language = country = ""
                if chunk_end - pos >= 20 + 16:
                    raw_language = data[pos + 20 + 8 : pos + 20 + 10]
                    raw_country = data[pos + 20 + 10 : pos + 20 + 12]
                    language = _locale_part(raw_language)
                    country = _locale_part(raw_country)
                chunk = _TypeChunk(
                    pos, chunk_header, chunk_end, flags, count, entries_start, language, country
                )
                self._types.setdefault((package_id, type_id), []).append(chunk)
            pos = chunk_end

    def values(self, resource_id: int) -> list[ResourceValue]:
        """Every simple value the resource has, one per configuration, default first."""
        package_id = resource_id >> 24
        type_id = (resource_id >> 16) & 0xFF
        entry = resource_id & 0xFFFF
        out: list[ResourceValue] = []
        for chunk in self._types.get((package_id, type_id), []):
            try:
                value = self._entry_value(chunk, entry)
            except (IndexError, struct.error):
                value = None
            if value is not None:
                out.append(ResourceValue(type=value[0], data=value[1], language=chunk.language))
        out.sort(key=lambda v: (v.language != "", v.language != "zh"))
        return out

    def _entry_value(self, chunk: _TypeChunk, entry: int) -> tuple[int, int] | None:
        data = self._data
        table = chunk.start + chunk.header_size
        offset: int | None = None
        if chunk.flags & _FLAG_SPARSE:
            # Sorted (index u16, offset/4 u16) pairs.
            low, high = 0, min(chunk.entry_count, (chunk.end - table) // 4)
            while low < high:
                mid = (low + high) // 2
                index, quarter = struct.unpack_from("<HH", data, table + 4 * mid)
                if index == entry:
                    offset = quarter * 4
                    break
                if index < entry:
                    low = mid + 1
                else:
                    high = mid
        elif chunk.flags & _FLAG_OFFSET16:
            if entry >= chunk.entry_count:
                return None
            quarter = struct.unpack_from("<H", data, table + 2 * entry)[0]
            offset = None if quarter == 0xFFFF else quarter * 4
        else:
            if entry >= chunk.entry_count:
                return None
            raw = struct.unpack_from("<I", data, table + 4 * entry)[0]
            offset = None if raw == _NO_ENTRY else raw
        if offset is None:
            return None
        pos = chunk.start + chunk.entries_start + offset
        if pos + 8 > chunk.end:
            return None
        size, flags = struct.unpack_from("<HH", data, pos)
        if flags & _ENTRY_COMPACT:
            return flags >> 8, struct.unpack_from("<I", data, pos + 4)[0]
        if flags & _ENTRY_COMPLEX:
            return None
        value_pos = pos + size
        if value_pos + 8 > chunk.end:
            return None
        _vsize, _res0, value_type, value_data = struct.unpack_from("<HBBI", data, value_pos)
        return value_type, value_data

    def resolve_value(self, resource_id: int) -> ResourceValue | None:
        """The preferred value, following references a bounded number of times."""
        seen: set[int] = set()
        current = resource_id
        for _ in range(_MAX_REFERENCE_HOPS):
            if current in seen:
                return None
            seen.add(current)
            values = self.values(current)
            if not values:
                return None
            value = values[0]
            if value.type != TYPE_REFERENCE:
                return value
            current = value.data
        return None

    def resolve_string(self, resource_id: int) -> str | None:
        value = self.resolve_value(resource_id)
        if value is None or value.type != TYPE_STRING:
            return None
        return self.strings.get(value.data)

    def resolve_bool(self, resource_id: int) -> bool | None:
        value = self.resolve_value(resource_id)
        if value is None or value.type != TYPE_INT_BOOLEAN:
            return None
        return value.data != 0


def _locale_part(raw: bytes) -> str:
    if raw[:1] == b"\x00" or len(raw) < 2:
        return ""
    if raw[0] & 0x80:
        # Packed three-letter code; only the two-letter ones matter for our preference.
        return "packed"
    return raw.decode("latin-1")

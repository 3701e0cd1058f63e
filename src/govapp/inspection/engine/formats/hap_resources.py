"""HarmonyOS ``resources.index``: the compiled resource table (strings, their names, per configuration).

Layout: a 136-byte header (tool version, file size, configuration count), one KEYS record per
configuration (its keys: language, region, script, ...), and per configuration an IDSS id set
pointing at the items; each item holds its value and its name.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..errors import LimitExceeded, PackageError
from ..limits import Limits

_RES_HEADER = 136  # 128-byte tool version, u32 file size, u32 key-config count
_STRING = 9  # ResType STRING
TEXT_TYPES = frozenset({9, 10, 11})  # string, string array, plural


@dataclass(frozen=True, slots=True)
class ResourceItem:
    id: int
    type: int
    name: str
    value: str
    config: str  # "" for the default configuration, else e.g. "zh_CN"
    offset: int


class ResourceIndex:
    """Items of a compiled HarmonyOS resources.index, across all its configurations."""

    def __init__(self, items: list[ResourceItem]) -> None:
        self.items = items

    def _pick(self, matches: list[ResourceItem]) -> str | None:
        if not matches:
            return None
        for preferred in ("zh_CN", "zh", ""):
            for item in matches:
                if item.config == preferred:
                    return item.value
        return matches[0].value

    def string_by_id(self, res_id: int) -> str | None:
        return self._pick([i for i in self.items if i.id == res_id and i.type == _STRING])

    def string_by_name(self, name: str) -> str | None:
        return self._pick([i for i in self.items if i.name == name and i.type == _STRING])


def parse_resource_index(data: bytes, label: str, limits: Limits) -> ResourceIndex:
    """Parse resources.index: header, key configurations (KEYS), id sets (IDSS), then the items."""
    if len(data) < _RES_HEADER:
        raise PackageError(f"{label}: resources.index is truncated ({len(data)} bytes)")
    file_size, config_count = struct.unpack_from("<II", data, 128)
    if file_size != len(data):
        raise PackageError(f"{label}: resources.index declares {file_size} bytes but has {len(data)}")
    if config_count > 10_000:
        raise PackageError(f"{label}: resources.index declares {config_count} configurations")
    pos = _RES_HEADER
    configs: list[tuple[str, int]] = []
    for number in range(config_count):
        if pos + 12 > len(data) or data[pos : pos + 4] != b"KEYS":
            raise PackageError(f"{label}: resources.index configuration #{number} is malformed")
        idss_offset, key_count = struct.unpack_from("<II", data, pos + 4)
        pos += 12
        if key_count > 64 or pos + 8 * key_count > len(data):
            raise PackageError(f"{label}: resources.index configuration #{number} has {key_count} keys")
        parts: list[str] = []
        for key in range(key_count):
            key_type, value = struct.unpack_from("<II", data, pos + 8 * key)
            if key_type in (0, 1, 5):  # language, region, script: packed ASCII, stored reversed
                parts.append(value.to_bytes(4, "big").lstrip(b"\0").decode("ascii", "replace"))
        pos += 8 * key_count
        configs.append(("_".join(parts), idss_offset))
    items: list[ResourceItem] = []
    for config, idss_offset in configs:
        if idss_offset + 8 > len(data) or data[idss_offset : idss_offset + 4] != b"IDSS":
            raise PackageError(f"{label}: resources.index id set at {idss_offset} is malformed")
        (count,) = struct.unpack_from("<I", data, idss_offset + 4)
        if idss_offset + 8 + 8 * count > len(data):
            raise PackageError(f"{label}: resources.index id set at {idss_offset} overruns the file")
        for slot in range(count):
            res_id, item_offset = struct.unpack_from("<II", data, idss_offset + 8 + 8 * slot)
            items.append(_resource_item(data, label, res_id, item_offset, config))
            if len(items) > limits.max_entries:
                raise LimitExceeded(f"{label}: resources.index has more than {limits.max_entries} items")
    return ResourceIndex(items)


def _resource_item(data: bytes, label: str, res_id: int, offset: int, config: str) -> ResourceItem:
    if offset + 14 > len(data):
        raise PackageError(f"{label}: resources.index item 0x{res_id:08x} lies outside the file")
    size, res_type, stored_id = struct.unpack_from("<III", data, offset)
    end = offset + 4 + size
    if size < 10 or end > len(data):
        raise PackageError(f"{label}: resources.index item 0x{res_id:08x} has an impossible size {size}")
    pos = offset + 12
    values: list[str] = []
    for _ in range(2):
        if pos + 2 > end:
            raise PackageError(f"{label}: resources.index item 0x{res_id:08x} is truncated")
        (length,) = struct.unpack_from("<H", data, pos)
        pos += 2
        if pos + length > end:
            raise PackageError(f"{label}: resources.index item 0x{res_id:08x} has a string past its end")
        values.append(data[pos : pos + length].rstrip(b"\0").decode("utf-8", "replace"))
        pos += length
    return ResourceItem(
        id=stored_id, type=res_type, value=values[0], name=values[1], config=config, offset=offset
    )

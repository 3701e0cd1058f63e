"""Android binary XML (AndroidManifest.xml, compiled layouts) and its string pools.

Malware and packers bend this format on purpose (wrong chunk sizes, string counts larger
than the pool, attribute names that are only resolvable through the resource map), and
Android itself is lenient about much of it. So this reader decodes what Android would
decode and stops with a ``PackageError`` only when nothing sensible is left.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from ..errors import PackageError
from ..notes import Note

RES_STRING_POOL_TYPE = 0x0001
RES_XML_TYPE = 0x0003
RES_XML_START_NAMESPACE = 0x0100
RES_XML_END_NAMESPACE = 0x0101
RES_XML_START_ELEMENT = 0x0102
RES_XML_END_ELEMENT = 0x0103
RES_XML_CDATA = 0x0104
RES_XML_RESOURCE_MAP = 0x0180

ANDROID_NS = "http://schemas.android.com/apk/res/android"

TYPE_NULL = 0x00
TYPE_REFERENCE = 0x01
TYPE_ATTRIBUTE = 0x02
TYPE_STRING = 0x03
TYPE_FLOAT = 0x04
TYPE_DYNAMIC_REFERENCE = 0x07
TYPE_INT_DEC = 0x10
TYPE_INT_HEX = 0x11
TYPE_INT_BOOLEAN = 0x12

_UTF8_FLAG = 1 << 8
_MAX_DEPTH = 512  # deeper nesting than any real manifest or layout

# Android framework attribute ids: Android resolves attribute names by these ids, so a
# manifest whose attribute-name strings are blanked or renamed still means the same thing.
ANDROID_ATTRS: dict[int, str] = {
    0x01010000: "theme",
    0x01010001: "label",
    0x01010002: "icon",
    0x01010003: "name",
    0x01010006: "permission",
    0x0101000C: "hasCode",
    0x0101000E: "enabled",
    0x0101000F: "debuggable",
    0x01010010: "exported",
    0x01010011: "process",
    0x01010018: "authorities",
    0x01010024: "value",
    0x01010025: "resource",
    0x01010027: "scheme",
    0x01010028: "host",
    0x0101014F: "text",
    0x01010150: "hint",
    0x010101E1: "title",
    0x010101E9: "summary",
    0x0101020C: "minSdkVersion",
    0x0101021B: "versionCode",
    0x0101021C: "versionName",
    0x01010270: "targetSdkVersion",
    0x01010271: "maxSdkVersion",
    0x01010273: "contentDescription",
    0x01010280: "allowBackup",
    0x0101028E: "required",
    0x010104EC: "usesCleartextTraffic",
    0x01010527: "networkSecurityConfig",
    0x01010549: "splitName",
    0x01010572: "compileSdkVersion",
    0x01010573: "compileSdkVersionCodename",
    0x01010591: "isSplitRequired",
}


def _u16(data: bytes, pos: int) -> int:
    return data[pos] | (data[pos + 1] << 8)


def _u32(data: bytes, pos: int) -> int:
    return struct.unpack_from("<I", data, pos)[0]


class StringPool:
    """A ResStringPool chunk; strings are decoded on first use (pools can be large)."""

    def __init__(self, data: bytes, start: int, end: int, label: str) -> None:
        if end - start < 28 or end > len(data):
            raise PackageError(f"{label}: string pool header is truncated")
        header_size = _u16(data, start + 2)
        count, _styles, flags, strings_start = struct.unpack_from("<IIII", data, start + 8)
        if header_size < 28 or start + header_size > end:
            raise PackageError(f"{label}: string pool header size {header_size} is invalid")
        # Packers overstate the count; Android reads only the offsets that fit the chunk.
        fit = (end - start - header_size) // 4
        self.count = min(count, fit)
        self._offsets = start + header_size
        self._base = start + strings_start
        self._end = end
        self._utf8 = bool(flags & _UTF8_FLAG)
        self._data = data
        self._cache: dict[int, str] = {}

    def __len__(self) -> int:
        return self.count

    def get(self, index: int) -> str:
        """The string at ``index``, or "" for an index or offset that points nowhere."""
        if index < 0 or index >= self.count:
            return ""
        cached = self._cache.get(index)
        if cached is not None:
            return cached
        try:
            value = self._decode(_u32(self._data, self._offsets + 4 * index))
        except (IndexError, struct.error):
            value = ""
        self._cache[index] = value
        return value

    def _decode(self, offset: int) -> str:
        data = self._data
        pos = self._base + offset
        if pos < self._base or pos >= self._end:
            return ""
        if self._utf8:
            # UTF-16 length first (skipped), then the UTF-8 byte length, each 1 or 2 bytes.
            pos += 2 if data[pos] & 0x80 else 1
            length = data[pos]
            if length & 0x80:
                length = ((length & 0x7F) << 8) | data[pos + 1]
                pos += 2
            else:
                pos += 1
            raw = data[pos : min(pos + length, self._end)]
            return raw.decode("utf-8", "replace")
        length = _u16(data, pos)
        pos += 2
        if length & 0x8000:
            length = ((length & 0x7FFF) << 16) | _u16(data, pos)
            pos += 2
        raw = data[pos : min(pos + 2 * length, self._end)]
        return raw.decode("utf-16-le", "replace")

    def strings(self) -> list[str]:
        return [self.get(i) for i in range(self.count)]


@dataclass(slots=True)
class XmlAttribute:
    namespace: str
    name: str
    resource_id: int  # the framework attribute id from the resource map, 0 if none
    type: int
    data: int
    raw: str | None  # the raw string value, when the compiler kept one

    @property
    def value(self) -> str | int | bool | None:
        """The typed value: str for strings, bool for booleans, int otherwise (refs are ints)."""
        if self.type == TYPE_STRING:
            return self.raw if self.raw is not None else ""
        if self.type == TYPE_INT_BOOLEAN:
            return self.data != 0
        if self.type == TYPE_NULL:
            return self.raw
        if self.type in (TYPE_INT_DEC, TYPE_INT_HEX) and self.data & 0x80000000:
            return self.data - (1 << 32)
        return self.data

    @property
    def is_reference(self) -> bool:
        return self.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE)

    def display(self) -> str:
        """The value as aapt would print it: "@0x7f..." for references."""
        if self.is_reference:
            return f"@0x{self.data:08x}"
        value = self.value
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)


@dataclass(slots=True)
class XmlElement:
    name: str
    namespace: str
    line: int
    attributes: list[XmlAttribute] = field(default_factory=list)
    children: list[XmlElement] = field(default_factory=list)
    text: str = ""

    def attr(self, name: str, namespace: str | None = ANDROID_NS) -> XmlAttribute | None:
        """The attribute ``name``; ``namespace=None`` matches any namespace."""
        for attribute in self.attributes:
            if attribute.name == name and (namespace is None or attribute.namespace == namespace):
                return attribute
        return None

    def get(self, name: str, namespace: str | None = ANDROID_NS) -> str | int | bool | None:
        attribute = self.attr(name, namespace)
        return None if attribute is None else attribute.value

    def iter(self, name: str | None = None) -> list[XmlElement]:
        """This element and all descendants (optionally only those named ``name``), document order."""
        out: list[XmlElement] = []
        stack = [self]
        while stack:
            element = stack.pop()
            if name is None or element.name == name:
                out.append(element)
            stack.extend(reversed(element.children))
        return out


@dataclass(slots=True)
class XmlDocument:
    root: XmlElement
    strings: StringPool
    notes: list[str] = field(default_factory=list)


def is_axml(data: bytes) -> bool:
    return len(data) >= 8 and _u16(data, 0) == RES_XML_TYPE


def parse_axml(data: bytes, label: str = "binary XML") -> XmlDocument:
    """Parse a compiled XML document; raise ``PackageError`` if it has no usable root element."""
    try:
        return _parse(data, label)
    except (IndexError, struct.error, ValueError) as exc:
        raise PackageError(f"{label}: malformed binary XML ({exc})") from None


def _parse(data: bytes, label: str) -> XmlDocument:
    if len(data) < 8:
        raise PackageError(f"{label}: binary XML is truncated ({len(data)} bytes)")
    kind, header_size = _u16(data, 0), _u16(data, 2)
    if kind != RES_XML_TYPE:
        raise PackageError(f"{label}: not a binary XML document (chunk type 0x{kind:04x})")
    notes: list[str] = []
    declared = _u32(data, 4)
    end = len(data)
    if declared != len(data):
        notes.append(Note("axml_size_mismatch", file=label, declared=declared, real=len(data)))
    pos = header_size if 8 <= header_size <= 64 else 8
    pool: StringPool | None = None
    resource_ids: list[int] = []
    namespaces: dict[str, str] = {}  # uri -> prefix, for display only
    root: XmlElement | None = None
    stack: list[XmlElement] = []
    while pos + 8 <= end:
        chunk_type, chunk_header, chunk_size = struct.unpack_from("<HHI", data, pos)
        if chunk_size < 8 or chunk_header < 8:
            # A zero- or tiny-size chunk would loop forever; Android stops here as well.
            notes.append(Note("axml_invalid_chunk", file=label, size=chunk_size, offset=f"0x{pos:x}"))
            break
        chunk_end = min(pos + chunk_size, end)
        if chunk_type == RES_STRING_POOL_TYPE:
            if pool is None:
                pool = StringPool(data, pos, chunk_end, label)
        elif chunk_type == RES_XML_RESOURCE_MAP:
            count = (chunk_end - pos - chunk_header) // 4
            if count > 0:
                resource_ids = list(struct.unpack_from(f"<{count}I", data, pos + chunk_header))
        elif chunk_type == RES_XML_START_NAMESPACE and pool is not None and chunk_end - pos >= 24:
            prefix_index, uri_index = struct.unpack_from("<II", data, pos + 16)
            namespaces[pool.get(uri_index)] = pool.get(prefix_index)
        elif chunk_type == RES_XML_START_ELEMENT:
            if pool is None:
                raise PackageError(f"{label}: element before the string pool")
            element, element_end = _start_element(data, pos, chunk_header, end, pool, resource_ids)
            if len(stack) >= _MAX_DEPTH:
                raise PackageError(f"{label}: elements nested deeper than {_MAX_DEPTH}")
            if stack:
                stack[-1].children.append(element)
            elif root is None:
                root = element
            else:
                notes.append(Note("axml_second_root", file=label, element=element.name))
            stack.append(element)
            # Some packers put garbage in an element's size; its attributes tell the real extent.
            if chunk_end < element_end <= end:
                chunk_end = element_end
        elif chunk_type == RES_XML_END_ELEMENT:
            if stack:
                stack.pop()
        elif chunk_type == RES_XML_CDATA and pool is not None and stack and chunk_end - pos >= 20:
            stack[-1].text += pool.get(_u32(data, pos + 16))
        pos = chunk_end
    if pool is None or root is None:
        raise PackageError(f"{label}: binary XML has no string pool or no root element")
    return XmlDocument(root=root, strings=pool, notes=notes)


def _start_element(
    data: bytes, pos: int, header_size: int, end: int, pool: StringPool, resource_ids: list[int]
) -> tuple[XmlElement, int]:
    line = _u32(data, pos + 8)
    ext = pos + header_size
    ns_index, name_index, attr_start, attr_size, attr_count = struct.unpack_from("<IIHHH", data, ext)
    element = XmlElement(name=pool.get(name_index), namespace=_ns(pool, ns_index), line=line)
    if attr_size < 20:
        attr_size = 20
    first = ext + attr_start
    attr_count = min(attr_count, max(0, (end - first) // attr_size))
    for i in range(attr_count):
        at = first + i * attr_size
        a_ns, a_name, a_raw, _size, _res0, a_type, a_data = struct.unpack_from("<IIIHBBI", data, at)
        res_id = resource_ids[a_name] if a_name < len(resource_ids) else 0
        name = ANDROID_ATTRS.get(res_id) or pool.get(a_name)
        namespace = _ns(pool, a_ns)
        if res_id in ANDROID_ATTRS:
            namespace = ANDROID_NS
        raw = pool.get(a_raw) if a_raw != 0xFFFFFFFF else None
        if a_type == TYPE_STRING and not raw:
            raw = pool.get(a_data)
        element.attributes.append(
            XmlAttribute(
                namespace=namespace, name=name, resource_id=res_id, type=a_type, data=a_data, raw=raw
            )
        )
    return element, first + attr_count * attr_size


def _ns(pool: StringPool, index: int) -> str:
    return "" if index == 0xFFFFFFFF else pool.get(index)

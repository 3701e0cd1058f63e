"""Our own fast DEX reader: the tables, and const-string / invoke uses linked to their method.

Speed comes from never decoding a whole program: strings are matched against the
interest first; the few interesting string and method indices are then located in the raw
bytes of the code section (a regular-expression scan for opcode+index, or ``bytes.find`` of a
wanted method index); a candidate is mapped to its code item and method decoding only the few
classes needed (``_CodeOwners``), and only such methods are decoded instruction by instruction,
which both confirms alignment and finds the caller.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import PackageError
from ..facts import ApiHit, Evidence, Interest, TextHit
from ..prefilter import matching

_MAGIC = re.compile(rb"dex\n(03[5-9]|04[01])\x00")
_HEADER_SIZE = 0x70
_NO_INDEX = 0xFFFFFFFF

OP_CONST_STRING = 0x1A
OP_CONST_STRING_JUMBO = 0x1B
_INVOKE_OPS = frozenset([*range(0x6E, 0x73), *range(0x74, 0x79), 0xFA, 0xFB])
_INVOKE_CLASS = rb"[\x6e-\x72\x74-\x78\xfa\xfb]"
_REGEX_ALTERNATION_MAX = 4000  # above this, one generic scan filtered in Python is faster
_FIND_INDICES_MAX = 32  # up to this many wanted methods, each index is found with bytes.find


def _instruction_units() -> bytes:
    """Instruction length in 16-bit code units, by opcode (Dalvik formats)."""
    units = bytearray([1]) * 256
    spans = {
        2: [0x02, 0x05, 0x08, 0x13, 0x15, 0x16, 0x19, 0x1A, 0x1C, 0x1F, 0x20, 0x22, 0x23, 0x29, 0xFE, 0xFF],
        3: [0x03, 0x06, 0x09, 0x14, 0x17, 0x1B, 0x24, 0x25, 0x26, 0x2A, 0x2B, 0x2C, 0xFC, 0xFD],
        5: [0x18],
        4: [0xFA, 0xFB],
    }
    for length, ops in spans.items():
        for op in ops:
            units[op] = length
    for first, last, length in (
        (0x2D, 0x37, 2),  # cmp*, if-test
        (0x38, 0x3D, 2),  # if-testz
        (0x44, 0x6D, 2),  # aget/aput, iget/iput, sget/sput
        (0x6E, 0x72, 3),  # invoke-kind
        (0x74, 0x78, 3),  # invoke-kind/range
        (0x90, 0xAF, 2),  # binop
        (0xD0, 0xE2, 2),  # binop/lit16, binop/lit8
    ):
        for op in range(first, last + 1):
            units[op] = length
    return bytes(units)


_UNITS = _instruction_units()


@dataclass(slots=True)
class DexFile:
    """The tables of one DEX file, validated against its size."""

    data: bytes
    label: str
    version: str
    string_offsets: memoryview
    type_ids: memoryview
    proto_off: int
    proto_count: int
    method_off: int
    method_count: int
    class_off: int
    class_count: int
    _strings: dict[int, str] = field(default_factory=dict)

    def string(self, index: int) -> str:
        cached = self._strings.get(index)
        if cached is None:
            cached = (
                _decode_string(self.data, self.string_offsets[index])
                if index < len(self.string_offsets)
                else ""
            )
            self._strings[index] = cached
        return cached

    def type_name(self, index: int) -> str:
        if index >= len(self.type_ids):
            return "?"
        return self.string(self.type_ids[index])

    def method_ref(self, index: int) -> str:
        """``Lpkg/Cls;->name``, the form rules match API interest against."""
        class_idx, _proto, name_idx = struct.unpack_from("<HHI", self.data, self.method_off + 8 * index)
        return f"{self.type_name(class_idx)}->{self.string(name_idx)}"

    def method_signature(self, index: int) -> str:
        """``Lpkg/Cls;->name(II)V``, for ``Evidence.caller``."""
        class_idx, proto_idx, name_idx = struct.unpack_from("<HHI", self.data, self.method_off + 8 * index)
        return f"{self.type_name(class_idx)}->{self.string(name_idx)}{self.proto(proto_idx)}"

    def proto(self, index: int) -> str:
        if index >= self.proto_count:
            return "(?)?"
        _shorty, return_idx, params_off = struct.unpack_from("<III", self.data, self.proto_off + 12 * index)
        params: list[str] = []
        if params_off and params_off + 4 <= len(self.data):
            count = struct.unpack_from("<I", self.data, params_off)[0]
            count = min(count, max(0, (len(self.data) - params_off - 4) // 2), 255)
            params = [self.type_name(t) for t in struct.unpack_from(f"<{count}H", self.data, params_off + 4)]
        return f"({''.join(params)}){self.type_name(return_idx)}"


def _decode_string(data: bytes, offset: int) -> str:
    """A MUTF-8 string_data_item: uleb128 length, then bytes up to a NUL."""
    pos = offset
    limit = min(offset + 5, len(data))
    while pos < limit and data[pos] & 0x80:
        pos += 1
    pos += 1
    end = data.find(b"\x00", pos)
    if end < 0:
        end = len(data)
    raw = data[pos:end]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_mutf8(raw)


def _decode_mutf8(raw: bytes) -> str:
    # MUTF-8 encodes NUL as C0 80 and characters outside the BMP as two 3-byte surrogates.
    text = raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def open_dex(data: bytes, label: str = "classes.dex") -> DexFile:
    """Validate the header and table bounds; ``PackageError`` when anything points outside."""
    size = len(data)
    if size < _HEADER_SIZE:
        raise PackageError(f"{label}: DEX file is truncated ({size} bytes)")
    magic = _MAGIC.match(data, 0)
    if magic is None:
        raise PackageError(f"{label}: not a DEX file or an unsupported DEX version ({data[:8]!r})")
    fields = struct.unpack_from("<20I", data, 0x20)
    file_size, header_size, endian = fields[0], fields[1], fields[2]
    if endian != 0x12345678:
        raise PackageError(f"{label}: DEX endian tag 0x{endian:08x} is not supported")
    if header_size < _HEADER_SIZE or header_size > size:
        raise PackageError(f"{label}: DEX header size {header_size} is invalid")
    if file_size > size:
        raise PackageError(f"{label}: DEX file is truncated ({size} of {file_size} bytes)")
    strings_n, strings_off, types_n, types_off, protos_n, protos_off = fields[6:12]
    methods_n, methods_off, classes_n, classes_off = fields[14:18]
    for name, count, offset, item in (
        ("string_ids", strings_n, strings_off, 4),
        ("type_ids", types_n, types_off, 4),
        ("proto_ids", protos_n, protos_off, 12),
        ("method_ids", methods_n, methods_off, 8),
        ("class_defs", classes_n, classes_off, 32),
    ):
        if count and (offset < header_size or offset + count * item > size):
            raise PackageError(
                f"{label}: DEX {name} table ({count} items at 0x{offset:x}) lies outside the file"
            )
    view = memoryview(data)
    string_offsets = view[strings_off : strings_off + 4 * strings_n].cast("I")
    for offset in string_offsets:
        if offset >= size:
            raise PackageError(f"{label}: DEX string data offset 0x{offset:x} lies outside the file")
    return DexFile(
        data=data,
        label=label,
        version=magic.group(1).decode(),
        string_offsets=string_offsets,
        type_ids=view[types_off : types_off + 4 * types_n].cast("I"),
        proto_off=protos_off,
        proto_count=protos_n,
        method_off=methods_off,
        method_count=methods_n,
        class_off=classes_off,
        class_count=classes_n,
    )


_MEMO_MAX_ENTRIES = 2_000_000  # ~150 MB of short strings at worst; past it, strings are just searched
_MEMO_MAX_LENGTH = 512


@dataclass(slots=True)
class MatchMemo:
    """What the interest patterns said about strings already seen in this package's other DEX files.

    Multidex apps repeat much of their string and method tables in every classesN.dex (framework
    types, shared library names), so each distinct string is searched once per package. One dict
    per pattern (string -> matched) answers "seen?" and "matched?" in one C-level lookup pass.
    """

    texts: dict[str, bool] = field(default_factory=dict)
    apis: dict[str, bool] = field(default_factory=dict)


def _matching(items: list[str], memo: dict[str, bool], pattern: re.Pattern[str]) -> dict[int, str]:
    """Index -> item for the items ``pattern`` finds something in, each distinct item searched once."""
    known = list(map(memo.get, items))  # True / False, or None for an item not seen before
    unseen = list(itertools.compress(range(len(items)), map(operator.is_, known, itertools.repeat(None))))
    # dict.fromkeys: method refs repeat within one file (overloads); strings do not.
    fresh = list(dict.fromkeys(map(items.__getitem__, unseen)))
    matched = {fresh[k] for k in matching(pattern, fresh)}
    found = {i: items[i] for i in itertools.compress(range(len(items)), known)}
    if matched:
        hits = itertools.compress(unseen, map(matched.__contains__, map(items.__getitem__, unseen)))
        found.update((i, items[i]) for i in hits)
    room = _MEMO_MAX_ENTRIES - len(memo)
    if room > 0 and fresh:
        if max(map(len, fresh)) > _MEMO_MAX_LENGTH or len(fresh) > room:
            fresh = [item for item in fresh if len(item) <= _MEMO_MAX_LENGTH][:room]
        memo.update(zip(fresh, map(matched.__contains__, fresh), strict=True))
    return found


@dataclass(slots=True)
class DexScan:
    texts: list[TextHit] = field(default_factory=list)
    apis: list[ApiHit] = field(default_factory=list)
    code_names: set[str] = field(default_factory=set)
    class_count: int = 0
    method_count: int = 0
    notes: list[str] = field(default_factory=list)


def scan_dex(
    data: bytes,
    interest: Interest,
    *,
    label: str = "classes.dex",
    max_texts: int = 50_000,
    memo: MatchMemo | None = None,
) -> DexScan:
    """Text and API hits of one DEX file, each linked to the method that uses it.

    Pass one ``memo`` to every DEX file of a package to search repeated strings once.
    """
    try:
        dex = open_dex(data, label)
        return _scan(dex, interest, max_texts, memo or MatchMemo())
    except (IndexError, struct.error, ValueError, OverflowError, TypeError) as exc:
        raise PackageError(f"{label}: malformed DEX file ({exc})") from None


def _scan(dex: DexFile, interest: Interest, max_texts: int, memo: MatchMemo) -> DexScan:
    result = DexScan(class_count=dex.class_count, method_count=dex.method_count)
    strings = _all_strings(dex)
    wanted_strings = _matching(strings, memo.texts, interest.text)
    dex._strings.update(wanted_strings)
    wanted_methods = _matching(_all_method_refs(dex, strings), memo.apis, interest.api)
    class_names = _defined_classes(dex, strings)
    del strings
    result.code_names = _code_names(class_names, interest)
    uses: dict[int, list[tuple[int, int]]] = {}  # string idx -> [(offset, method idx)]
    calls: dict[int, list[tuple[int, int]]] = {}
    if wanted_strings or wanted_methods:
        candidates = _candidate_offsets(
            dex.data, set(wanted_strings), set(wanted_methods), _code_section(dex)
        )
        if candidates:
            _link(dex, candidates, set(wanted_strings), set(wanted_methods), uses, calls)
    for index, text in wanted_strings.items():
        snippet = _snippet(text, interest)
        for offset, method in uses.get(index) or [(-1, -1)]:
            if len(result.texts) >= max_texts:
                break
            if method < 0:
                evidence = Evidence(file=dex.label, location=f"string #{index}", snippet=snippet)
            else:
                evidence = Evidence(
                    file=dex.label,
                    location=f"offset 0x{offset:x}",
                    snippet=snippet,
                    caller=dex.method_signature(method),
                    invoked=True,
                )
            result.texts.append(TextHit(text=text, surface="dex", evidence=evidence))
    for index, ref in wanted_methods.items():
        signature = dex.method_signature(index)
        # Without a call site the method is only referenced (reflection, method handles, overrides).
        for offset, method in calls.get(index) or [(-1, -1)]:
            if len(result.apis) >= max_texts:
                break
            if method < 0:
                evidence = Evidence(file=dex.label, location=f"method #{index}", snippet=signature)
            else:
                evidence = Evidence(
                    file=dex.label,
                    location=f"offset 0x{offset:x}",
                    snippet=signature,
                    caller=dex.method_signature(method),
                    invoked=True,
                )
            result.apis.append(ApiHit(api=ref, evidence=evidence))
    if len(result.texts) >= max_texts or len(result.apis) >= max_texts:
        result.notes.append(f"{dex.label}: only the first {max_texts} text and API hits were kept")
    return result


def _all_strings(dex: DexFile) -> list[str]:
    """Every string of the table, in index order."""
    if not len(dex.string_offsets):
        return []
    in_order = _strings_in_order(dex)
    if in_order is not None:
        return in_order
    data = dex.data
    size = len(data)
    out: list[str] = []
    append = out.append
    for offset in dex.string_offsets:
        # Most strings are ASCII and shorter than 128 characters: a one-byte length equal to the
        # byte count, then the NUL. Anything else takes the full MUTF-8 path.
        length = data[offset]
        end = offset + 1 + length
        if length < 0x80 and end < size and data[end] == 0:
            raw = data[offset + 1 : end]
            if raw.isascii():
                append(raw.decode("ascii"))
                continue
        append(_decode_string(data, offset))
    return out


def _strings_in_order(dex: DexFile) -> list[str] | None:
    """The string table decoded in one piece when its data lies in index order, back to back (as
    dx and d8 write it); None otherwise.

    String data holds no NUL byte but each item's terminator (MUTF-8 encodes U+0000 as C0 80),
    so one split of the whole section yields every item; its offsets must equal the table's.
    """
    data = dex.data
    offsets = dex.string_offsets
    count = len(offsets)
    head: list[str] = []
    first = 0
    if data[offsets[0]] == 0:  # the empty string, sorted first: a zero length, then its NUL
        head = [""]
        first = 1
    if first == count:
        return head
    base = offsets[first]
    end = data.find(b"\x00", offsets[count - 1])
    if end < base:
        return None
    items = data[base:end].decode("latin-1").split("\x00")
    if len(items) != count - first:
        return None
    starts = list(
        map(operator.add, itertools.accumulate(map(len, items), initial=base), range(count - first + 1))
    )
    starts.pop()
    if starts != offsets[first:].tolist():
        return None
    # An ASCII item is a one-byte length and the ASCII text; anything else is decoded as MUTF-8.
    strings = list(map(operator.itemgetter(slice(1, None)), items))
    for index in itertools.compress(range(len(items)), map(operator.not_, map(str.isascii, items))):
        strings[index] = _decode_string(data, starts[index])
    return head + strings


def _all_method_refs(dex: DexFile, strings: list[str]) -> list[str]:
    """``Lpkg/Cls;->name`` of every method id, in index order (``DexFile.method_ref`` in bulk)."""
    if not dex.method_count:
        return []
    count = len(strings)
    types = [strings[t] if t < count else "" for t in dex.type_ids]
    table = memoryview(dex.data)[dex.method_off : dex.method_off + 8 * dex.method_count]
    # method_id_item: class_idx (u16), proto_idx (u16), name_idx (u32).
    class_idxs = table.cast("H")[::4].tolist()
    name_idxs = table.cast("I")[1::2].tolist()
    if max(class_idxs) < len(types) and max(name_idxs) < count:
        # "->" joined to each type once, then one C-level concatenation per method: str.format per
        # method took twice as long (0.13 -> 0.07 s on the large APK).
        arrows = [name + "->" for name in types]
        return list(
            map(operator.add, map(arrows.__getitem__, class_idxs), map(strings.__getitem__, name_idxs))
        )
    type_count = len(types)
    return [
        f"{types[c] if c < type_count else '?'}->{strings[n] if n < count else ''}"
        for c, n in zip(class_idxs, name_idxs, strict=True)
    ]


def _snippet(text: str, interest: Interest) -> str:
    if len(text) <= 160:
        return text
    match = interest.text.search(text)
    start = max(0, (match.start() if match else 0) - 60)
    return text[start : start + 160]


def _defined_classes(dex: DexFile, strings: list[str]) -> list[str]:
    """Descriptor of every class_def, from the decoded string table ("?" for a bad type index)."""
    count = len(strings)
    types = [strings[t] if t < count else "" for t in dex.type_ids]
    type_count = len(types)
    class_idxs = struct.unpack_from(f"<{8 * dex.class_count}I", dex.data, dex.class_off)[::8]
    return [types[c] if c < type_count else "?" for c in class_idxs]


def _code_names(class_names: Iterable[str], interest: Interest) -> set[str]:
    """Dotted packages (or, if only the class matches, class names) matching ``code_prefix``."""
    found: set[str] = set()
    checked: dict[str, bool] = {}
    for descriptor in class_names:
        if not (descriptor.startswith("L") and descriptor.endswith(";")):
            continue
        dotted = descriptor[1:-1].replace("/", ".")
        package = dotted.rpartition(".")[0]
        if package:
            hit = checked.get(package)
            if hit is None:
                hit = checked[package] = interest.code_prefix.match(package) is not None
            if hit:
                found.add(package)
                continue
        if interest.code_prefix.match(dotted):
            found.add(dotted)
    return found


def _index_pattern(indices: set[int], width: int) -> bytes:
    fmt = "<H" if width == 2 else "<I"
    parts = sorted(re.escape(struct.pack(fmt, i)) for i in indices)
    return b"(?:" + b"|".join(parts) + b")"


_TYPE_CLASS_DATA_ITEM = 0x2000
_TYPE_CODE_ITEM = 0x2001


def _code_section(dex: DexFile) -> tuple[int, int]:
    """Where the map list puts the code items (``(0, size)`` when it cannot tell).

    Only 40% of a typical DEX file is code; strings, class data and debug info need not be
    scanned for instructions. ART's verifier refuses a method whose code lies outside this
    section, so nothing that can run is missed.
    """
    return _section(dex, _TYPE_CODE_ITEM)


def _section(dex: DexFile, kind: int) -> tuple[int, int]:
    """Where the map list puts the items of ``kind`` (``(0, size)`` when it cannot tell)."""
    data = dex.data
    size = len(data)
    map_off = struct.unpack_from("<I", data, 0x34)[0]
    if not map_off or map_off + 4 > size:
        return 0, size
    count = struct.unpack_from("<I", data, map_off)[0]
    if count > (size - map_off - 4) // 12:
        return 0, size
    items = list(struct.iter_unpack("<HHII", data[map_off + 4 : map_off + 4 + 12 * count]))
    starts = [offset for item_kind, _unused, _count, offset in items if item_kind == kind]
    if len(starts) != 1 or not 0 < starts[0] < size:
        return 0, size
    start = starts[0]
    end = min([offset for _kind, _unused, _count, offset in items if offset > start] + [size])
    return start, min(end, size)


def _candidate_offsets(
    data: bytes, strings: set[int], methods: set[int], section: tuple[int, int]
) -> list[int]:
    """Byte offsets in ``section`` that may be a const-string or invoke of a wanted index (unverified)."""
    start, end = section
    found: list[int] = []
    short_strings = {i for i in strings if i <= 0xFFFF}
    methods = {i for i in methods if i <= 0xFFFF}  # invoke-* has a 16-bit method index
    scans: list[tuple[bytes, int, set[int]]] = []
    if short_strings:
        scans.append((rb"\x1a", 2, short_strings))
    if strings:
        scans.append((rb"\x1b", 4, strings))
    if len(methods) > _FIND_INDICES_MAX:
        scans.append((_INVOKE_CLASS, 2, methods))
    elif methods:
        found.extend(_invokes_by_index(data, methods, start, end))
    for opcode, width, indices in scans:
        if len(indices) <= _REGEX_ALTERNATION_MAX:
            pattern = re.compile(opcode + rb"(?=[\x00-\xff]" + _index_pattern(indices, width) + b")", re.S)
            found.extend(m.start() for m in pattern.finditer(data, start, end))
        else:
            pattern = re.compile(opcode + rb"(?=[\x00-\xff](" + b"." * width + b"))", re.S)
            fmt = "<H" if width == 2 else "<I"
            for m in pattern.finditer(data, start, end):
                if struct.unpack(fmt, m.group(1))[0] in indices:
                    found.append(m.start())
    found.sort()
    return found


def _class_data_offsets(dex: DexFile) -> list[int]:
    """class_data_off of every class_def that has one (the 7th of its 8 words), in class_def order."""
    size = len(dex.data)
    found = [
        off for off in struct.unpack_from(f"<{8 * dex.class_count}I", dex.data, dex.class_off)[6::8] if off
    ]
    for off in found:
        if off >= size:
            raise PackageError(f"{dex.label}: class data offset 0x{off:x} lies outside the file")
    return found


def _class_code(dex: DexFile, class_data_off: int) -> tuple[list[int], list[int]]:
    """Code item offset and method idx of every method with code in one class_data_item, in file order."""
    data = dex.data
    size = len(data)
    method_count = dex.method_count
    offsets: list[int] = []
    owners: list[int] = []
    uleb = _uleb
    # Most uleb128 values here are one byte and code offsets two or three: read inline, because a
    # call per value was half of the time. Code items are validated when a candidate falls into one.
    pos = class_data_off
    counts = []
    for _ in range(4):
        value = data[pos]
        if value < 0x80:
            pos += 1
        else:
            value, pos = uleb(data, pos)
        counts.append(value)
    static_fields, instance_fields, direct, virtual = counts
    if (static_fields + instance_fields) * 2 + (direct + virtual) * 3 > size - pos:
        raise PackageError(f"{dex.label}: class data at 0x{class_data_off:x} declares more members than fit")
    for _ in range(2 * (static_fields + instance_fields)):
        if data[pos] < 0x80:
            pos += 1
        elif data[pos + 1] < 0x80:
            pos += 2
        else:
            _value, pos = uleb(data, pos)
    for group in (direct, virtual):
        method = 0
        for _ in range(group):
            diff = data[pos]
            if diff < 0x80:
                pos += 1
            elif data[pos + 1] < 0x80:
                diff = (diff & 0x7F) | (data[pos + 1] << 7)
                pos += 2
            else:
                diff, pos = uleb(data, pos)
            method += diff
            if data[pos] < 0x80:
                pos += 1
            elif data[pos + 1] < 0x80:
                pos += 2
            elif data[pos + 2] < 0x80:  # constructors: 0x10000 is a three-byte value
                pos += 3
            else:
                _flags, pos = uleb(data, pos)
            low = data[pos]
            if low < 0x80:
                code_off = low
                pos += 1
            else:
                mid = data[pos + 1]
                if mid < 0x80:
                    code_off = (low & 0x7F) | (mid << 7)
                    pos += 2
                else:
                    high = data[pos + 2]
                    if high < 0x80:
                        code_off = (low & 0x7F) | ((mid & 0x7F) << 7) | (high << 14)
                        pos += 3
                    elif data[pos + 3] < 0x80:  # DEX files past 2 MB
                        code_off = (low & 0x7F) | ((mid & 0x7F) << 7) | ((high & 0x7F) << 14)
                        code_off |= data[pos + 3] << 21
                        pos += 4
                    else:
                        code_off, pos = uleb(data, pos)
            if code_off and method < method_count:
                offsets.append(code_off)
                owners.append(method)
    return offsets, owners


def _invokes_by_index(data: bytes, methods: set[int], start: int, end: int) -> list[int]:
    """Offsets of invoke opcodes followed by any byte and one of ``methods`` (a u16), by ``bytes.find``.

    An invoke opcode is one of eleven bytes, which the regex engine must test at every position;
    a two-byte index is found at memchr speed and its opcode checked after (~6x faster).
    """
    found: list[int] = []
    ops = _INVOKE_OPS
    for index in methods:
        needle = struct.pack("<H", index)
        pos = data.find(needle, start + 2, end)
        while pos >= 0:
            if data[pos - 2] in ops:
                found.append(pos - 2)
            pos = data.find(needle, pos + 1, end)
    return found


def _code_ranges(dex: DexFile) -> tuple[list[int], list[int]]:
    """Code item offsets of every method with code, sorted, and the method idx of each."""
    offsets: list[int] = []
    owners: list[int] = []
    for class_data_off in _class_data_offsets(dex):
        class_offsets, class_owners = _class_code(dex, class_data_off)
        offsets += class_offsets
        owners += class_owners
    if offsets != sorted(offsets):  # writers emit them in order; a crafted file need not
        order = sorted(range(len(offsets)), key=offsets.__getitem__)
        offsets = [offsets[i] for i in order]
        owners = [owners[i] for i in order]
    return offsets, owners


_BETWEEN = (-1, -1, -1)  # an offset after one method's instructions and before the next one's


def _item_end(data: bytes, code_off: int, instructions_end: int) -> int:
    """End of the code item at ``code_off``: its try table and catch handlers follow the
    instructions. ``instructions_end`` when they cannot be read (the caller then looks it up the
    slow way)."""
    tries = int.from_bytes(data[code_off + 6 : code_off + 8], "little")
    if not tries:
        return instructions_end
    pos = instructions_end + (instructions_end - code_off) % 4  # the try table is 4-byte aligned
    pos += 8 * tries
    try:
        handlers, pos = _uleb(data, pos)
        for _ in range(min(handlers, tries)):  # each try names one handler, some share one
            count, after = _uleb(data, pos)
            bits = 7 * (after - pos)
            if count & (1 << (bits - 1)):  # sleb128: a negative count adds a catch-all
                count -= 1 << bits
            pos = after
            if 2 * abs(count) + 1 > len(data) - pos:
                return instructions_end
            for _ in range(2 * abs(count) + (count <= 0)):
                _value, pos = _uleb(data, pos)
    except (IndexError, PackageError):
        return instructions_end
    return pos if handlers <= tries else instructions_end


_SEARCH_BACK = 64 * 1024  # how far back from an offset the start of its code item is looked for
# Positions tried and class-data matches followed by the search, per DEX file. A crafted file
# could make every candidate walk far back; past this, the full table is cheaper.
_SEARCH_BUDGET = 1 << 18


class _CodeOwners:
    """The code item whose instructions hold a byte offset, and the method it belongs to.

    A loadable DEX file's code items never overlap (ART's verifier walks them back to back), so a
    code item whose instructions hold the offset is the only one. It is found, in this order:

    1. by bisecting the classes (in class data order) on their first code offset: writers lay code
       items out class by class in nearly that order, so only the dozen classes on the way are
       decoded;
    2. where that order does not hold, by walking back from the offset to a plausible code item
       header whose offset the class data really lists as a method's code (the uleb128 bytes of
       that offset are searched for, and the class found is decoded to confirm it);
    3. otherwise (an offset between instructions, another layout) every class is decoded once and
       the offset is looked up in the full table, which holds for any file.
    """

    def __init__(self, dex: DexFile) -> None:
        self.dex = dex
        self.classes = sorted(_class_data_offsets(dex))
        self.class_data = _section(dex, _TYPE_CLASS_DATA_ITEM)
        self.decoded: dict[int, tuple[list[int], list[int]]] = {}
        self.firsts: dict[int, float] = {}
        self.table: tuple[list[int], list[int]] | None = None
        self.budget = _SEARCH_BUDGET

    def holder(self, offset: int) -> tuple[int, int, int] | None:
        """(code item offset, end of its instructions, method idx) holding ``offset``, or None."""
        if self.table is None:
            found = self._by_class_order(offset) or self._by_search(offset)
            if found is _BETWEEN:
                return None
            if found is not None:
                return found
            self.table = _code_ranges(self.dex)
        offsets, owners = self.table
        # The instructions of a code item start 16 bytes after it.
        slot = bisect.bisect_right(offsets, offset - 16) - 1
        if slot < 0:
            return None
        code_off = offsets[slot]
        end = self._instructions_end(code_off)
        return (code_off, end, owners[slot]) if offset < end else None

    def _by_class_order(self, offset: int) -> tuple[int, int, int] | None:
        key: float = offset - 16  # compared with _first, which is inf past the last class with code
        position = bisect.bisect_right(range(len(self.classes)), key, key=self._first) - 1
        if position < 0:
            return None
        offsets, owners = self._code(position)
        below = [i for i, code_off in enumerate(offsets) if code_off <= key]
        if not below:
            return None
        best = max(below, key=offsets.__getitem__)
        return self._answer(offset, offsets[best], owners[best])

    def _by_search(self, offset: int) -> tuple[int, int, int] | None:
        data = self.dex.data
        size = len(data)
        code_off = (offset - 16) & ~3  # code items are 4-byte aligned
        lowest = max(0, offset - 16 - _SEARCH_BACK)
        while code_off >= lowest and self.budget > 0:
            self.budget -= 1
            registers, ins, _outs, _tries, debug_off, units = struct.unpack_from("<4HII", data, code_off)
            # What ART's verifier demands of every code item; most other positions fail it.
            if ins <= registers and code_off + 16 + 2 * units <= size and debug_off < size:
                method = self._method_with_code(code_off)
                if method is not None:
                    return self._answer(offset, code_off, method)
            code_off -= 4
        return None

    def _answer(self, offset: int, code_off: int, method: int) -> tuple[int, int, int] | None:
        """The holder if the real code item at ``code_off`` holds ``offset`` in its instructions.
        ``_BETWEEN`` if ``offset`` comes before the instructions of any later item: the next item
        cannot start before this one's try table and handlers end (aligned to 4), and its own
        instructions start 16 bytes after it. None if neither can be told."""
        end = self._instructions_end(code_off)
        if offset < end:
            return code_off, end, method
        next_item = (_item_end(self.dex.data, code_off, end) + 3) & ~3
        return _BETWEEN if offset < next_item + 16 else None

    def _method_with_code(self, code_off: int) -> int | None:
        """The method whose class data lists ``code_off`` as its code, by the value's uleb128 bytes."""
        needle = bytearray()
        value = code_off
        while value >= 0x80:
            needle.append(0x80 | (value & 0x7F))
            value >>= 7
        needle.append(value)
        start, end = self.class_data
        data = self.dex.data
        at = data.find(needle, start, end)
        while at >= 0 and self.budget > 0:
            self.budget -= 1
            position = bisect.bisect_right(self.classes, at) - 1
            if position >= 0:
                offsets, owners = self._code(position)
                if code_off in offsets:
                    return owners[offsets.index(code_off)]
            at = data.find(needle, at + 1, end)
        return None

    def _code(self, position: int) -> tuple[list[int], list[int]]:
        code = self.decoded.get(position)
        if code is None:
            code = self.decoded[position] = _class_code(self.dex, self.classes[position])
        return code

    def _first(self, position: int) -> float:
        """Lowest code offset of the class at ``position``, or of the next class with code."""
        first = self.firsts.get(position)
        if first is not None:
            return first
        passed = []  # classes without code (interfaces, annotations) take the next class's value
        first = float("inf")
        for later in range(position, len(self.classes)):
            known = self.firsts.get(later)
            if known is not None:
                first = known
                break
            passed.append(later)
            offsets = self._code(later)[0]
            if offsets:
                first = min(offsets)
                break
        for later in passed:
            self.firsts[later] = first
        return first

    def _instructions_end(self, code_off: int) -> int:
        data = self.dex.data
        start = code_off + 16
        if start > len(data):
            raise PackageError(f"{self.dex.label}: code item offset 0x{code_off:x} lies outside the file")
        end = start + 2 * int.from_bytes(data[code_off + 12 : start], "little")
        if end > len(data):
            raise PackageError(f"{self.dex.label}: code item at 0x{code_off:x} runs past the end of the file")
        return end


def _uleb(data: bytes, pos: int) -> tuple[int, int]:
    byte = data[pos]
    if byte < 0x80:
        return byte, pos + 1
    result = byte & 0x7F
    shift = 7
    for _ in range(4):
        pos += 1
        byte = data[pos]
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos + 1
        shift += 7
    raise PackageError(f"malformed uleb128 value at offset 0x{pos:x}")


def _link(
    dex: DexFile,
    candidates: list[int],
    strings: set[int],
    methods: set[int],
    uses: dict[int, list[tuple[int, int]]],
    calls: dict[int, list[tuple[int, int]]],
) -> None:
    holders = _CodeOwners(dex)
    decoded: set[int] = set()
    for offset in candidates:
        found = holders.holder(offset)
        if found is None:
            continue
        code_off, end, method = found
        start = code_off + 16
        if code_off in decoded or (offset - start) % 2:
            continue
        decoded.add(code_off)
        _decode_method(dex.data, start, end, method, strings, methods, uses, calls)


def _decode_method(
    data: bytes,
    start: int,
    end: int,
    method: int,
    strings: set[int],
    methods: set[int],
    uses: dict[int, list[tuple[int, int]]],
    calls: dict[int, list[tuple[int, int]]],
) -> None:
    pos = start
    while pos + 2 <= end:
        op = data[pos]
        if op == 0x00 and data[pos + 1] in (1, 2, 3) and pos + 8 <= end:
            pos += 2 * _payload_units(data, pos)
            continue
        length = _UNITS[op]
        if pos + 2 * length > end:
            return
        if op == OP_CONST_STRING:
            index = data[pos + 2] | (data[pos + 3] << 8)
            if index in strings:
                uses.setdefault(index, []).append((pos, method))
        elif op == OP_CONST_STRING_JUMBO:
            index = struct.unpack_from("<I", data, pos + 2)[0]
            if index in strings:
                uses.setdefault(index, []).append((pos, method))
        elif op in _INVOKE_OPS:
            index = data[pos + 2] | (data[pos + 3] << 8)
            if index in methods:
                calls.setdefault(index, []).append((pos, method))
        pos += 2 * length


def _payload_units(data: bytes, pos: int) -> int:
    ident = data[pos + 1]
    if ident == 1:  # packed-switch-payload
        size = data[pos + 2] | (data[pos + 3] << 8)
        return 4 + 2 * size
    if ident == 2:  # sparse-switch-payload
        size = data[pos + 2] | (data[pos + 3] << 8)
        return 2 + 4 * size
    width = data[pos + 2] | (data[pos + 3] << 8)  # fill-array-data-payload
    count = struct.unpack_from("<I", data, pos + 4)[0]
    return 4 + (width * count + 1) // 2

"""Linking DEX strings and methods to the code that uses them, without decoding the whole program.

The few interesting string and method indices are located in the raw bytes of the code section
(a regular-expression scan for opcode+index, or ``bytes.find`` of a wanted method index); a
candidate offset is mapped to its code item and method decoding only the few classes needed
(``_CodeOwners``), and only such methods are decoded instruction by instruction, which both
confirms alignment and finds the caller.
"""

from __future__ import annotations

import bisect
import re
import struct
from typing import TYPE_CHECKING

from ..errors import PackageError

if TYPE_CHECKING:
    from .dex import DexFile

Uses = dict[int, list[tuple[int, int]]]  # string or method idx -> [(offset, method idx of the caller)]

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


def link_uses(dex: DexFile, strings: set[int], methods: set[int]) -> tuple[Uses, Uses]:
    """Where the code loads each of ``strings`` (const-string) and calls each of ``methods`` (invoke-*)."""
    uses: Uses = {}
    calls: Uses = {}
    if strings or methods:
        candidates = _candidate_offsets(dex.data, strings, methods, _code_section(dex))
        if candidates:
            _link(dex, candidates, strings, methods, uses, calls)
    return uses, calls


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

"""Our own fast DEX reader: the tables, and const-string / invoke uses linked to their method.

Speed comes from never decoding a whole program: strings and method references are matched
against the interest first (each distinct one once per package, ``MatchMemo``); only the few
interesting indices are then linked to the methods that use them (dex_linking.py).
"""

from __future__ import annotations

import itertools
import operator
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import PackageError
from ..facts import ApiHit, Evidence, Interest, TextHit
from ..notes import Note
from ..prefilter import matching
from .dex_linking import link_uses

_MAGIC = re.compile(rb"dex\n(03[5-9]|04[01])\x00")
_HEADER_SIZE = 0x70
_NO_INDEX = 0xFFFFFFFF


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
    uses, calls = link_uses(dex, set(wanted_strings), set(wanted_methods))
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
        result.notes.append(Note("dex_hits_capped", file=dex.label, cap=max_texts))
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

"""Linking a byte offset to its method without decoding every class gives the full table's answer.

``_CodeOwners`` finds a code item by class order, then by searching the class data, and only then
decodes every class; each shortcut must agree with the full table (``_code_ranges``) on real DEX
files of Debian's androguard examples, for instruction starts, offsets inside instructions and
offsets between code items.
"""

from __future__ import annotations

import bisect
import random
import re
import zipfile
from pathlib import Path

import pytest

from govapp.inspection.engine.formats.dex import open_dex
from govapp.inspection.engine.formats.dex_linking import (
    _BETWEEN,
    _INVOKE_CLASS,
    _code_ranges,
    _code_section,
    _CodeOwners,
    _index_pattern,
    _invokes_by_index,
)
from tests.inspection.engine.conftest import AndroidCorpus, entry

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "var/cache/androguard/usr/share/doc/androguard/examples"
_DEX_NAME = re.compile(r"^classes\d*\.dex$")


def _real_dex_files(limit: int) -> list[tuple[str, bytes]]:
    if not EXAMPLES.is_dir():
        pytest.skip("the androguard examples are fetched by `make samples`")
    seen: set[bytes] = set()
    found: list[tuple[str, bytes]] = []
    for path in sorted(EXAMPLES.rglob("*.apk")):
        try:
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if _DEX_NAME.match(n)]
                blobs = [(f"{path.name}!{n}", archive.read(n)) for n in names]
        except (zipfile.BadZipFile, OSError, ValueError):
            continue
        for label, data in blobs:
            if data[:4] == b"dex\n" and data not in seen:
                seen.add(data)
                found.append((label, data))
    found.sort(key=lambda item: -len(item[1]))  # the largest files have the most classes
    return found[:limit]


def _expected(table: tuple[list[int], list[int]], data: bytes, offset: int) -> tuple[int, int, int] | None:
    offsets, owners = table
    slot = bisect.bisect_right(offsets, offset - 16) - 1
    if slot < 0:
        return None
    code_off = offsets[slot]
    end = code_off + 16 + 2 * int.from_bytes(data[code_off + 12 : code_off + 16], "little")
    return (code_off, end, owners[slot]) if offset < end else None


def _probes(table: tuple[list[int], list[int]], data: bytes, rng: random.Random) -> list[int]:
    """Instruction starts, offsets inside instructions, and offsets after them (tries, padding)."""
    probes: list[int] = []
    for code_off in rng.sample(table[0], min(300, len(table[0]))):
        end = code_off + 16 + 2 * int.from_bytes(data[code_off + 12 : code_off + 16], "little")
        probes += [code_off + 16, rng.randrange(code_off + 16, max(code_off + 17, end)), end, end + 3]
    return [p for p in probes if p < len(data)]


@pytest.mark.slow
def test_every_shortcut_agrees_with_the_full_table() -> None:
    rng = random.Random(20261129)
    searched = ordered = between = 0
    for label, data in _real_dex_files(limit=20):
        dex = open_dex(data, label)
        table = _code_ranges(dex)
        if not table[0]:
            continue
        owners, shortcuts = _CodeOwners(dex), _CodeOwners(dex)
        for offset in _probes(table, data, rng):
            expected = _expected(table, data, offset)
            assert owners.holder(offset) == expected, (label, offset)
            # Each shortcut either answers exactly or declines (None), never answers wrongly.
            by_order = shortcuts._by_class_order(offset)
            by_search = shortcuts._by_search(offset)
            # _BETWEEN: the offset lies after a method's instructions, in its own code item.
            allowed = (None, expected) if expected is not None else (None, _BETWEEN)
            assert by_order in allowed, (label, offset)
            assert by_search in allowed, (label, offset)
            ordered += by_order is not None
            searched += by_search is not None
            between += by_search is _BETWEEN
    # Both shortcuts answer most instruction offsets of real files.
    assert ordered > 1000 and searched > 1000 and between > 100


def test_a_shared_owner_table_is_decoded_once_and_reused(android: AndroidCorpus) -> None:
    dex = open_dex(entry(android.formalism, "classes.dex"))
    table = _code_ranges(dex)
    owners = _CodeOwners(dex)
    for code_off in table[0]:
        assert owners.holder(code_off + 16) == _expected(table, dex.data, code_off + 16)
    assert owners.table is None  # answered without decoding every class
    # An offset after the last instruction of a method (its padding or try table) is no use.
    last = table[0][-1]
    end = last + 16 + 2 * int.from_bytes(dex.data[last + 12 : last + 16], "little")
    if end + 2 < len(dex.data):
        assert owners.holder(end + 2) == _expected(table, dex.data, end + 2)


@pytest.mark.slow
def test_invokes_found_by_index_equal_the_opcode_scan() -> None:
    rng = random.Random(7)
    for label, data in _real_dex_files(limit=10):
        dex = open_dex(data, label)
        start, end = _code_section(dex)
        wanted = set(rng.sample(range(min(dex.method_count, 0x10000)), min(20, dex.method_count)))
        pattern = re.compile(_INVOKE_CLASS + rb"(?=[\x00-\xff]" + _index_pattern(wanted, 2) + b")", re.S)
        expected = [m.start() for m in pattern.finditer(data, start, end)]
        assert sorted(_invokes_by_index(data, wanted, start, end)) == expected, label


def test_without_shortcuts_the_full_table_answers(android: AndroidCorpus) -> None:
    dex = open_dex(entry(android.formalism, "classes.dex"))
    table = _code_ranges(dex)
    owners = _CodeOwners(dex)
    owners.budget = 0  # a crafted file used up the search's budget
    owners._by_class_order = lambda offset: None  # type: ignore[method-assign]
    for code_off in table[0]:
        assert owners.holder(code_off + 16) == _expected(table, dex.data, code_off + 16)
    assert owners.table is not None

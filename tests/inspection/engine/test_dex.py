"""Our DEX reader: header checks, string/method linking against baksmali-visible facts, fuzzing."""

from __future__ import annotations

import re
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govapp.inspection.engine.errors import PackageError
from govapp.inspection.engine.facts import Interest
from govapp.inspection.engine.formats.dex import (
    _all_strings,
    _decode_mutf8,
    _decode_string,
    _strings_in_order,
    open_dex,
    scan_dex,
)
from govapp.inspection.engine.formats.dex_linking import _code_ranges, _code_section
from tests.inspection.engine.conftest import AndroidCorpus, entry, mutations

EVERYTHING = Interest.everything()


def test_tables_and_signatures(android: AndroidCorpus) -> None:
    dex = open_dex(entry(android.formalism, "classes.dex"))
    assert dex.version == "035"
    refs = {dex.method_ref(i) for i in range(dex.method_count)}
    assert "Landroid/hardware/Camera;->open" in refs
    signatures = {dex.method_signature(i) for i in range(dex.method_count)}
    assert (
        "Lorg/gov/duty/TrackService;->track(Landroid/location/LocationManager;Landroid/location/LocationListener;)V"
        in signatures
    )


def test_every_const_string_is_linked(android: AndroidCorpus) -> None:
    scan = scan_dex(entry(android.formalism, "classes.dex"), EVERYTHING)
    linked = {(h.text, h.evidence.caller.split("(")[0]) for h in scan.texts if h.evidence.invoked}
    assert linked == {
        ("每日签到", "Lorg/gov/duty/CheckinActivity;->dailyCheckin"),
        ("连续签到奖励", "Lorg/gov/duty/CheckinActivity;->dailyCheckin"),
        ("部门积分排名", "Lorg/gov/duty/RankingActivity;->rankTitle"),
        ("在线时长", "Lorg/gov/duty/RankingActivity;->onlineSeconds"),
        ("gps", "Lorg/gov/duty/TrackService;->track"),
    }
    assert scan.class_count == 3
    invoked_apis = {h.api for h in scan.apis if h.evidence.invoked}
    assert (
        "Ljava/lang/StringBuilder;->append" in invoked_apis
        and "Landroid/app/Activity;-><init>" in invoked_apis
    )
    assert scan.code_names == {"org.gov.duty"}


def test_interest_narrows_the_result(android: AndroidCorpus) -> None:
    interest = Interest(
        text=re.compile("签到"), api=re.compile(r"(?!)"), code_prefix=re.compile(r"com\.tencent")
    )
    scan = scan_dex(entry(android.formalism, "classes.dex"), interest)
    assert sorted(h.text for h in scan.texts) == ["每日签到", "连续签到奖励"]
    assert scan.apis == [] and scan.code_names == set()


def test_hit_cap(android: AndroidCorpus) -> None:
    scan = scan_dex(entry(android.formalism, "classes.dex"), EVERYTHING, max_texts=2)
    assert len(scan.texts) == 2 and scan.notes


def test_mutf8() -> None:
    assert _decode_mutf8(b"a\xc0\x80b") == "a\x00b"
    assert _decode_mutf8(b"\xed\xa0\xbd\xed\xb8\x80") == "\U0001f600"


def _header(version: bytes = b"035") -> bytearray:
    data = bytearray(0x70)
    data[0:8] = b"dex\n" + version + b"\x00"
    struct.pack_into("<III", data, 0x20, 0x70, 0x70, 0x12345678)
    return data


def test_empty_but_valid_dex() -> None:
    scan = scan_dex(bytes(_header(b"039")), EVERYTHING)
    assert scan.texts == [] and scan.class_count == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"dex\n035\x00", "truncated"),
        (bytes(_header(b"034")), "unsupported DEX version"),
        (b"PK\x03\x04" + bytes(0x70), "not a DEX file"),
        (bytes(_header()[:0x28]) + b"\x12\x34\x56\x78" + bytes(0x44), "endian"),
    ],
)
def test_bad_headers(data: bytes, message: str) -> None:
    with pytest.raises(PackageError, match=message):
        scan_dex(data, EVERYTHING)


def test_table_outside_the_file() -> None:
    data = _header()
    struct.pack_into("<II", data, 0x38, 1000, 0x70)  # 1000 string ids in a 112-byte file
    with pytest.raises(PackageError, match="string_ids table"):
        scan_dex(bytes(data), EVERYTHING)


def test_declared_size_larger_than_data(android: AndroidCorpus) -> None:
    data = entry(android.formalism, "classes.dex")
    with pytest.raises(PackageError, match="truncated"):
        scan_dex(data[:-10], EVERYTHING)


_SEED: list[bytes] = []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_dex_raises_only_package_error(android: AndroidCorpus, data: st.DataObject) -> None:
    if not _SEED:
        _SEED.append(entry(android.formalism, "classes.dex"))
    blob = data.draw(mutations(_SEED[0]))
    try:
        scan = scan_dex(blob, EVERYTHING)
    except PackageError:
        return
    for hit in scan.texts:
        assert hit.evidence.file == "classes.dex"


def test_string_table_in_one_piece_equals_item_by_item(android: AndroidCorpus) -> None:
    dex = open_dex(entry(android.formalism, "classes.dex"))
    one_by_one = [_decode_string(dex.data, offset) for offset in dex.string_offsets]
    assert "每日签到" in one_by_one
    assert _strings_in_order(dex) == one_by_one
    assert _all_strings(dex) == one_by_one


def test_string_table_out_of_order_is_read_item_by_item(android: AndroidCorpus) -> None:
    dex = open_dex(entry(android.formalism, "classes.dex"))
    expected = [_decode_string(dex.data, offset) for offset in dex.string_offsets]
    # The same items listed in another order: the data no longer lies in index order.
    swapped = bytearray(dex.data)
    table = struct.unpack_from("<2I", dex.data, 0x38)[1]
    first, second = struct.unpack_from("<2I", swapped, table + 4)
    struct.pack_into("<2I", swapped, table + 4, second, first)
    shuffled = open_dex(bytes(swapped))
    assert _strings_in_order(shuffled) is None
    assert _all_strings(shuffled) == [expected[0], expected[2], expected[1], *expected[3:]]


def test_instruction_scan_covers_every_code_item(android: AndroidCorpus) -> None:
    dex = open_dex(entry(android.formalism, "classes.dex"))
    start, end = _code_section(dex)
    offsets, _owners = _code_ranges(dex)
    assert 0 < start < end < len(dex.data) and offsets
    assert all(start <= offset < end for offset in offsets)
    # Without a usable map list the whole file is scanned.
    no_map = bytearray(dex.data)
    struct.pack_into("<I", no_map, 0x34, 0)
    assert _code_section(open_dex(bytes(no_map))) == (0, len(no_map))

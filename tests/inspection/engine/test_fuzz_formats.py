"""Hostile input: mutated fixtures may only ever raise PackageError from the non-Android readers."""

from __future__ import annotations

import contextlib
import functools
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govapp.inspection.engine import formats
from govapp.inspection.engine.errors import PackageError
from govapp.inspection.engine.facts import Interest
from govapp.inspection.engine.formats import abc, hap, hap_resources, textscan, wxapkg
from govapp.inspection.engine.formats.detect import loads_lenient
from govapp.inspection.engine.limits import Limits
from tests.inspection import builders as b

# Small limits so that a mutation claiming huge sizes is refused quickly instead of allocated.
LIMITS = Limits(
    max_entries=2_000, max_entry_size=8 * 1024**2, max_total_uncompressed=32 * 1024**2, max_texts=500
)
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def fixtures() -> dict[str, bytes]:
    return {
        "hap": b.hap(abc_strings=["每日打卡", "@ohos:geoLocationManager", "getCurrentLocation"]),
        "app": b.app_bundle({"entry.hap": b.hap(sign=False)}),
        "wxapkg": b.wxapkg(
            {
                "app-config.json": '{"pages": ["pages/a"]}',
                "app-service.js": 'define("pages/a.js", function(){ wx.getLocation() })',
            }
        ),
        "rpk": b.rpk(),
        "rpks": b.rpks({"main.rpk": b.rpk(signed=False)}),
        "miniprogram": b.project_zip(b.UNIAPP_PROJECT, folder="p"),
    }


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(0, 8))):
        position = draw(st.integers(0, len(out) - 1))
        out[position] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        out = out[: draw(st.integers(0, len(out)))]
    return bytes(out)


def _read_only_package_errors(data: bytes, label: str) -> None:
    try:
        formats.read_package_bytes(data, label, Interest.everything(), LIMITS, depth=0)
    except PackageError as exc:
        assert str(exc) and "\n" not in str(exc)


@FUZZ
@given(st.data())
def test_mutated_packages_only_raise_package_error(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(sorted(fixtures())))
    _read_only_package_errors(data.draw(mutated(fixtures()[kind])), f"fuzz.{kind}")


@FUZZ
@given(st.data())
def test_mutated_hap_signing_block_only_raises_package_error(data: st.DataObject) -> None:
    # The signing block is outside every zip entry, so the zip's CRCs do not catch its corruption.
    original = fixtures()["hap"]
    magic = original.find(b"<hap sign block>")
    end = magic + 20
    start = end - int.from_bytes(original[magic - 8 : magic], "little")
    out = bytearray(original)
    for _ in range(data.draw(st.integers(1, 6))):
        out[data.draw(st.integers(start, end - 1))] = data.draw(st.integers(0, 255))
    _read_only_package_errors(bytes(out), "fuzz.hap")


@FUZZ
@given(st.data())
def test_wxapkg_index_parser(data: st.DataObject) -> None:
    blob = data.draw(mutated(fixtures()["wxapkg"]))
    try:
        for name, offset, size in wxapkg.parse_index(blob, "fuzz.wxapkg", LIMITS):
            assert 0 <= offset <= offset + size <= len(blob) and ".." not in name.split("/")
    except PackageError:
        pass


@FUZZ
@given(st.binary(max_size=4096))
def test_ark_string_scan_on_arbitrary_bytes(blob: bytes) -> None:
    data = b.ark_bytecode(["x"])[:60] + blob
    for string in abc.iter_strings(data):
        assert 60 <= string.offset < len(data)
    with contextlib.suppress(PackageError):
        abc.parse_header(blob, "fuzz.abc")


@FUZZ
@given(st.data())
def test_resources_index_parser(data: st.DataObject) -> None:
    original = b.resources_index(
        {0x01000000: ("app_name", "考勤"), 0x01000001: ("t", "打卡")}, zh={0x01000000: "中"}
    )
    with contextlib.suppress(PackageError):
        hap_resources.parse_resource_index(data.draw(mutated(original)), "resources.index", LIMITS)


@FUZZ
@given(st.data())
def test_sign_block_parser(data: st.DataObject) -> None:
    original = b.sign_block([(0x20000000, b"sig"), (0x20000002, b"{}")])
    try:
        blocks = hap.parse_sign_block(data.draw(mutated(original)), "fuzz.hap")
        assert all(isinstance(v, bytes) for v in blocks.values())
    except PackageError:
        pass


@FUZZ
@given(st.binary(max_size=2048))
def test_pkcs7_parser_on_arbitrary_bytes(blob: bytes) -> None:
    with contextlib.suppress(PackageError):
        hap.signed_data(blob, "fuzz", "signature")


@FUZZ
@given(st.text(max_size=3000))
def test_text_scanner_and_lenient_json_never_fail(text: str) -> None:
    interest = Interest(text=re.compile("打卡|a"), api=re.compile("."), code_prefix=re.compile("."))
    result = textscan.scan_text(text, file="f.js", surface="script", interest=interest)
    assert all(len(hit.evidence.snippet) <= 200 for hit in [*result.texts, *result.apis])
    loads_lenient(text)

"""Android binary XML: typed attributes, namespaces, manifest tricks, and fuzzing."""

from __future__ import annotations

import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govapp.inspection.engine.errors import PackageError
from govapp.inspection.engine.formats.axml import ANDROID_NS, TYPE_STRING, parse_axml
from tests.inspection.engine.conftest import AndroidCorpus, entry, mutations


def test_manifest_elements_and_typed_values(android: AndroidCorpus) -> None:
    document = parse_axml(entry(android.formalism, "AndroidManifest.xml"))
    root = document.root
    assert root.name == "manifest" and root.get("package", None) == "org.gov.duty"
    assert root.get("versionCode") == 42
    version_name = root.attr("versionName")
    assert (
        version_name is not None and version_name.is_reference and version_name.display().startswith("@0x7f")
    )
    [application] = root.iter("application")
    assert application.attr("name").namespace == ANDROID_NS
    receiver = next(e for e in root.iter("receiver"))
    assert receiver.get("exported") is True
    meta = next(e for e in root.iter("meta-data"))
    assert meta.attr("value").type == TYPE_STRING and meta.get("value") == "每日打卡渠道"
    assert [e.name for e in root.iter("uses-permission")] == ["uses-permission"] * 4
    assert meta.line == 20


def test_network_security_config_text_content(android: AndroidCorpus) -> None:
    root = parse_axml(entry(android.cleartext, "res/xml/network_security_config.xml")).root
    [domain] = root.iter("domain")
    assert domain.text.strip() == "portal.gov.example"
    assert next(iter(root.iter("base-config"))).get("cleartextTrafficPermitted", None) is False


def _string_pool_count_offset(data: bytes) -> int:
    header = struct.unpack_from("<H", data, 2)[0]
    return header + 8  # string pool chunk follows the document header; count is its 3rd field


def test_overstated_string_count_is_tolerated(android: AndroidCorpus) -> None:
    data = bytearray(entry(android.formalism, "AndroidManifest.xml"))
    struct.pack_into("<I", data, _string_pool_count_offset(data), 0x7FFFFFFF)
    assert parse_axml(bytes(data)).root.get("package", None) == "org.gov.duty"


def test_wrong_document_size_is_noted(android: AndroidCorpus) -> None:
    data = bytearray(entry(android.formalism, "AndroidManifest.xml"))
    struct.pack_into("<I", data, 4, 12)
    document = parse_axml(bytes(data))
    assert document.root.name == "manifest" and any("declared size" in n for n in document.notes)


def test_attribute_names_come_from_the_resource_map(android: AndroidCorpus) -> None:
    # Obfuscators blank attribute-name strings; Android (and we) go by the resource id.
    data = entry(android.formalism, "AndroidManifest.xml")
    renamed = data.replace("versionCode".encode("utf-16-le"), "xxxxxxxxxxx".encode("utf-16-le"))
    if renamed == data:
        renamed = data.replace(b"versionCode", b"xxxxxxxxxxx")
    assert renamed != data
    assert parse_axml(renamed).root.get("versionCode") == 42


def test_zero_size_chunk_stops_instead_of_looping(android: AndroidCorpus) -> None:
    data = bytearray(entry(android.formalism, "AndroidManifest.xml"))
    end_tag = data.rfind(struct.pack("<HH", 0x0103, 16))
    struct.pack_into("<I", data, end_tag + 4, 0)
    document = parse_axml(bytes(data))
    assert any("invalid chunk" in n for n in document.notes)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x03\x00",
        b"\x03\x00\x08\x00\x08\x00\x00\x00",
        b"<?xml version='1.0'?><manifest/>",
        b"\x00" * 64,
    ],
)
def test_garbage_raises_package_error(data: bytes) -> None:
    with pytest.raises(PackageError):
        parse_axml(data)


_SEED: list[bytes] = []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_axml_raises_only_package_error(android: AndroidCorpus, data: st.DataObject) -> None:
    if not _SEED:
        _SEED.append(entry(android.formalism, "AndroidManifest.xml"))
    blob = data.draw(mutations(_SEED[0]))
    try:
        document = parse_axml(blob)
    except PackageError:
        return
    for element in document.root.iter():
        for attribute in element.attributes:
            attribute.display()

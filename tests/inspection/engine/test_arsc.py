"""resources.arsc: resolving references by configuration, the string pool, and fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govapp.inspection.engine.errors import PackageError
from govapp.inspection.engine.formats.arsc import ResourceTable
from govapp.inspection.engine.formats.axml import parse_axml
from tests.inspection.engine.conftest import AndroidCorpus, entry, mutations


def _label_id(apk) -> int:  # type: ignore[no-untyped-def]
    root = parse_axml(entry(apk, "AndroidManifest.xml")).root
    return next(iter(root.iter("application"))).attr("label").data


def test_resolves_label_preferring_default_then_zh(android: AndroidCorpus) -> None:
    table = ResourceTable(entry(android.formalism, "resources.arsc"))
    label = _label_id(android.formalism)
    assert table.resolve_string(label) == "Duty Desk"
    assert [v.language for v in table.values(label)] == ["", "zh"]
    assert table.strings.get(table.values(label)[1].data) == "履职通"


def test_string_pool_and_unknown_ids(android: AndroidCorpus) -> None:
    table = ResourceTable(entry(android.formalism, "resources.arsc"))
    assert {"积分排名榜", "请保持在线", "2.0.1"} <= set(table.strings.strings())
    assert table.resolve_string(0x7F990001) is None and table.resolve_bool(0x01010000) is None


def test_chinese_label_of_a_single_config_app(android: AndroidCorpus) -> None:
    table = ResourceTable(entry(android.clean, "resources.arsc"))
    assert table.resolve_string(_label_id(android.clean)) == "政务服务"


@pytest.mark.parametrize(
    "data", [b"", b"\x02\x00\x0c\x00", b"\x02\x00\x0c\x00\x0c\x00\x00\x00\x00\x00\x00\x00"]
)
def test_garbage_raises_package_error(data: bytes) -> None:
    with pytest.raises(PackageError):
        ResourceTable(data)


_SEED: list[bytes] = []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_arsc_raises_only_package_error(android: AndroidCorpus, data: st.DataObject) -> None:
    if not _SEED:
        _SEED.append(entry(android.formalism, "resources.arsc"))
    blob = data.draw(mutations(_SEED[0]))
    try:
        table = ResourceTable(blob)
    except PackageError:
        return
    table.strings.strings()
    for entry_id in range(8):
        for type_id in range(1, 6):
            table.resolve_string(0x7F000000 | (type_id << 16) | entry_id)

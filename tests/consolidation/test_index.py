"""The similarity index on its own: ranking, reasons, incremental updates."""

from __future__ import annotations

from govapp.consolidation.declarations import declares_none
from govapp.consolidation.index import AppDocument, Query, SimilarityIndex


def _index() -> SimilarityIndex:
    index = SimilarityIndex()
    index.add_many(
        [
            AppDocument(
                "app:1", "余杭区网格通", "网格员巡查、事件上报、随手拍、积分排行", "app", "33", "county"
            ),
            AppDocument(
                "app:2", "杭州公交出行", "线路查询、到站提醒、投诉建议", "mini_program", "33", "city"
            ),
            AppDocument("app:3", "萧山区智慧党建", "党员学习、组织生活、党费缴纳", "app", "33", "county"),
            AppDocument("legacy:4", "临平区网格巡查", "网格化巡查、问题上报", "app", "33", "county"),
        ]
    )
    return index


def test_a_paraphrased_duplicate_ranks_first_with_its_reasons() -> None:
    matches = _index().search(
        Query(
            name="西湖区网格通APP",
            functions="网格巡检、拍照上报、事件上报",
            kind="app",
            province="33",
            level="county",
        )
    )
    assert [m.document.key for m in matches[:2]] == ["app:1", "legacy:4"]
    codes = {r.code: r.detail for r in matches[0].reasons}
    assert codes["same_name_stem"] == ("网格通",)
    assert "巡检" in codes["shared_functions"] and "上报" in codes["shared_functions"]
    assert {"same_kind", "same_region", "same_level"} <= codes.keys()
    assert 0 < matches[0].score <= 1


def test_replace_and_remove_take_effect_at_once() -> None:
    index = _index()
    index.add(AppDocument("app:2", "杭州网格巡查", "网格巡查、事件上报", "app", "33", "city"))
    assert "app:2" in [m.document.key for m in index.search(Query(name="网格巡查", functions="网格巡查"))]
    index.remove("app:1")
    index.remove("app:2")
    keys = [m.document.key for m in index.search(Query(name="网格通", functions="网格巡查 事件上报"))]
    assert "app:1" not in keys and "app:2" not in keys and len(index) == 2


def test_excluded_key_and_unrelated_query() -> None:
    index = _index()
    first = index.search(Query(name="余杭区网格通", functions="网格巡查", exclude=frozenset(["app:1"])))[0]
    assert first.document.key != "app:1"
    assert index.search(Query(name="殡葬服务", functions="墓地预约")) == []


def test_removing_most_documents_compacts_without_losing_the_rest() -> None:
    index = SimilarityIndex()
    for i in range(3000):
        index.add(
            AppDocument(f"app:{i}", f"应用{i}", "社保查询、公积金提取" if i % 2 else "网格巡查、事件上报")
        )
    for i in range(2500):
        index.remove(f"app:{i}")
    assert len(index) == 500
    matches = index.search(Query(name="网格", functions="网格巡查"), limit=50)
    assert matches and all(int(m.document.key.split(":")[1]) >= 2500 for m in matches)


def test_declared_none() -> None:
    assert declares_none("无") and declares_none("暂无同类应用。") and declares_none(" None ")
    assert not declares_none("浙政钉（用于公文流转，本应用不重复）") and not declares_none("")

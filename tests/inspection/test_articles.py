"""Articles of the Measures: stored as "13" / "13.2", read back from what reviewers wrote, shown by language."""

from __future__ import annotations

import pytest

from govapp.inspection.engine.articles import article_label, chinese_number, parse_article, split_article
from govapp.inspection.engine.categories import FORMALISM_ARTICLES


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("13", "13"), ("13.2", "13.2"), ("Art. 13", "13"), ("Art. 13(2)", "13.2"), ("article 5", "5"),
        ("第十三条", "13"), ("第十三条第二项", "13.2"), ("《办法》第十五条", "15"), ("第二十条", "20"),
        ("第5条", "5"), ("违反打卡规定", None), ("", None),
    ],
)  # fmt: skip
def test_references_are_read_from_either_language(text: str, ref: str | None) -> None:
    assert parse_article(text) == ref


def test_rendered_by_language() -> None:
    assert article_label("13", english=False) == "第十三条"
    assert article_label("13.2", english=False) == "第十三条第二项"
    assert article_label("13.2", english=True) == "Art. 13(2)"
    assert article_label("5", english=True) == "Art. 5"
    assert [chinese_number(n) for n in (1, 10, 11, 20, 21, 99)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十一",
        "九十九",
    ]


def test_free_text_beside_the_article_is_kept_as_a_note() -> None:
    assert split_article("Art. 13") == ("13", "")
    assert split_article("《办法》第十三条第二项") == ("13.2", "")
    assert split_article("第十三条；另见通报要求") == ("13", "另见通报要求")
    assert split_article("打卡问题") == (None, "打卡问题")


def test_formalism_items_are_references() -> None:
    assert FORMALISM_ARTICLES["checkin"] == "13.2" and FORMALISM_ARTICLES["forced_login"] == "13.3"

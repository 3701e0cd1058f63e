"""Comment-blanking of JS/TS, templates and Vue components: comments never count, code keeps its place."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from govapp.inspection.engine.formats.sourcetext import (
    strip_component_comments,
    strip_js_comments,
    strip_markup_comments,
)


def test_line_and_block_comments_are_blanked_in_place() -> None:
    source = "let a = 1 // wx.startLocationUpdate()\n/* 排行榜\n   积分排名 */ run()\n"
    stripped = strip_js_comments(source)
    assert "startLocationUpdate" not in stripped and "排行榜" not in stripped and "积分排名" not in stripped
    assert stripped.count("\n") == source.count("\n") and len(stripped) == len(source)
    assert stripped.index("run()") == source.index("run()")


def test_strings_templates_and_regex_literals_are_not_comments() -> None:
    source = (
        "const url = 'https://api.example.cn/rank'\n"
        'const tip = "/* 上传照片 */"\n'
        "const t = `a ${ {k: 1}.k } // 留痕 ${`inner // x`}`\n"
        "const re = /\\/\\*[/]/g; const half = total / 2 // 注释\n"
        "if (ok) return /\\/\\//.test(s)\n"
    )
    stripped = strip_js_comments(source)
    for kept in (
        "https://api.example.cn/rank",
        "/* 上传照片 */",
        "// 留痕",
        "inner // x",
        "/\\/\\*[/]/g",
        "/\\/\\//",
    ):
        assert kept in stripped
    assert "注释" not in stripped


def test_unterminated_pieces_never_raise() -> None:
    for broken in ("a = 'open", "/* never closed 排名", "`tpl ${ x", "x = /[unclosed", "// end"):
        assert len(strip_js_comments(broken)) == len(broken)


def test_markup_comments_and_inline_script_comments() -> None:
    page = '<view>排名</view><!-- <view>打卡</view> -->\n<script>var u = "//cdn"; // 定位</script>'
    stripped = strip_markup_comments(page)
    assert "排名" in stripped and "打卡" not in stripped and "定位" not in stripped and '"//cdn"' in stripped


def test_component_styles_hold_no_evidence() -> None:
    component = (
        "<template><!-- 轨迹 --><text>签到</text></template>\n"
        "<script>export default { data() { return { a: 1 } } } // 定位</script>\n"
        "<style>/* 绝对定位 */ .box { position: absolute }</style>"
    )
    stripped = strip_component_comments(component)
    assert "签到" in stripped and "export default" in stripped
    assert not any(word in stripped for word in ("轨迹", "定位", "position"))


@given(st.text(alphabet="ab/*'\"`\\{}$\n 定位", max_size=80))
@example("'//\\")  # an unterminated string ending in a backslash
@example('"a//\\')
@settings(max_examples=1000)
def test_blanking_keeps_length_and_line_breaks(source: str) -> None:
    stripped = strip_js_comments(source)
    assert len(stripped) == len(source)
    assert [i for i, c in enumerate(stripped) if c == "\n"] == [i for i, c in enumerate(source) if c == "\n"]

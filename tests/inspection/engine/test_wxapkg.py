"""WeChat .wxapkg reader."""

from __future__ import annotations

import json
import struct

import pytest

from govapp.inspection.engine import formats
from govapp.inspection.engine.errors import LimitExceeded, PackageError
from govapp.inspection.engine.limits import Limits
from tests.inspection import builders as b

LIMITS = Limits()

APP_SERVICE = (
    'define("pages/index/index.js", function(require, module){ Page({ data: { t: "通知" } }) });\n'
    'define("pages/checkin/checkin.js", function(require, module){\n'
    '  Page({ go() { wx.getLocation({ success(r) { wx.uploadFile({ url: "http://1.2.3.4/up" }) } }); '
    'this.setData({ tip: "请每日打卡" }) } })\n});\n'
)
CONFIG = {
    "pages": ["pages/index/index", "pages/checkin/checkin"],
    "accountInfo": {"appId": "wx1111222233334444", "nickname": "网格管理"},
    "subPackages": [{"root": "sub/"}],
    "permission": {"scope.userLocation": {"desc": "定位"}},
}


def _read(data: bytes, interest=None):  # type: ignore[no-untyped-def]
    return formats.read_package_bytes(
        data, "main.wxapkg", interest or b.formalism_interest(), LIMITS, depth=0
    )


def test_identity_pages_and_permissions() -> None:
    facts = _read(
        b.wxapkg({"app-config.json": json.dumps(CONFIG, ensure_ascii=False), "app-service.js": APP_SERVICE})
    )
    assert (facts.format, facts.platform, facts.id, facts.name) == (
        "wxapkg",
        "wechat",
        "wx1111222233334444",
        "网格管理",
    )
    assert [c.name for c in facts.components] == ["pages/index/index", "pages/checkin/checkin"]
    assert facts.permissions == ["scope.userLocation"]
    assert facts.files == ["app-config.json", "app-service.js"]


def test_api_and_text_hits_name_the_page_module() -> None:
    facts = _read(b.wxapkg({"app-service.js": APP_SERVICE, "page-frame.html": "<div>积分排名</div>"}))
    apis = {(a.api, a.evidence.caller, a.evidence.invoked) for a in facts.apis}
    assert ("wx.getLocation", "pages/checkin/checkin", True) in apis
    assert ("wx.uploadFile", "pages/checkin/checkin", True) in apis
    texts = {(t.text, t.surface, t.evidence.caller) for t in facts.texts}
    assert ("请每日打卡", "script", "pages/checkin/checkin") in texts
    assert ("积分排名", "layout", None) in texts
    assert any(t.text.startswith("http://1.2.3.4") for t in facts.texts)


def test_missing_appid_is_a_note_not_an_error() -> None:
    facts = _read(b.wxapkg({"app-config.json": "{}", "app-service.js": "var a = 1"}))
    assert facts.id is None
    assert any("appid" in note for note in facts.notes)


def test_clean_package_has_no_hits() -> None:
    facts = _read(b.wxapkg({"app-config.json": "{}", "app-service.js": "Page({ data: { t: '办事指南' } })"}))
    assert facts.texts == [] and facts.apis == []


def test_subpackage_roots_are_reported() -> None:
    facts = _read(b.wxapkg({"app-config.json": "{}", "sub/app-service.js": "wx.chooseImage()"}))
    assert facts.extra["subpackages"] == ["sub"]
    assert facts.apis[0].api == "wx.chooseImage"


def _patched(data: bytes, offset: int, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(">I", out, offset, value)
    return bytes(out)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d[:10], "truncated"),
        (lambda d: d[:-5], "truncated"),
        (lambda d: _patched(d, 14, 5000), "more than its"),
        (lambda d: _patched(d, 5, 10**6), "index length"),
        (lambda d: _patched(d, 18, 0), "impossible name length"),
        (lambda d: _patched(d, 18 + 4 + len("/app-service.js"), 10**6), "outside the package body"),
        (lambda d: d[:13] + b"\x00" + d[14:], "not a package format"),
    ],
    ids=["header", "body", "count", "index-length", "name-length", "offset", "end-mark"],
)
def test_malformed_packages_raise_package_error(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data = b.wxapkg({"app-service.js": "wx.login()"})
    with pytest.raises(PackageError, match=message):
        _read(mutate(data))


def test_traversal_and_duplicate_names_are_refused() -> None:
    with pytest.raises(PackageError, match="outside the package"):
        _read(b.wxapkg({"../../etc/passwd": "x"}))
    data = b.wxapkg({"a.js": "1", "b.js": "2"})
    with pytest.raises(PackageError, match="appears twice"):
        _read(data.replace(b"/b.js", b"/a.js"))


def test_entry_count_limit() -> None:
    data = b.wxapkg({f"f{i}.js": "1" for i in range(5)})
    with pytest.raises(LimitExceeded, match="more than the limit of 3"):
        formats.read_package_bytes(data, "x.wxapkg", b.formalism_interest(), Limits(max_entries=3), depth=0)

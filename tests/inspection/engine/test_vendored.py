"""Which source files are someone else's: vendored directories, SDK files, typings, docs, bundles."""

from __future__ import annotations

import pytest

from govapp.inspection.engine.formats.vendored import vendored_reason


@pytest.mark.parametrize(
    ("rel", "reason"),
    [
        ("uni_modules/some-ui/components/picker.vue", "vendored directory uni_modules/"),
        ("components/vant/uploader/index.js", "vendored directory vant/"),
        ("typings/wx/lib.wx.api.d.ts", "vendored directory typings/"),
        ("src/types/global.d.ts", "TypeScript typings"),
        ("README.md", "documentation"),
        ("docs/design.txt", "vendored directory docs/"),
        ("utils/qqmap-wx-jssdk.js", "known library or SDK"),
        ("libs/amap-wx.130.js", "known library or SDK"),
        ("static/js/zepto.min.js", "minified library"),
    ],
)
def test_vendored_by_path(rel: str, reason: str) -> None:
    assert vendored_reason(rel, "var x = 1;\n") == reason


def test_licence_header_and_minified_bundle_by_content() -> None:
    assert vendored_reason("utils/picker.js", "/*!\n * Picker v2.1\n * (c) 2019 Someone\n */\n") == (
        "library with a licence header"
    )
    bundle = "!function(e){" + "var a=1;" * 2000 + "}();"
    assert vendored_reason("utils/widget.js", bundle) == "minified bundle"


@pytest.mark.parametrize(
    "rel",
    [
        "pages/moments/moments.js",  # not the moment.js library
        "pages/sitemap/sitemap.js",
        "pages/rank/rank.js",
        "utils/request.js",
        "dist/static/js/app.3f2a9c1b.js",  # a built web app's own entry chunk
    ],
)
def test_the_apps_own_files_are_not_vendored(rel: str) -> None:
    body = "var a=1;" * 2000 if rel.startswith("dist/") else "Page({ data: {} })\n"
    assert vendored_reason(rel, body) is None

"""H5 web apps as zips and built dist/ folders: recognised by structure, scanned like source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govapp.inspection.engine.formats.vendored import vendored_reason
from govapp.inspection.engine.scan import scan_package
from tests.inspection import builders as b

VUE_APP = {
    "package.json": json.dumps({"name": "grid-portal", "version": "1.4.0", "dependencies": {"vue": "^3.4"}}),
    "index.html": "<div id='app'></div><script type='module' src='/src/main.js'></script>",
    "src/main.js": "import { createApp } from 'vue'\nimport App from './App.vue'\ncreateApp(App).mount('#app')\n",
    "src/views/Rank.vue": (
        "<template><h2>本月积分排行榜</h2><li v-for='u in users'>{{ u.name }}</li></template>\n"
        "<script>export default { mounted() { this.users = list.sort((a, b) => b.points - a.points) } }"
        "</script>"
    ),
}


def _minified(body: str) -> str:
    """One long line, as a bundler writes it."""
    filler = ";".join(f"var a{i}=function(t){{return t*{i}}}" for i in range(400))
    return f"!function(){{{filler};{body}}}();"


def _scan(tmp_path: Path, files: dict[str, str], name: str = "web.zip") -> Any:
    path = tmp_path / name
    path.write_bytes(b.zip_bytes(files))
    return scan_package(path)


def _status(report: Any, category: str) -> str | None:
    statuses = [f["status"] for f in report.findings if f["category"] == category]
    return statuses[0] if statuses else None


def test_a_vue_project_zipped_in_a_top_folder(tmp_path: Path) -> None:
    report = _scan(tmp_path, {f"grid-portal/{k}": v for k, v in VUE_APP.items()}, name="upload.bin")
    assert (report.package["kind"], report.package["platform"]) == ("h5", "web")
    assert (report.package["name"], report.package["version"]) == ("grid-portal", "1.4.0")
    assert _status(report, "ranking") == "violation"
    evidence = next(f for f in report.findings if f["category"] == "ranking")["evidence"]
    assert {e["file"] for e in evidence} == {"src/views/Rank.vue"}
    assert report.exit_code == 1


def test_plain_html_with_an_inline_script_at_the_root(tmp_path: Path) -> None:
    page = (
        "<html><body><button id='c'>每日打卡签到</button>\n"
        "<!-- <p>各单位学习积分排名</p> -->\n"
        "<script>document.getElementById('c').onclick = function () { post('/api/checkin') }</script>"
        "</body></html>"
    )
    report = _scan(tmp_path, {"index.html": page, "img/logo.png": "png"})
    assert report.package["kind"] == "h5"
    assert _status(report, "checkin") == "violation"
    # The commented-out ranking is no evidence.
    assert _status(report, "ranking") is None


def test_a_built_vue_dist_separates_the_apps_chunk_from_vendor_chunks(tmp_path: Path) -> None:
    files = {
        "dist/index.html": "<div id=app></div><script src=js/chunk-vendors.1a2b3c4d.js></script>"
        "<script src=js/app.5e6f7a8b.js></script>",
        "dist/js/app.5e6f7a8b.js": _minified('n.title="请完成今日打卡签到"'),
        # A UI library's demo wording inside the vendor chunk is not the app's.
        "dist/js/chunk-vendors.1a2b3c4d.js": _minified('e.demo="用户积分排行榜"'),
        # Lazy route chunks are the app's own too.
        "dist/js/chunk-2d0c8a1e.9f8e7d6c.js": _minified('r.t="学习时长统计"'),
    }
    report = _scan(tmp_path, files)
    assert report.package["kind"] == "h5"
    assert _status(report, "checkin") == "violation"
    assert _status(report, "ranking") in (None, "advisory")


def test_a_vite_dist_zipped_at_its_root(tmp_path: Path) -> None:
    files = {
        "index.html": '<div id="app"></div><script type="module" src="/assets/index-4f3a2b1c.js"></script>',
        "assets/index-4f3a2b1c.js": _minified('const r="各乡镇积分排行榜";u.sort((a,b)=>b.score-a.score)'),
        "assets/vendor-8b1e2f3a.js": _minified('var x="每日签到打卡"'),
    }
    report = _scan(tmp_path, files)
    assert _status(report, "ranking") == "violation"
    assert _status(report, "checkin") in (None, "advisory")


def test_vendor_and_app_chunks_by_name() -> None:
    minified = _minified("x")
    web = {"web_app": True}
    assert (
        vendored_reason("dist/js/chunk-vendors.1a2b3c4d.js", minified, **web)
        == "library chunk of a web build"
    )
    assert vendored_reason("assets/vendor-8b1e2f3a.js", minified, **web) == "library chunk of a web build"
    assert vendored_reason("dist/assets/index-4f3a2b1c.js", minified, **web) is None
    assert vendored_reason("build/static/js/main.3c4d5e6f.js", minified, **web) is None
    assert vendored_reason("assets/Rank-DiwrgTda.js", minified, **web) is None
    # Outside a build folder, or without a bundler's hash in assets/, a minified file is still a library.
    assert vendored_reason("utils/form-kit.js", minified, **web) == "minified bundle"
    assert vendored_reason("static/js/pinyin.js", minified, **web) == "minified bundle"
    # A mini-program's committed dist/ is compiled output with its libraries merged in.
    assert vendored_reason("dist/pages/rank/index.js", minified) == "minified bundle"


def test_a_page_without_any_script_is_no_web_app(tmp_path: Path) -> None:
    report = _scan(tmp_path, {"index.html": "<h1>使用说明</h1>", "manual.pdf": "%PDF"})
    assert report.verdict == "error" and report.error_kind == "unsupported"
    assert "H5 web apps" in report.errors[0]


def test_mini_program_markers_win_over_an_index_page(tmp_path: Path) -> None:
    files = {**b.WECHAT_PROJECT, "index.html": "<script>var a = 1</script>"}
    report = _scan(tmp_path, {k: v if isinstance(v, str) else v.decode() for k, v in files.items()})
    assert report.package["kind"] == "miniprogram"


def test_a_zip_of_two_projects_side_by_side_is_refused(tmp_path: Path) -> None:
    files = {f"a/{k}": v for k, v in VUE_APP.items()} | {"b/index.html": "<script></script>"}
    report = _scan(tmp_path, files)
    assert report.verdict == "error" and report.error_kind == "unsupported"


def test_the_h5_report_matches_the_schema(tmp_path: Path) -> None:
    from tests.inspection.engine.test_report import SCHEMA_PATH, validate

    schema = json.loads(SCHEMA_PATH.read_text())
    data = json.loads(json.dumps(_scan(tmp_path, VUE_APP).to_dict()))
    validate(data, schema, schema)

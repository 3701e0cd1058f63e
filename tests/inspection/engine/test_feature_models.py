"""Feature models on source trees: the parts of a feature found together, comments and vendored code ignored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govapp.inspection.engine.scan import scan_package
from tests.inspection import builders as b

APP_JSON = json.dumps({"pages": ["pages/home/home"], "window": {"navigationBarTitleText": "社区服务"}})
CONFIG = json.dumps({"appid": "wx00aa11bb22cc33dd", "projectname": "community"})


def _scan(tmp_path: Path, files: dict[str, str], *, app: str = APP_JSON) -> list[dict[str, Any]]:
    root = b.write_tree(tmp_path / "proj", {"app.json": app, "project.config.json": CONFIG, **files})
    return scan_package(root).findings


def _status(findings: list[dict[str, Any]], category: str) -> str | None:
    statuses = [f["status"] for f in findings if f["category"] == category]
    assert len(statuses) <= 1
    return statuses[0] if statuses else None


def test_a_commented_out_call_is_no_evidence(tmp_path: Path) -> None:
    findings = _scan(tmp_path, {"pages/home/home.js": "// wx.startLocationUpdateBackground({})\nPage({})\n"})
    assert _status(findings, "location_tracking") is None


def test_continuous_location_is_tracking_and_one_off_is_not(tmp_path: Path) -> None:
    one_off = _scan(
        tmp_path / "a",
        {
            "pages/home/home.js": "Page({ locate() { wx.getLocation({ type: 'gcj02' }) } })",
            "pages/home/home.wxml": "<view>定位中...</view><view>重新定位</view>",
        },
    )
    assert _status(one_off, "location_tracking") in (None, "advisory")
    continuous = _scan(
        tmp_path / "b",
        {
            "pages/home/home.js": "Page({ onShow() { wx.startLocationUpdate({}); wx.onLocationChange(this.keep) } })"
        },
    )
    assert _status(continuous, "location_tracking") == "violation"


def test_background_location_mode_alone_is_tracking(tmp_path: Path) -> None:
    app = json.dumps({"pages": ["pages/home/home"], "requiredBackgroundModes": ["location"]})
    findings = _scan(tmp_path, {"pages/home/home.js": "Page({})"}, app=app)
    assert _status(findings, "location_tracking") == "violation"


def test_polling_one_off_location_in_a_timer_is_tracking(tmp_path: Path) -> None:
    script = "Page({ start() { this.t = setInterval(() => wx.getLocation({ success: this.save }), 5000) } })"
    findings = _scan(tmp_path, {"pages/home/home.js": script})
    assert _status(findings, "location_tracking") == "violation"


def test_a_wrapped_api_counts_as_used(tmp_path: Path) -> None:
    script = "const start = promisify(wx.startLocationUpdateBackground)\nPage({})\n"
    report = scan_package(
        b.write_tree(
            tmp_path / "p",
            {"app.json": APP_JSON, "project.config.json": CONFIG, "pages/home/home.js": script},
        )
    )
    finding = next(f for f in report.findings if f["category"] == "location_tracking")
    assert finding["invoked"] is True


def test_a_vendored_map_sdk_is_not_the_apps_tracking(tmp_path: Path) -> None:
    sdk = "var QQMapWX = function () {}; QQMapWX.prototype.watch = function () { wx.onLocationChange(f) };"
    findings = _scan(tmp_path, {"utils/qqmap-wx-jssdk.js": sdk, "pages/home/home.js": "Page({})"})
    assert _status(findings, "location_tracking") in (None, "advisory")


def test_ranking_needs_the_order_beside_the_wording(tmp_path: Path) -> None:
    wording = _scan(tmp_path / "a", {"pages/board/board.wxml": "<view class='title'>排行榜</view>"})
    assert _status(wording, "ranking") == "advisory"
    ordered = _scan(
        tmp_path / "b",
        {
            "pages/board/board.wxml": "<view class='title'>排行榜</view><view wx:for='{{list}}'>{{item.nick}}</view>",
            "pages/board/board.js": (
                "Page({ onLoad() { db.collection('members').orderBy('totalPoints', 'desc').limit(50).get() } })"
            ),
        },
    )
    assert _status(ordered, "ranking") == "violation"


def test_a_ranking_of_goods_is_not_a_ranking_of_people(tmp_path: Path) -> None:
    findings = _scan(
        tmp_path,
        {
            "pages/shop/shop.wxml": "<view>热销商品排行榜</view>",
            "pages/shop/shop.js": "Page({ load() { goods.orderBy('salesCount', 'desc') } })",
        },
    )
    assert _status(findings, "ranking") in (None, "advisory")


def test_an_upload_is_forced_only_when_submit_requires_it(tmp_path: Path) -> None:
    optional = _scan(
        tmp_path / "a",
        {
            "pages/report/report.wxml": "<view bindtap='pick'>上传图片</view>",
            "pages/report/report.js": "Page({ pick() { wx.chooseMedia({ count: 3 }) } })",
        },
    )
    assert _status(optional, "forced_upload") == "advisory"
    required = _scan(
        tmp_path / "b",
        {
            "pages/report/report.js": (
                "Page({ submit() {\n  if (!this.data.photos.length) {\n"
                "    return wx.showToast({ title: '请先拍摄现场照片', icon: 'none' })\n  }\n"
                "  wx.uploadFile({ url: API, filePath: this.data.photos[0], name: 'f' })\n} })"
            ),
        },
    )
    assert _status(required, "forced_upload") == "violation"


def test_a_required_photo_for_the_users_own_post_is_not_work_reporting(tmp_path: Path) -> None:
    findings = _scan(
        tmp_path,
        {
            "pages/publish/publish.js": (
                "Page({ send() { if (!this.data.pics.length) return wx.showToast({ title: '请上传图片' });"
                " wx.chooseImage({}) } })"
            ),
        },
    )
    assert _status(findings, "forced_upload") is None


def test_online_time_is_a_timer_reported_per_user(tmp_path: Path) -> None:
    reported = _scan(
        tmp_path / "a",
        {
            "pages/lesson/lesson.js": (
                "Page({ onShow() { this.timer = setInterval(() => { this.seconds += 1 }, 1000) },\n"
                "  onUnload() { request.post('/learning/record', { lessonId: this.id, studyTime: this.seconds }) } })"
            ),
        },
    )
    assert _status(reported, "online_time") == "violation"
    stopwatch = _scan(
        tmp_path / "b",
        {"pages/run/run.js": "Page({ start() { this.timer = setInterval(() => this.tick(), 1000) } })"},
    )
    assert _status(stopwatch, "online_time") is None


def test_each_place_is_evidence_once(tmp_path: Path) -> None:
    findings = _scan(tmp_path, {"pages/home/home.wxml": "<view>每日打卡签到</view><text>签到打卡</text>"})
    finding = next(f for f in findings if f["category"] == "checkin")
    places = [(e["file"], e["location"]) for e in finding["evidence"]]
    assert len(places) == len(set(places)) == 1


def test_an_h5_app_is_scanned_with_the_same_report(tmp_path: Path) -> None:
    root = b.write_tree(
        tmp_path / "web",
        {
            "package.json": json.dumps(
                {"name": "grid-portal", "version": "1.2.0", "dependencies": {"vue": "^3"}}
            ),
            "index.html": "<div id='app'></div>",
            "src/views/Rank.vue": (
                "<template><h2>积分排行榜</h2><li v-for='u in users'>{{ u.name }}</li></template>\n"
                "<script>export default { mounted() { this.users = list.sort((a, b) => b.points - a.points) } }"
                "</script>"
            ),
        },
    )
    report = scan_package(root)
    assert report.package["kind"] == "h5" and report.package["platform"] == "web"
    assert report.package["name"] == "grid-portal"
    assert _status(report.findings, "ranking") == "violation"
    assert (
        report.exit_code
        == scan_package(
            b.write_tree(
                tmp_path / "mp",
                {
                    "app.json": APP_JSON,
                    "project.config.json": CONFIG,
                    "pages/home/home.wxml": "<view>积分排名</view>",
                },
            )
        ).exit_code
    )


def test_reported_confidence_is_calibrated_and_keeps_the_order() -> None:
    from govapp.inspection.engine.rules.evaluate import calibrated

    scores = [0.3, 0.4, 0.55, 0.6, 0.7, 0.9, 0.99]
    reported = [calibrated(score, threshold=0.6) for score in scores]
    assert reported == sorted(reported)
    # An advisory never reads as likelier than not; a violation at the threshold does.
    assert calibrated(0.59, threshold=0.6) < 0.5 <= calibrated(0.6, threshold=0.6)

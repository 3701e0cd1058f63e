"""A filed mini-program whose later package quietly added what its filing does not declare: the spot
check finds an unreported change (the drift list of the national office and the province shows it)."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from govapp.registry.models import App

from .documents import _zip

# What the spot-check package added after filing: a daily check-in page reporting to a new address.
ADDED_PAGE = (
    "Page({ data: { title: '每日签到' },\n"
    "  onLoad() { wx.request({ url: 'https://stat.daka-report.cn/api/checkin/daily', method: 'POST' }) } })\n"
)


def show_drift() -> int:
    """Spot-check one filed mini-program with a changed package; 1 when its scan found the drift."""
    from govapp.inspection.models import PinnedIdentity, Scan
    from govapp.inspection.scanning import scan_run
    from govapp.inspection.services import package_store, scan_create

    pin = (
        PinnedIdentity.objects.filter(platform="miniprogram", app__state=App.State.FILED)
        .select_related("app__approved_filing")
        .order_by("app__name")
        .first()
    )
    if pin is None or pin.app.approved_filing is None:
        return 0
    app = pin.app
    number = app.current_number.number if app.current_number else ""
    files = {
        "project.config.json": json.dumps({"appid": pin.identifier, "projectname": "drift"}),
        "app.json": json.dumps({"pages": ["pages/index/index", "pages/daily/index"]}, ensure_ascii=False),
        "pages/index/index.js": f"Page({{ data: {{ title: '{app.name}' }} }})\n",
        "pages/index/index.wxml": f"<view>{app.name}</view><view>备案号：{number}</view>\n",
        "pages/daily/index.js": ADDED_PAGE,
        "pages/daily/index.wxml": "<view>{{title}}</view><button>打卡签到</button>\n",
    }
    package = package_store(uploaded_file=SimpleUploadedFile(f"{pin.identifier}-spot.zip", _zip(files)))
    scan = scan_create(package=package, filing=app.approved_filing, actor=None, reason=Scan.Reason.SPOT_CHECK)
    scan = scan_run(scan.pk) or scan
    findings = (scan.report_data or {}).get("findings") or []
    return int(any(f.get("category") == "unreported_change" for f in findings))

"""End to end in headless Chromium: the national office runs a small spot check — draws the sample, the unit
sends its package, the batch technical test runs with live progress, the report shows the violation with its
evidence, and the violation becomes a rectification order."""

from __future__ import annotations

import json

import pytest

from govapp.inspection.models import Scan
from govapp.inspection.scanning import scan_run
from govapp.registry.models import App
from govapp.supervision.campaigns.models import SpotCheckCampaign
from govapp.supervision.models import RectificationOrder
from tests.inspection.builders import project_zip
from tests.supervision.campaigns.test_campaigns import file_app
from tests.test_browser import _page_for, browser  # noqa: F401 - the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHECKIN = {
    "project.config.json": json.dumps({"appid": "wx0000000000000001", "projectname": "grid"}),
    "app.json": json.dumps({"pages": ["pages/index/index", "pages/checkin/checkin"]}),
    "pages/index/index.wxml": "<view>社区网格通 投诉建议</view>\n",
    "pages/checkin/checkin.wxml": "<view><button bindtap='checkin'>每日打卡签到</button></view>\n",
    "pages/checkin/checkin.js": "Page({ checkin() { wx.request({ url: 'https://example.gov.cn/checkin' }) } })\n",
}


@pytest.mark.django_db(transaction=True)
def test_national_reviewer_runs_a_spot_check_to_its_report(  # type: ignore[no-untyped-def]
    live_server,
    browser,  # noqa: F811 - the fixture imported from tests.test_browser
    filer,
    provincial_reviewer,
    national_reviewer,
    without_technical_test,  # noqa: F811
):
    base = live_server.url
    app = file_app(filer, provincial_reviewer, national_reviewer, "社区网格通", 1)

    national = _page_for(browser, base, national_reviewer.username)
    national.goto(f"{base}/supervision/campaigns/new/")
    national.fill("input[name=title]", "2026年第三季度抽查")
    national.check("input[name=method][value=random]")
    national.fill("input[name=size]", "1")
    national.fill("input[name=seed]", "20260801")
    national.locator("form button[type=submit].btn-primary").click()
    national.wait_for_load_state()
    campaign = SpotCheckCampaign.objects.get()
    assert national.locator("#seed").inner_text() == "20260801"
    item = campaign.items.get()
    assert item.app_id == app.pk

    unit = _page_for(browser, base, filer.username)
    unit.goto(f"{base}/supervision/campaigns/items/{item.pk}/")
    unit.set_input_files("input[name=package]", files=[{
        "name": "grid.zip", "mimeType": "application/zip", "buffer": project_zip(CHECKIN),
    }])  # fmt: skip
    unit.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    unit.wait_for_load_state()
    item.refresh_from_db()
    assert item.package_id, unit.content()[:3000]
    unit.context.close()

    # The upload queued the technical test; nobody presses a button for it.
    national.goto(f"{base}/supervision/campaigns/{campaign.pk}/")
    assert national.locator("#run-scans").count() == 0
    # What the worker does with the queued scans (the test database cannot host a second writer).
    for scan_id in Scan.objects.filter(status=Scan.Status.QUEUED).values_list("pk", flat=True):
        scan_run(scan_id)
    national.wait_for_selector("#campaign-progress[data-pending='0'] .scanned-count", timeout=20_000)
    assert "1" in national.locator(".scanned-count").inner_text()

    national.click("#open-report")
    national.wait_for_load_state()
    assert national.locator("#violation-count").inner_text() == "1"
    assert "pages/checkin/checkin" in national.locator("table.violations").inner_text()
    national.check(f"#orders-form input[name=items][value='{item.pk}']")
    national.locator("#orders-form button[type=submit]").click()
    national.wait_for_load_state()
    order = RectificationOrder.objects.get()
    assert order.app_id == app.pk and App.objects.get(pk=app.pk).state == App.State.RECTIFYING
    assert order.reference in national.locator("table.violations").inner_text()
    national.context.close()

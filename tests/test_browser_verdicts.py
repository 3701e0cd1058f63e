"""End to end in headless Chromium: the national reviewer decides a violation on the report page, and
resolves an identity conflict between two units by transferring the app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govapp.inspection import services as inspection
from govapp.inspection.models import Scan
from govapp.inspection.scanning import scan_run
from govapp.registry import services as registry
from govapp.registry.choices import AppKind, EventAction, FilingState
from govapp.registry.models import App, Filing, FilingEvent
from tests.factories import complete_filing
from tests.inspection.builders import project_zip
from tests.test_browser import _page_for, browser  # noqa: F401 - the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.slow]
APPID = "wx1234567890abcdef"


def _project(*, checkin: bool) -> bytes:
    pages = ["pages/index/index"] + (["pages/checkin/checkin"] if checkin else [])
    files = {
        "project.config.json": json.dumps({"appid": APPID, "projectname": "网格通"}),
        "app.json": json.dumps({"pages": pages}),
        "pages/index/index.wxml": "<view>办事指南 投诉建议</view>\n",
    }
    if checkin:
        files["pages/checkin/checkin.wxml"] = "<view><button bindtap='checkin'>每日打卡签到</button></view>\n"
    return project_zip(files)


def _to_national(filer: Any, provincial: Any, name: str, data: bytes) -> Filing:
    filing = complete_filing(
        filer, packages=False, name=name, kind=AppKind.MINI_PROGRAM, miniprogram_appid=APPID
    )
    inspection.package_upload(filing=filing, actor=filer, uploaded_file=SimpleUploadedFile("mp.zip", data))
    for scan_id in Scan.objects.filter(filing=filing, status=Scan.Status.QUEUED).values_list("pk", flat=True):
        scan_run(scan_id)
    registry.filing_submit(filing=filing, actor=filer)
    registry.filing_forward(filing=filing, actor=provincial)
    return filing


@pytest.mark.django_db(transaction=True)
def test_decide_a_violation_and_resolve_a_conflict_by_transfer(  # type: ignore[no-untyped-def]
    live_server,
    browser,  # noqa: F811 - the fixture imported from tests.test_browser
    filer,
    other_filer,
    provincial_reviewer,
    national_reviewer,
):
    base = live_server.url
    held = _to_national(filer, provincial_reviewer, "社区网格通", _project(checkin=False))
    registry.filing_approve(filing=held, actor=national_reviewer)
    claim = _to_national(other_filer, provincial_reviewer, "宁波网格通", _project(checkin=True))
    scan = Scan.objects.get(filing=claim)
    rule = next(f["rule"] for f in scan.report["findings"] if f["category"] == "checkin")

    page = _page_for(browser, base, national_reviewer.username)
    # The per-finding decision on the report page.
    page.goto(f"{base}/inspection/scans/{scan.pk}/")
    form = page.locator(f"form[data-decide='{rule}']")
    form.locator("select[name=decision]").select_option("false_positive")
    form.locator("textarea[name=reason]").fill("签到按钮用于会议报名，不计考核")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-decision=false_positive]").count() == 1, page.content()[:3000]
    event = FilingEvent.objects.get(filing=claim, action=EventAction.FALSE_POSITIVE)
    assert event.data["rule"] == rule and event.actor == national_reviewer
    page.goto(f"{base}/filings/{claim.pk}/")
    assert "签到按钮用于会议报名" in page.inner_text("body")

    # The identity conflict: shown on the panel, resolved by transferring the held app.
    conflict = page.locator("[data-conflicts]")
    assert held.app.unit.name in conflict.inner_text()
    transfer = conflict.locator("form[data-resolve=transfer]")
    transfer.locator("input[name=reason]").fill("该小程序已移交宁波市大数据发展管理局运营")
    transfer.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert App.objects.get(pk=held.app_id).unit_id == other_filer.unit_id
    assert Filing.objects.get(pk=claim.pk).state == FilingState.WITHDRAWN
    page.context.close()

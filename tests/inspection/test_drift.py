"""Drift: a spot-check package that quietly added check-in after filing -> unreported-change finding ->
the drifted-apps list -> a rectification order in one step."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govapp.inspection import services as inspection
from govapp.inspection.models import PinnedIdentity, Scan
from govapp.registry import services as registry
from govapp.registry.choices import AppKind
from govapp.registry.models import App
from govapp.supervision.models import RectificationOrder
from tests.factories import complete_filing
from tests.inspection.builders import project_zip

pytestmark = pytest.mark.usefixtures("immediate_tasks")  # scans run at once, in the test

APPID = "wx1234567890abcdef"


def project(number: str, *, checkin: bool = False) -> bytes:
    pages = ["pages/index/index"] + (["pages/checkin/checkin"] if checkin else [])
    files = {
        "project.config.json": json.dumps({"appid": APPID, "projectname": "办事指南"}),
        "app.json": json.dumps({"pages": pages}),
        "app.js": "App({})\n",
        "pages/index/index.wxml": f"<view>办事指南 投诉建议 备案号：{number}</view>\n",
        "pages/index/index.js": "Page({ data: { notice: '欢迎使用' } })\n",
    }
    if checkin:
        files["pages/checkin/checkin.wxml"] = "<view><button bindtap='checkin'>每日打卡签到</button></view>\n"
        files["pages/checkin/checkin.js"] = (
            "Page({ checkin() { wx.request({ url: 'https://kq.example.gov.cn/checkin' }) } })\n"
        )
    return project_zip(files)


@pytest.fixture
def filed(filer, provincial_reviewer, national_reviewer, django_capture_on_commit_callbacks) -> App:  # type: ignore[no-untyped-def]
    filing = complete_filing(
        filer, packages=False, name="办事指南", kind=AppKind.MINI_PROGRAM, miniprogram_appid=APPID
    )
    with django_capture_on_commit_callbacks(execute=True):
        inspection.package_upload(
            filing=filing, actor=filer, uploaded_file=SimpleUploadedFile("mp.zip", project(""))
        )
    registry.filing_submit(filing=filing, actor=filer)
    registry.filing_forward(filing=filing, actor=provincial_reviewer)
    # A new app displays no number yet: the reviewer decides that finding before the number exists.
    from govapp.inspection.verdicts import finding_decide

    scan = Scan.objects.get(filing=filing)
    for finding in scan.report["findings"]:
        if finding["status"] == "violation":
            finding_decide(scan=scan, rule=finding["rule"], decision="false_positive", reason="新应用尚无备案号",
                           actor=national_reviewer)  # fmt: skip
    registry.filing_approve(filing=filing, actor=national_reviewer)
    return App.objects.get(pk=filing.app_id)


def spot_check(app: App, data: bytes, actor: Any, capture: Any) -> Scan:
    package = inspection.package_store(uploaded_file=SimpleUploadedFile("spot.zip", data))
    with capture(execute=True):
        scan = inspection.scan_create(
            package=package, filing=app.approved_filing, actor=actor, reason=Scan.Reason.SPOT_CHECK
        )
    scan.refresh_from_db()
    return scan


def test_an_unchanged_package_does_not_drift(filed, inspector, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    assert PinnedIdentity.objects.get(app=filed).baseline["categories"] == []
    scan = spot_check(
        filed, project(filed.current_number.number), inspector, django_capture_on_commit_callbacks
    )
    assert scan.verdict == "pass"
    assert "unreported_change" not in [f["category"] for f in scan.report["findings"]]


def test_a_new_check_in_feature_is_an_unreported_change_and_one_step_to_rectification(  # type: ignore[no-untyped-def]
    filed,
    inspector,
    national_reviewer,
    provincial_reviewer,
    other_provincial_reviewer,
    client_for,
    django_capture_on_commit_callbacks,
):
    number = filed.current_number.number
    scan = spot_check(filed, project(number, checkin=True), inspector, django_capture_on_commit_callbacks)
    finding = scan.report["findings"][0]
    assert finding["category"] == "unreported_change" and finding["status"] == "violation"
    assert finding["diff"]["categories"] == {"added": ["checkin"], "removed": []}
    assert "kq.example.gov.cn" in finding["diff"]["endpoints"]["added"]
    assert scan.verdict == "violation"

    national = client_for(national_reviewer)
    national.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = national.get(reverse("portal:drift")).content.decode()
    assert f'data-drift-app="{filed.pk}"' in page and "+ checkin" in page
    assert (
        f'data-drift-app="{filed.pk}"'
        in client_for(provincial_reviewer).get(reverse("portal:drift")).content.decode()
    )
    assert (
        f'data-drift-app="{filed.pk}"'
        not in client_for(other_provincial_reviewer).get(reverse("portal:drift")).content.decode()
    )

    response = national.post(reverse("portal:drift_order", args=[scan.pk]))
    order = RectificationOrder.objects.get(app=filed)
    assert response.status_code == 302 and response["Location"] == reverse(
        "supervision:order_detail", args=[order.pk]
    )
    assert order.scan_id == scan.pk and "DRIFT-UNREPORTED-001" in order.findings[0]["evidence"]["rule"]
    filed.refresh_from_db()
    assert filed.state == App.State.RECTIFYING


def test_the_drift_list_refuses_the_unit_and_outsiders(filed, filer, client_for, client):  # type: ignore[no-untyped-def]
    assert client_for(filer).get(reverse("portal:drift")).status_code == 403
    assert client.get(reverse("portal:drift")).status_code == 302

"""The ladder through the real pages: order from a scan finding -> answer with a new package -> automatic
re-test -> accept -> filed again; refusals of outsiders; bad input gives 400 with the reason."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govapp.inspection import services as inspection
from govapp.inspection.models import Scan
from govapp.inspection.verdicts import finding_decide
from govapp.registry import services as registry
from govapp.registry.choices import AppKind
from govapp.registry.models import App
from govapp.supervision.enforcement.findings import findings_from_scan
from govapp.supervision.enforcement.rectification import rectification_reject
from govapp.supervision.models import RectificationOrder
from tests.factories import complete_filing
from tests.inspection.builders import project_zip

pytestmark = pytest.mark.usefixtures("immediate_tasks")  # scans run at once, in the test

CLEAN = {
    "project.config.json": json.dumps({"appid": "wx1234567890abcdef", "projectname": "网格通"}),
    "app.json": json.dumps({"pages": ["pages/index/index"]}),
    "app.js": "App({})\n",
    "pages/index/index.wxml": "<view>办事指南 投诉建议</view>\n",
    "pages/index/index.js": "Page({ data: { notice: '欢迎使用' } })\n",
}
CHECKIN = {
    **CLEAN,
    "app.json": json.dumps({"pages": ["pages/index/index", "pages/checkin/checkin"]}),
    "pages/checkin/checkin.wxml": "<view><button bindtap='checkin'>每日打卡签到</button></view>\n",
    "pages/checkin/checkin.js": "Page({ checkin() { wx.request({ url: 'https://example.gov.cn/checkin' }) } })\n",
}


@pytest.fixture
def en(client_for, settings):  # type: ignore[no-untyped-def]
    def make(user: Any) -> Any:
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def scanned_app(filer, provincial_reviewer, national_reviewer, django_capture_on_commit_callbacks) -> App:  # type: ignore[no-untyped-def]
    """A filed mini-program whose approved package has a check-in violation (found by the real engine)."""
    filing = complete_filing(filer, packages=False, name="社区网格通", kind=AppKind.MINI_PROGRAM)
    with django_capture_on_commit_callbacks(execute=True):
        inspection.package_upload(
            filing=filing, actor=filer, uploaded_file=SimpleUploadedFile("grid.zip", project_zip(CHECKIN))
        )
    registry.filing_submit(filing=filing, actor=filer)
    registry.filing_forward(filing=filing, actor=provincial_reviewer)
    # Approval needs a decision on each violation; the reviewer took the check-in for a false positive.
    scan = Scan.objects.get(filing=filing)
    for finding in scan.report["findings"]:
        if finding["status"] == "violation":
            finding_decide(
                scan=scan, rule=finding["rule"], decision="false_positive", reason="签到按钮仅用于会议报名",
                actor=national_reviewer,
            )  # fmt: skip
    registry.filing_approve(filing=filing, actor=national_reviewer)
    return App.objects.get(pk=filing.app_id)


def order_post(finding: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "source": "spot_check", "article": "15", "required_actions": "删除打卡功能", "workdays": "15",
        "complaint_case": "", "findings-TOTAL_FORMS": "2", "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0", "findings-MAX_NUM_FORMS": "10",
        "findings-0-category": finding.get("category", "checkin"), "findings-0-description": finding.get("description", ""),
        "findings-0-file": finding.get("evidence", {}).get("file", ""),
        "findings-0-snippet": finding.get("evidence", {}).get("snippet", ""), "findings-1-category": "other",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_the_ladder_order_answer_retest_accept(  # type: ignore[no-untyped-def]
    scanned_app, filer, national_reviewer, en, django_capture_on_commit_callbacks
):
    scan = Scan.objects.get(filing=scanned_app.approved_filing)
    assert scan.verdict == "violation"
    finding = findings_from_scan(scan)[0]
    assert finding["category"] == "checkin" and finding["evidence"]["file"].endswith("checkin.wxml")

    staff = en(national_reviewer)
    response = staff.post(reverse("supervision:order_new", args=[scanned_app.pk]), order_post(finding))
    order = RectificationOrder.objects.get(app=scanned_app)
    assert response.status_code == 302 and response["Location"] == reverse(
        "supervision:order_detail", args=[order.pk]
    )
    scanned_app.refresh_from_db()
    assert scanned_app.state == App.State.RECTIFYING
    assert order.findings[0]["evidence"]["file"].endswith("checkin.wxml")

    unit = en(filer)
    page = unit.get(reverse("supervision:order_detail", args=[order.pk])).content.decode()
    assert "checkin.wxml" in page and "Answer the order" in page and "Accept the rectification" not in page
    # The package the order was raised on is no answer; the approval's decisions on it do not carry over.
    approved = Scan.objects.get(filing=scanned_app.approved_filing).package
    with django_capture_on_commit_callbacks(execute=True):
        same = unit.post(
            reverse("supervision:order_action", args=[order.pk, "answer"]),
            {"statement": "已整改", "package": SimpleUploadedFile("grid.zip", approved.file.read())},
        )
    assert same.status_code == 400 and "already tested for the filing" in same.content.decode()
    assert order.latest_answer() is None
    # A re-test that still fails, or a package of another app, is refused with the reason.
    still = {**CHECKIN, "pages/index/index.wxml": "<view>办事指南 投诉建议 整改中</view>\n"}
    for files, reason in (
        (still, "still finds violations ("),
        ({**CLEAN, "project.config.json": '{"appid": "wx00000000000000ff"}'}, "not the filed app"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            unit.post(
                reverse("supervision:order_action", args=[order.pk, "answer"]),
                {"statement": "已整改", "package": SimpleUploadedFile("grid-x.zip", project_zip(files))},
            )
        refused = staff.post(reverse("supervision:order_action", args=[order.pk, "accept"]), {"note": "复测"})
        assert refused.status_code == 400 and reason in refused.content.decode()
        assert files is not still or "FORM-CHECKIN-001" in refused.content.decode()
        order.refresh_from_db()
        assert order.state != "accepted"
        rectification_reject(order=order, actor=national_reviewer, reasons="复测未通过", new_due=None)
    # The rectified package keeps the duty to display the filing number (the re-test checks it too).
    number = scanned_app.current_number.number
    fixed = {**CLEAN, "pages/index/index.wxml": f"<view>办事指南 投诉建议 备案号：{number}</view>\n"}
    with django_capture_on_commit_callbacks(execute=True):
        response = unit.post(
            reverse("supervision:order_action", args=[order.pk, "answer"]),
            {"statement": "已删除打卡页面", "package": SimpleUploadedFile("grid-v2.zip", project_zip(fixed))},
        )
    assert response.status_code == 302
    answer = order.latest_answer()
    answer.scan.refresh_from_db()
    assert (answer.scan.status, answer.scan.verdict) == ("done", "pass")
    page = staff.get(reverse("supervision:order_detail", args=[order.pk])).content.decode()
    assert 'data-retest="done-pass"' in page and "grid-v2.zip" in page

    response = staff.post(
        reverse("supervision:order_action", args=[order.pk, "accept"]), {"note": "复测通过"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    scanned_app.refresh_from_db()
    assert order.state == "accepted" and scanned_app.state == App.State.FILED


def test_outsiders_are_refused(  # type: ignore[no-untyped-def]
    filer,
    far_filer,
    other_provincial_reviewer,
    national_reviewer,
    client,
    en,
    without_technical_test,
    provincial_reviewer,
):
    from tests.supervision.enforcement.test_rectification import file_app, issue

    app = file_app(filer, provincial_reviewer, national_reviewer)
    order = issue(app, national_reviewer)
    detail = reverse("supervision:order_detail", args=[order.pk])
    assert client.get(detail).status_code == 302  # anonymous -> login
    assert en(far_filer).get(detail).status_code == 404
    assert en(other_provincial_reviewer).get(detail).status_code == 404
    assert (
        en(other_provincial_reviewer).get(reverse("supervision:order_new", args=[app.pk])).status_code == 404
    )
    assert en(filer).get(reverse("supervision:order_new", args=[app.pk])).status_code == 403
    assert (
        en(filer)
        .post(reverse("supervision:order_action", args=[order.pk, "revoke"]), {"reason": "x"})
        .status_code
        == 403
    )
    assert (
        en(provincial_reviewer)
        .get(reverse("supervision:order_action", args=[order.pk, "answer"]))
        .status_code
        == 403
    )
    assert (
        en(national_reviewer)
        .get(reverse("supervision:order_action", args=[order.pk, "nonsense"]))
        .status_code
        == 404
    )
    assert en(filer).get(reverse("supervision:app_revoke", args=[app.pk])).status_code == 403
    listing = en(far_filer).get(reverse("supervision:order_list")).content.decode()
    assert order.reference not in listing
    assert order.reference in en(filer).get(reverse("supervision:order_list")).content.decode()


def test_bad_input_is_a_400_with_the_reason_and_nothing_changes(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, en, without_technical_test
):
    from tests.supervision.enforcement.test_rectification import file_app, issue

    app = file_app(filer, provincial_reviewer, national_reviewer)
    staff = en(national_reviewer)
    response = staff.post(reverse("supervision:order_new", args=[app.pk]), order_post({}))
    assert response.status_code == 400 and "At least one finding is required" in response.content.decode()
    response = staff.post(
        reverse("supervision:order_new", args=[app.pk]), order_post({"description": "打卡"}, workdays="0")
    )
    assert response.status_code == 400 and "at least 1 working day" in response.content.decode()
    response = staff.post(
        reverse("supervision:order_new", args=[app.pk]),
        order_post({"description": "打卡"}, **{"findings-TOTAL_FORMS": "x"}),
    )
    assert response.status_code == 400
    assert not RectificationOrder.objects.exists()

    order = issue(app, national_reviewer)
    unit = en(filer)
    response = unit.post(
        reverse("supervision:order_action", args=[order.pk, "extension"]),
        {"reason": "需要时间", "wanted_due": "2020-01-01"},
    )
    assert response.status_code == 400 and "Choose a date after today" in response.content.decode()
    response = unit.post(
        reverse("supervision:order_action", args=[order.pk, "extension"]),
        {"reason": "需要时间", "wanted_due": "not a date"},
    )
    assert response.status_code == 400 and "valid date" in response.content.decode()
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1))
    response = unit.post(reverse("supervision:order_action", args=[order.pk, "answer"]),
                         {"statement": "见附件", "attachment": big})  # fmt: skip
    assert response.status_code == 400 and "10 MB" in response.content.decode()
    response = unit.post(reverse("supervision:order_action", args=[order.pk, "answer"]),
                         {"statement": "新包", "package": SimpleUploadedFile("x.zip", b"not a package")})  # fmt: skip
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.state == "issued" and not order.answers.exists()

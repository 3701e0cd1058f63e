"""Self-inspection campaigns through the real pages: launch, the unit's answers compared with the latest
technical test and open complaints, the roll-up of non-responders, the deadline rule, refusals, bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govapp.core.models import Notification
from govapp.inspection.models import Package, Scan
from govapp.registry.models import App
from govapp.supervision.campaigns import selfcheck
from govapp.supervision.campaigns.models import SelfInspectionCampaign, SelfInspectionReturn
from tests.supervision.campaigns.test_campaigns import file_app

TUESDAY = dt.date(2026, 9, 29)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def apps(filer, other_filer, far_filer, provincial_reviewer, other_provincial_reviewer, national_reviewer,
         without_technical_test) -> list[App]:  # type: ignore[no-untyped-def]  # fmt: skip
    """Filed apps of two Zhejiang units and one Jiangsu unit (approved without a scanned package)."""
    return [
        file_app(filer, provincial_reviewer, national_reviewer, "社区网格通", 1),
        file_app(other_filer, provincial_reviewer, national_reviewer, "宁波办事", 2),
        file_app(far_filer, other_provincial_reviewer, national_reviewer, "南京办事", 3),
    ]


def compliant(**overrides: str) -> dict[str, str]:
    data = {f"answer_{q.id}": ("no" if q.problem == "yes" else "yes") for q in selfcheck.QUESTIONS}
    data.update({"monthly_active_users": "5200", "evidence": "信息中心于9月逐项核查了全部功能页面。"})
    data.update(overrides)
    return data


def launch(client: Client, **data: Any) -> Any:
    return client.post(reverse("supervision:selfcheck_new"), {"title": "2026年度自查自评", **data})


def checkin_scan(app: App) -> Scan:
    """A finished technical test of the app's filing that found a compulsory check-in."""
    package = Package.objects.create(sha256="d" * 64, size=1, kind="miniprogram", original_name="grid.zip")
    report = {"findings": [{"rule": "FORM-CHECKIN-001", "category": "checkin", "status": "violation",
                            "article": "第十三条", "evidence": [{"file": "pages/checkin/checkin.wxml"}]}]}  # fmt: skip
    from django.utils import timezone

    return Scan.objects.create(package=package, filing=app.approved_filing, status=Scan.Status.DONE, verdict="violation",
                               violation_count=1, report=report, finished_at=timezone.now())  # fmt: skip


def test_contradiction_with_the_latest_scan_and_complaints_is_flagged(  # type: ignore[no-untyped-def]
    apps, filer, national_reviewer, client_for
):
    from govapp.complaints.services import complaint_submit

    national = english(client_for(national_reviewer))
    response = launch(national, provinces=["33"])
    campaign = SelfInspectionCampaign.objects.get()
    assert response.status_code == 302
    assert campaign.returns.count() == 2 and campaign.due > campaign.started_on
    item = campaign.returns.get(app=apps[0])
    assert Notification.objects.filter(recipient=filer, due=campaign.due).exists()

    scan = checkin_scan(apps[0])
    complaint = complaint_submit(category="ranking", description="每月按积分排名通报。",
                                 filing_number=apps[0].current_number.number)  # fmt: skip
    unit = english(client_for(filer))
    url = reverse("supervision:selfcheck_return", args=[item.pk])
    assert "Does the app have a compulsory check-in" in unit.get(url).content.decode()
    pdf = SimpleUploadedFile("自查报告.pdf", b"%PDF-1.4 self-inspection")
    response = unit.post(url, {**compliant(), "attachment": pdf})
    assert response.status_code == 302
    item.refresh_from_db()
    kinds = {(f["kind"], f["question"]) for f in item.flags}
    assert kinds == {("scan", "checkin"), ("complaint", "ranking")}
    scan_flag = next(f for f in item.flags if f["kind"] == "scan")
    assert scan_flag["scan"] == scan.pk and scan_flag["rules"] == ["FORM-CHECKIN-001"]
    assert next(f for f in item.flags if f["kind"] == "complaint")["cases"] == [complaint.case_number]
    assert item.attachment_name == "自查报告.pdf" and item.contradiction_count == 2
    assert Notification.objects.filter(recipient=national_reviewer, url=url).exists()

    page = national.get(url).content.decode()
    assert "found it (FORM-CHECKIN-001)" in page and reverse("inspection:report", args=[scan.pk]) in page
    detail = national.get(reverse("supervision:selfcheck_detail", args=[campaign.pk])).content.decode()
    assert "社区网格通" in detail and 'class="flag-scan"' in detail
    download = national.get(reverse("supervision:selfcheck_attachment", args=[item.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 self-inspection"


def test_an_answer_an_open_rectification_order_contradicts_is_flagged(  # type: ignore[no-untyped-def]
    apps, filer, national_reviewer, client_for
):
    from govapp.supervision.enforcement.rectification import rectification_order_issue

    launch(english(client_for(national_reviewer)), provinces=["33"])
    item = SelfInspectionCampaign.objects.get().returns.get(app=apps[0])
    order = rectification_order_issue(
        app=apps[0], actor=national_reviewer, source="reviewer", required_actions="取消积分排名",
        article="第十三条", findings=[{"category": "ranking", "description": "按积分排名通报"}],
    )  # fmt: skip
    url = reverse("supervision:selfcheck_return", args=[item.pk])
    pdf = SimpleUploadedFile("自查报告.pdf", b"%PDF-1.4 self-inspection")
    assert english(client_for(filer)).post(url, {**compliant(), "attachment": pdf}).status_code == 302

    item.refresh_from_db()
    flag = next(f for f in item.flags if f["kind"] == "order")
    assert flag["question"] == "ranking" and flag["orders"] == [order.reference]
    assert order.reference in flag["message"] and "still open" in flag["message"]


def test_a_breach_reported_by_the_unit_and_a_rarely_used_app_are_flagged(
    apps, filer, national_reviewer
) -> None:  # type: ignore[no-untyped-def]
    campaign = selfcheck.selfcheck_launch(actor=national_reviewer, title="自查", provinces=["33"])
    item = campaign.returns.get(app=apps[0])
    answers = {
        q.id: {"answer": "no" if q.problem == "yes" else "yes", "note": ""} for q in selfcheck.QUESTIONS
    }
    answers["online_time"] = {"answer": "yes", "note": "统计在线时长，11月底前下线该功能"}
    selfcheck.selfcheck_answer(
        item=item, actor=filer, answers=answers, monthly_active_users=12, evidence="逐项核查"
    )
    item.refresh_from_db()
    assert {(f["kind"], f["question"]) for f in item.flags} == {
        ("self_reported", "online_time"),
        ("usage", "rarely_used"),
    }
    assert item.contradiction_count == 0


def test_rollup_lists_non_responders_by_province_and_unit(  # type: ignore[no-untyped-def]
    apps, filer, national_reviewer, provincial_reviewer, other_provincial_reviewer, client_for
):
    campaign = selfcheck.selfcheck_launch(actor=national_reviewer, title="全国自查")
    item = campaign.returns.get(app=apps[0])
    assert english(client_for(filer)).post(reverse("supervision:selfcheck_return", args=[item.pk]),
                                           compliant()).status_code == 302  # fmt: skip
    rows = {row.province: row for row in selfcheck.rollup(campaign, national_reviewer)}
    assert (rows["33"].total, rows["33"].answered, rows["33"].unanswered) == (2, 1, 1)
    assert [u.unit.name for u in rows["33"].missing] == ["宁波市大数据发展管理局"]
    assert [u.unit.name for u in rows["32"].missing] == ["南京市政务服务管理办公室"]

    url = reverse("supervision:selfcheck_detail", args=[campaign.pk])
    national_page = client_for(national_reviewer).get(url).content.decode()
    assert "宁波办事" in national_page and "南京办事" in national_page
    zhejiang = client_for(provincial_reviewer).get(url).content.decode()
    assert "宁波办事" in zhejiang and "南京办事" not in zhejiang
    jiangsu = client_for(other_provincial_reviewer).get(url).content.decode()
    assert "南京办事" in jiangsu and "宁波办事" not in jiangsu


def test_provincial_office_launches_for_its_own_province_only(  # type: ignore[no-untyped-def]
    apps, provincial_reviewer, other_provincial_reviewer, client_for
):
    response = launch(english(client_for(provincial_reviewer)))
    assert response.status_code == 302
    campaign = SelfInspectionCampaign.objects.get()
    assert campaign.provinces == ["33"] and set(campaign.returns.values_list("province", flat=True)) == {"33"}
    url = reverse("supervision:selfcheck_detail", args=[campaign.pk])
    assert client_for(other_provincial_reviewer).get(url).status_code == 404


def test_deadline_rule_marks_unanswered_returns_overdue_once(  # type: ignore[no-untyped-def]
    apps, filer, national_reviewer, monkeypatch
):
    monkeypatch.setattr(selfcheck, "_today", lambda: TUESDAY)
    campaign = selfcheck.selfcheck_launch(actor=national_reviewer, title="自查", provinces=["33"])
    # 20 working days from Sep 29 across National Day (Oct 1–7 off, Sat Oct 10 worked).
    assert campaign.due == dt.date(2026, 11, 2)
    item = campaign.returns.get(app=apps[0])
    answers = {q.id: {"answer": "no" if q.problem == "yes" else "yes"} for q in selfcheck.QUESTIONS}
    selfcheck.selfcheck_answer(item=campaign.returns.get(app=apps[1]), actor=apps[1].unit.user_set.get(),
                               answers=answers, monthly_active_users=900, evidence="核查")  # fmt: skip
    assert selfcheck.selfcheck_deadlines(today=dt.date(2026, 10, 9)) == 0
    assert selfcheck.selfcheck_deadlines(today=dt.date(2026, 10, 29)) == 1  # reminder: two working days left
    assert selfcheck.selfcheck_deadlines(today=dt.date(2026, 10, 30)) == 0
    assert selfcheck.selfcheck_deadlines(today=dt.date(2026, 11, 2)) == 0  # the due day itself is in time
    assert selfcheck.selfcheck_deadlines(today=dt.date(2026, 11, 3)) == 1
    assert selfcheck.selfcheck_deadlines(today=dt.date(2026, 11, 4)) == 0
    item.refresh_from_db()
    assert item.overdue and item.overdue_on == dt.date(2026, 11, 3)
    assert (
        Notification.objects.filter(recipient=national_reviewer, url=selfcheck.return_url(item)).count() == 1
    )


# ---------------------------------------------------------------- refusals and bad input


def test_outsiders_are_refused(  # type: ignore[no-untyped-def]
    apps, filer, far_filer, other_filer, provincial_reviewer, national_reviewer, client_for
):
    campaign = selfcheck.selfcheck_launch(actor=national_reviewer, title="自查", provinces=["33"])
    item = campaign.returns.get(app=apps[0])
    url = reverse("supervision:selfcheck_return", args=[item.pk])
    assert client_for(far_filer).get(url).status_code == 404
    assert client_for(other_filer).post(url, compliant()).status_code == 404
    assert client_for(provincial_reviewer).get(url).status_code == 200
    assert client_for(provincial_reviewer).post(url, compliant()).status_code == 403
    assert client_for(filer).get(reverse("supervision:selfcheck_list")).status_code == 403
    assert (
        client_for(filer).get(reverse("supervision:selfcheck_detail", args=[campaign.pk])).status_code == 404
    )
    assert client_for(filer).get(reverse("supervision:selfcheck_new")).status_code == 403
    assert (
        client_for(far_filer).get(reverse("supervision:selfcheck_attachment", args=[item.pk])).status_code
        == 404
    )
    assert Client().get(url).status_code == 302
    item.refresh_from_db()
    assert not item.is_submitted


def test_bad_answers_name_the_question_and_nothing_is_recorded(
    apps, filer, national_reviewer, client_for
) -> None:  # type: ignore[no-untyped-def]
    campaign = selfcheck.selfcheck_launch(actor=national_reviewer, title="自查", provinces=["33"])
    item = campaign.returns.get(app=apps[0])
    url = reverse("supervision:selfcheck_return", args=[item.pk])
    unit = english(client_for(filer))
    data = compliant(answer_checkin="yes", monthly_active_users="-3", evidence="")
    del data["answer_ipv6"]
    response = unit.post(url, data)
    text = response.content.decode()
    assert response.status_code == 400
    assert "Explain the situation and what the unit will change." in text and "Answer yes or no." in text
    assert (
        "The number of users cannot be negative." in text and "Describe how the answers were checked" in text
    )
    response = unit.post(url, {**compliant(), "attachment": SimpleUploadedFile("a.exe", b"MZ\x90\x00")})
    assert response.status_code == 400 and "is not a PDF, PNG or JPEG file" in response.content.decode()
    item.refresh_from_db()
    assert not item.is_submitted and not item.attachment_name
    national = english(client_for(national_reviewer))
    response = launch(national, provinces=["33"], app_kinds=["quick_app"])
    assert response.status_code == 400 and "No filed app matches the scope" in response.content.decode()
    response = national.post(reverse("supervision:selfcheck_new"), {"title": ""})
    assert response.status_code == 400 and "Give the campaign a title" in response.content.decode()
    assert SelfInspectionCampaign.objects.count() == 1 and SelfInspectionReturn.objects.count() == 2


def test_a_closed_self_inspection_accepts_no_answer(apps, filer, national_reviewer, client_for) -> None:  # type: ignore[no-untyped-def]
    campaign = selfcheck.selfcheck_launch(actor=national_reviewer, title="自查", provinces=["33"])
    selfcheck.selfcheck_close(campaign=campaign, actor=national_reviewer)
    item = campaign.returns.get(app=apps[0])
    response = client_for(filer).post(reverse("supervision:selfcheck_return", args=[item.pk]), compliant())
    assert response.status_code == 403
    assert selfcheck.selfcheck_deadlines(today=campaign.due + dt.timedelta(days=30)) == 0

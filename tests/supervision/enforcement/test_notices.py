"""Typical-problem notices: compose from cases (facts filled in), edit, publish -> public page and PDF."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from govapp.supervision.models import SupervisionEvent, TypicalProblemNotice
from tests.supervision.enforcement.test_rectification import file_app, issue
from tests.supervision.enforcement.test_suspension import pdf_text


def test_compose_edit_publish_public_page_and_pdf(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, client, client_for, tmp_path: Path, without_technical_test
):
    app = file_app(filer, provincial_reviewer, national_reviewer)
    order = issue(app, national_reviewer)
    staff = client_for(national_reviewer)
    manage = reverse("supervision:notice_manage")
    assert staff.post(manage, {"title": "", "complaint_cases": ""}).status_code == 400
    response = staff.post(manage, {"title": "", "orders": [order.pk], "complaint_cases": ""})
    notice = TypicalProblemNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "supervision:notice_edit", args=[notice.pk]
    )
    case = notice.cases[0]
    assert (case["unit"], case["app"], case["article"]) == (filer.unit.name, "浙政钉", "15")
    assert "首页强制每日打卡签到" in case["finding"] and "浙政钉" in notice.body

    public = reverse("supervision:notice_detail", args=[notice.pk])
    assert client.get(public).status_code == 404  # drafts are not public
    edit = reverse("supervision:notice_edit", args=[notice.pk])
    assert staff.post(edit, {"title": "", "body": ""}).status_code == 400
    body = notice.body + "\n各地区各部门要引以为戒，举一反三。"
    response = staff.post(edit, {"title": "关于政务应用程序典型问题的通报", "body": body, "publish": "1"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == "published" and notice.published_at is not None
    assert SupervisionEvent.objects.filter(order=order, action="notice_publish").count() == 1

    listing = client.get(reverse("supervision:notice_list")).content.decode()
    assert "关于政务应用程序典型问题的通报" in listing
    page = client.get(public).content.decode()
    assert "引以为戒" in page and filer.unit.name in page
    response = client.get(reverse("supervision:notice_pdf", args=[notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for expected in (
        "关于政务应用程序典型问题的通报",
        "引以为戒",
        "浙政钉",
        "首页强制每日打卡签到",
        "杭州市数据资源管理局",
        "第十五条",
    ):
        assert expected in text, expected
    assert "Art." not in text

    assert (
        staff.post(edit, {"title": "改", "body": "改"}).status_code == 400
    )  # published notices do not change
    notice.refresh_from_db()
    assert notice.title == "关于政务应用程序典型问题的通报"


def test_only_the_national_office_composes(filer, provincial_reviewer, client, client_for):  # type: ignore[no-untyped-def]
    manage = reverse("supervision:notice_manage")
    assert client.get(manage).status_code == 302
    assert client_for(filer).get(manage).status_code == 403
    assert client_for(provincial_reviewer).post(manage, {"complaint_cases": "TS-X"}).status_code == 403
    assert client.get(reverse("supervision:notice_pdf", args=[999])).status_code == 404


def test_unknown_complaint_case_is_a_clear_error(national_reviewer, client_for):  # type: ignore[no-untyped-def]
    response = client_for(national_reviewer).post(
        reverse("supervision:notice_manage"), {"complaint_cases": "TS-NOPE-NOPE-NOPE"}
    )
    assert response.status_code == 400
    assert "TS-NOPE-NOPE-NOPE" in response.content.decode()
    assert not TypicalProblemNotice.objects.exists()


def test_a_notice_lists_each_case_once(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, without_technical_test
):
    from govapp.supervision.enforcement.notices import notice_compose

    app = file_app(filer, provincial_reviewer, national_reviewer)
    first = issue(app, national_reviewer, complaint="C2026-000007")
    again = issue(app, national_reviewer, complaint="C2026-000007", confirm_duplicate=True)
    other = issue(app, national_reviewer)
    notice = notice_compose(actor=national_reviewer, orders=[first, again, other, first])
    assert [case["ref"] for case in notice.cases] == [first.reference, other.reference]
    assert notice.body.count("首页强制每日打卡签到") == 2

"""Complaint handling by the cyberspace offices; units never see complaints or complainants."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govapp.complaints import services
from govapp.complaints.choices import ComplaintAction, ComplaintStatus
from govapp.complaints.models import Complaint
from govapp.core.models import Notification
from govapp.registry.models import App, FilingEvent
from tests.complaints.conftest import submit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32
SECRET_NAME = "举报人李四"
SECRET_PHONE = "13912345678"


@pytest.fixture
def named(apps) -> Complaint:  # type: ignore[no-untyped-def]
    """A named complaint about the Zhejiang app, with a photo."""
    return submit(
        anonymous=False,
        contact_name=SECRET_NAME,
        contact_phone=SECRET_PHONE,
        attachments=[SimpleUploadedFile("p.png", PNG, "image/png")],
    )


@pytest.fixture
def central_complaint(apps) -> Complaint:  # type: ignore[no-untyped-def]
    return submit(app_name="水利一张图", anonymous=False, contact_name="王五", contact_email="w@example.cn")


def urls(complaint: Complaint) -> list[str]:
    attachment = complaint.attachments.first()
    found = [reverse("complaints:detail", args=[complaint.pk])]
    found += [
        reverse("complaints:action", args=[complaint.pk, slug])
        for slug in ("assign", "handle", "rectify", "close", "reject")
    ]
    if attachment is not None:
        found.append(reverse("complaints:attachment", args=[complaint.pk, attachment.pk]))
    return found


def test_anonymous_visitors_are_sent_to_sign_in(named, client) -> None:
    for url in [reverse("complaints:list"), *urls(named)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "persona",
    ["filer", "other_filer", "far_filer", "ministry_filer", "inspector", "sysadmin", "provincial_coreviewer"],
)
def test_units_and_other_roles_never_see_complaints(
    named, central_complaint, persona, request, client_for
) -> None:
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("complaints:list")).status_code == 403
    for complaint in (named, central_complaint):
        for url in urls(complaint):
            response = client.get(url)
            assert response.status_code == 404, url
            assert SECRET_NAME not in response.content.decode()
        assert (
            client.post(
                reverse("complaints:action", args=[complaint.pk, "close"]), {"outcome": "x"}
            ).status_code
            == 404
        )
    assert Complaint.objects.get(pk=named.pk).status == ComplaintStatus.RECEIVED


def test_the_unit_complained_about_learns_nothing(named, filer, client_for, provincial_reviewer) -> None:
    """Not the complaint, not the receipt, not the complainant: not in its inbox, app page or history."""
    client = client_for(filer)
    services.complaint_order_rectification(
        complaint=named,
        actor=provincial_reviewer,
        finding="强制每日打卡签到。",
        required_actions="取消强制打卡功能",
        article="Art. 13",
    )
    pages = [
        client.get(reverse("portal:home")),
        client.get(reverse("portal:inbox")),
        client.get(reverse("registry:app_detail", args=[named.app_id])),
    ]
    for response in pages:
        text = response.content.decode()
        for secret in (named.receipt, named.case_number, SECRET_NAME, SECRET_PHONE):
            assert secret not in text
    for notification in Notification.objects.filter(recipient=filer):
        assert named.receipt not in notification.subject + notification.body + notification.url
        assert SECRET_NAME not in notification.body and "/complaints/" not in notification.url
    event = FilingEvent.objects.filter(app=named.app, action="order_rectification").get()
    assert named.receipt not in str(event.data) + event.reason and SECRET_NAME not in event.reason


def test_provincial_office_sees_its_province_only(
    named, central_complaint, provincial_reviewer, other_provincial_reviewer, client_for
) -> None:
    zj = client_for(provincial_reviewer)
    page = zj.get(reverse("complaints:list")).content.decode()
    assert named.case_number in page and central_complaint.case_number not in page
    assert named.receipt not in page  # staff see the case number, never the complainant's code
    detail = zj.get(reverse("complaints:detail", args=[named.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert SECRET_NAME in text and SECRET_PHONE in text and named.description in text
    assert zj.get(reverse("complaints:detail", args=[central_complaint.pk])).status_code == 404
    js = client_for(other_provincial_reviewer)
    assert named.case_number not in js.get(reverse("complaints:list")).content.decode()
    for url in urls(named):
        assert js.get(url).status_code == 404


def test_national_office_sees_all_but_the_contact_of_provincial_cases(
    named, central_complaint, national_reviewer, client_for
) -> None:
    client = client_for(national_reviewer)
    page = client.get(reverse("complaints:list")).content.decode()
    assert named.case_number in page and central_complaint.case_number in page
    provincial = client.get(reverse("complaints:detail", args=[named.pk])).content.decode()
    assert (
        named.description in provincial and SECRET_NAME not in provincial and SECRET_PHONE not in provincial
    )
    assert "Read only" in provincial
    assert client.get(reverse("complaints:action", args=[named.pk, "close"])).status_code == 403
    central = client.get(reverse("complaints:detail", args=[central_complaint.pk])).content.decode()
    assert "王五" in central and "w@example.cn" in central


def test_attachments_are_served_to_the_office_only(named, provincial_reviewer, client_for) -> None:
    url = urls(named)[-1]
    response = client_for(provincial_reviewer).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png" and "attachment" in response["Content-Disposition"]


def act(client: Client, complaint: Complaint, slug: str, data: dict[str, Any]) -> Any:
    return client.post(reverse("complaints:action", args=[complaint.pk, slug]), data)


def test_assign_handle_close_and_the_public_outcome(named, provincial_reviewer, client_for, client) -> None:
    office = client_for(provincial_reviewer)
    form = office.get(reverse("complaints:action", args=[named.pk, "assign"]))
    assert form.status_code == 200 and "zj_reviewer" in form.content.decode()
    assert act(office, named, "assign", {"assignee": provincial_reviewer.pk}).status_code == 302
    assert act(office, named, "handle", {"note": "已电话核实：确有强制打卡"}).status_code == 302
    assert act(office, named, "handle", {"note": "第二次备注"}).status_code == 302
    assert Complaint.objects.get(pk=named.pk).status == ComplaintStatus.IN_HANDLING
    assert act(office, named, "close", {"outcome": ""}).status_code == 400
    assert act(office, named, "close", {"outcome": "已责令单位取消强制打卡。"}).status_code == 302
    closed = Complaint.objects.get(pk=named.pk)
    assert closed.status == ComplaintStatus.CLOSED and closed.closed_at is not None
    actions = list(closed.events.values_list("action", flat=True))
    assert actions == [
        ComplaintAction.RECEIVE,
        ComplaintAction.ASSIGN,
        ComplaintAction.START,
        ComplaintAction.NOTE,
        ComplaintAction.CLOSE,
    ]
    public = client.get(reverse("complaints:status", args=[named.receipt])).content.decode()
    assert "已责令单位取消强制打卡。" in public and "已电话核实" not in public and "第二次备注" not in public
    # Closed: no more actions.
    again = act(office, named, "close", {"outcome": "再次关闭"})
    assert again.status_code == 400 and "not possible" in again.content.decode()


def test_assignee_must_belong_to_the_handling_office(
    named, provincial_reviewer, other_provincial_reviewer, client_for
) -> None:
    office = client_for(provincial_reviewer)
    response = act(office, named, "assign", {"assignee": other_provincial_reviewer.pk})
    assert response.status_code == 400
    assert Complaint.objects.get(pk=named.pk).assigned_to is None


def test_reject_as_out_of_scope(named, provincial_reviewer, client_for, client) -> None:
    office = client_for(provincial_reviewer)
    assert act(office, named, "reject", {"reason": ""}).status_code == 400
    assert (
        act(office, named, "reject", {"reason": "所涉为微信公众号，不属于政务应用程序。"}).status_code == 302
    )
    assert Complaint.objects.get(pk=named.pk).status == ComplaintStatus.REJECTED
    page = client.get(reverse("complaints:status", args=[named.receipt])).content.decode()
    assert "Rejected as out of scope" in page and "微信公众号" in page


def test_order_rectification_issues_an_order_for_the_app(named, provincial_reviewer, client_for) -> None:
    office = client_for(provincial_reviewer)
    form = office.get(reverse("complaints:action", args=[named.pk, "rectify"]))
    assert form.status_code == 200 and "Art. 13" in form.content.decode()
    missing = act(
        office, named, "rectify", {"finding": "强制打卡", "required_actions": "", "article": "Art. 13"}
    )
    assert missing.status_code == 400
    response = act(
        office,
        named,
        "rectify",
        {
            "finding": "应用要求基层人员每日强制打卡签到。",
            "required_actions": "取消强制打卡功能",
            "article": "Art. 13",
        },
    )
    assert response.status_code == 302
    assert App.objects.get(pk=named.app_id).state == App.State.RECTIFYING
    complaint = Complaint.objects.get(pk=named.pk)
    assert complaint.status == ComplaintStatus.IN_HANDLING
    event = complaint.events.get(action=ComplaintAction.ORDER_RECTIFICATION)
    assert event.data["order_reference"]
    from govapp.supervision.models import RectificationOrder

    order = RectificationOrder.objects.get(pk=event.data["order"])
    assert order.complaint_case == complaint.case_number and order.findings[0]["category"] == "checkin"
    assert SECRET_NAME not in str(order.findings)
    detail = office.get(reverse("complaints:detail", args=[named.pk])).content.decode()
    assert event.data["order_reference"] in detail


def test_a_second_order_from_the_same_complaint_asks_for_confirmation(
    named, provincial_reviewer, client_for
) -> None:
    from govapp.supervision.models import RectificationOrder

    office = client_for(provincial_reviewer)
    data = {
        "finding": "应用要求基层人员每日强制打卡签到。",
        "required_actions": "取消强制打卡功能",
        "article": "Art. 13",
    }
    assert act(office, named, "rectify", data).status_code == 302
    again = act(office, named, "rectify", data)
    assert again.status_code == 400 and "issue another order anyway" in again.content.decode()
    assert RectificationOrder.objects.count() == 1
    assert act(office, named, "rectify", {**data, "confirm_duplicate": "on"}).status_code == 302
    assert RectificationOrder.objects.count() == 2


def test_rectification_needs_a_linked_filed_app(apps, national_reviewer, client_for) -> None:
    unknown = submit(app_name="不存在的打卡宝")
    client = client_for(national_reviewer)
    page = client.get(reverse("complaints:detail", args=[unknown.pk])).content.decode()
    assert reverse("complaints:action", args=[unknown.pk, "rectify"]) not in page
    response = act(
        client,
        unknown,
        "rectify",
        {"finding": "强制打卡签到", "required_actions": "取消", "article": "Art. 13"},
    )
    assert response.status_code == 400
    assert "not linked to an app of the register" in response.content.decode()


def test_list_shows_the_working_day_countdown_and_overdue(named, provincial_reviewer, client_for) -> None:
    office = client_for(provincial_reviewer)
    page = office.get(reverse("complaints:list")).content.decode()
    assert "working days left" in page and named.due.isoformat() in page
    assert (
        named.case_number not in office.get(reverse("complaints:list"), {"show": "overdue"}).content.decode()
    )
    assert (
        named.case_number
        in office.get(reverse("complaints:list"), {"show": "all", "category": "checkin"}).content.decode()
    )
    assert office.get(reverse("complaints:list"), {"show": "bogus", "page": "x"}).status_code == 200


def test_unknown_action_is_404(named, provincial_reviewer, client_for) -> None:
    assert (
        client_for(provincial_reviewer)
        .get(reverse("complaints:action", args=[named.pk, "delete"]))
        .status_code
        == 404
    )


def test_the_history_names_statuses_not_codes(named, provincial_reviewer, client_for) -> None:
    office = client_for(provincial_reviewer)
    assert act(office, named, "assign", {"assignee": provincial_reviewer.pk}).status_code == 302
    page = office.get(reverse("complaints:detail", args=[named.pk]), {"lang": "zh-hans"}).content.decode()
    assert "received → assigned" not in page and "已分派" in page.split("→", 1)[1][:200]


def test_the_complainant_is_never_written_into_a_finding(apps, provincial_reviewer, client_for) -> None:
    complaint = submit(
        anonymous=False, contact_name=SECRET_NAME, contact_phone=SECRET_PHONE,
        description=f"我是{SECRET_NAME}，电话 139-1234-5678，单位每天强制我们在应用里打卡。",
    )  # fmt: skip
    office = client_for(provincial_reviewer)

    form = office.get(reverse("complaints:action", args=[complaint.pk, "rectify"])).content.decode()
    # No verbatim prefill; the handler sees the complaint with the name and the number masked.
    assert (
        'name="finding"' in form
        and "单位每天强制我们在应用里打卡" not in form.split('name="finding"')[1][:400]
    )
    assert "data-complaint-quote" in form and "单位每天强制我们在应用里打卡" in form
    assert SECRET_NAME not in form and "139-1234-5678" not in form and SECRET_PHONE not in form

    for finding, actions in (
        (f"{SECRET_NAME}反映单位强制打卡。", "取消强制打卡"),
        ("有群众反映单位强制打卡。", "取消强制打卡，并回复 139 1234 5678"),
    ):
        refused = act(
            office, complaint, "rectify", {"finding": finding, "required_actions": actions, "article": "13"}
        )
        assert refused.status_code == 400
        assert "names the complainant or gives their contact" in refused.content.decode()
    assert App.objects.get(pk=complaint.app_id).state == App.State.FILED

    accepted = act(
        office, complaint, "rectify",
        {"finding": "应用要求基层人员每日强制打卡签到。", "required_actions": "取消强制打卡功能", "article": "13"},
    )  # fmt: skip
    assert accepted.status_code == 302

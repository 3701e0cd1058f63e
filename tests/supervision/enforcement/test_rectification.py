"""Rectification orders through their services: issue, answer, accept/reject, extensions, overdue rule, refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govapp.core.models import Notification
from govapp.core.scheduler import apply_time_rules
from govapp.registry import services as registry
from govapp.registry import workflow
from govapp.registry.choices import EventAction
from govapp.registry.models import App
from govapp.registry.services import WorkflowError
from govapp.supervision.enforcement import rectification
from govapp.supervision.models import (
    ExtensionRequest,
    RectificationOrder,
    SupervisionAction,
    SupervisionEvent,
)
from tests.factories import complete_filing

FINDING = {
    "category": "checkin",
    "description": "首页强制每日打卡签到",
    "evidence": {"rule": "FORM-CHECKIN-001", "file": "pages/checkin/checkin.wxml", "snippet": "每日打卡签到"},
}
ARTICLE = "《办法》第十五条"


def pin_today(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(rectification, "_today", lambda: day)
    monkeypatch.setattr(workflow, "today", lambda: day)


def file_app(filer: Any, provincial_reviewer: Any, national_reviewer: Any, name: str = "浙政钉") -> App:
    filing = complete_filing(filer, name=name)
    registry.filing_submit(filing=filing, actor=filer)
    registry.filing_forward(filing=filing, actor=provincial_reviewer)
    registry.filing_approve(filing=filing, actor=national_reviewer)
    return App.objects.get(pk=filing.app_id)


def issue(app: App, actor: Any, **overrides: Any) -> RectificationOrder:
    kwargs: dict[str, Any] = {
        "app": app, "actor": actor, "source": "spot_check", "findings": [FINDING],
        "required_actions": "删除打卡功能并重新提交安装包", "article": ARTICLE,
    }  # fmt: skip
    kwargs.update(overrides)
    return rectification.rectification_order_issue(**kwargs)


@pytest.fixture
def filed_app(filer, provincial_reviewer, national_reviewer, without_technical_test) -> App:  # type: ignore[no-untyped-def]
    return file_app(filer, provincial_reviewer, national_reviewer)


@pytest.fixture
def monday(monkeypatch) -> dt.date:  # type: ignore[no-untyped-def]
    """Monday 2026-09-28: 15 working days run across the National Day holiday (Oct 1–7, Sat Oct 10 worked)."""
    day = dt.date(2026, 9, 28)
    pin_today(monkeypatch, day)
    return day


def test_issue_moves_the_app_to_rectifying_with_a_working_day_deadline(
    filed_app, national_reviewer, filer, monday
):  # type: ignore[no-untyped-def]
    order = issue(filed_app, national_reviewer)
    filed_app.refresh_from_db()
    assert filed_app.state == App.State.RECTIFYING
    assert order.state == "issued" and order.workdays == 15 and order.issued_on == monday
    # Sep 29, 30, Oct 8, 9, 10 (make-up Saturday), 12–16, 19–23 -> the 15th working day is Oct 23.
    assert order.due == dt.date(2026, 10, 23) and not order.due_provisional
    assert order.findings[0]["evidence"]["rule"] == "FORM-CHECKIN-001"
    assert order.findings[0]["article"] == "15" and order.article_ref == "15" and order.article_note == ""
    assert filed_app.events.filter(action=EventAction.ORDER_RECTIFICATION).count() == 1
    assert SupervisionEvent.objects.filter(order=order, action=SupervisionAction.ISSUE).exists()
    assert Notification.objects.filter(recipient=filer, subject__contains="浙政钉").exists()


def test_a_second_order_keeps_the_app_rectifying_and_only_the_last_acceptance_files_it(  # type: ignore[no-untyped-def]
    filed_app, national_reviewer, filer, monday
):
    first = issue(filed_app, national_reviewer)
    second = issue(
        filed_app, national_reviewer, workdays=5, source="complaint", complaint="TS-ABCD-EFGH-JKLM"
    )
    assert second.due == dt.date(2026, 10, 10) and second.complaint_case == "TS-ABCD-EFGH-JKLM"
    assert filed_app.events.filter(action=EventAction.ORDER_RECTIFICATION).count() == 1
    for order in (first, second):
        rectification.rectification_answer(order=order, actor=filer, statement="已删除打卡功能")
    rectification.rectification_accept(order=first, actor=national_reviewer)
    filed_app.refresh_from_db()
    assert filed_app.state == App.State.RECTIFYING
    rectification.rectification_accept(order=second, actor=national_reviewer, note="整改到位")
    filed_app.refresh_from_db()
    assert filed_app.state == App.State.FILED
    assert filed_app.events.filter(action=EventAction.RECTIFIED).count() == 1


def test_reject_sends_it_back_and_moves_the_due_date_only_when_granted(
    filed_app, national_reviewer, filer, monday
):  # type: ignore[no-untyped-def]
    order = issue(filed_app, national_reviewer)
    rectification.rectification_answer(order=order, actor=filer, statement="已整改")
    order = rectification.rectification_reject(order=order, actor=national_reviewer, reasons="打卡入口仍在")
    assert order.state == "rejected" and order.due == dt.date(2026, 10, 23)
    rectification.rectification_answer(order=order, actor=filer, statement="入口也已删除")
    order = rectification.rectification_reject(
        order=order, actor=national_reviewer, reasons="仍有排名", new_due=dt.date(2026, 11, 6)
    )
    assert order.due == dt.date(2026, 11, 6)
    with pytest.raises(WorkflowError) as info:
        rectification.rectification_answer(order=order, actor=filer, statement="   ")
    assert info.value.items[0].field == "statement"


def test_extension_request_granted_and_refused_are_recorded(filed_app, national_reviewer, filer, monday):  # type: ignore[no-untyped-def]
    order = issue(filed_app, national_reviewer)
    with pytest.raises(WorkflowError) as info:
        rectification.extension_request(order=order, actor=filer, reason="", wanted_due=dt.date(2026, 10, 1))
    assert {i.field for i in info.value.items} == {"reason", "wanted_due"}
    request = rectification.extension_request(
        order=order, actor=filer, reason="需要重新招标开发", wanted_due=dt.date(2026, 11, 20)
    )
    with pytest.raises(WorkflowError):
        rectification.extension_request(
            order=order, actor=filer, reason="再要", wanted_due=dt.date(2026, 12, 1)
        )
    with pytest.raises(WorkflowError):
        rectification.extension_decide(request=request, actor=national_reviewer, grant=False, note="")
    rectification.extension_decide(request=request, actor=national_reviewer, grant=True)
    order.refresh_from_db()
    request.refresh_from_db()
    assert order.due == dt.date(2026, 11, 20) and request.status == ExtensionRequest.Status.GRANTED
    second = rectification.extension_request(
        order=order, actor=filer, reason="还要", wanted_due=dt.date(2026, 12, 4)
    )
    rectification.extension_decide(request=second, actor=national_reviewer, grant=False, note="理由不充分")
    order.refresh_from_db()
    assert order.due == dt.date(2026, 11, 20)
    actions = list(order.events.values_list("action", flat=True))
    assert actions.count("extension_request") == 2
    assert "extension_grant" in actions and "extension_refuse" in actions


def test_overdue_rule_marks_once_across_the_holiday_and_notifies(  # type: ignore[no-untyped-def]
    filed_app, national_reviewer, filer, monday
):
    order = issue(filed_app, national_reviewer, workdays=3)
    # Sep 29, Sep 30, then the holiday: the third working day is Thu Oct 8, not Thu Oct 1.
    assert order.due == dt.date(2026, 10, 8)
    assert apply_time_rules(dt.date(2026, 10, 8))["rectification_overdue"] == 0
    assert rectification.rectification_mark_overdue(today=dt.date(2026, 10, 5)) == 0
    before = Notification.objects.count()
    assert apply_time_rules(dt.date(2026, 10, 9))["rectification_overdue"] == 1
    assert apply_time_rules(dt.date(2026, 10, 9))["rectification_overdue"] == 0
    assert rectification.rectification_mark_overdue(today=dt.date(2026, 10, 12)) == 0
    order.refresh_from_db()
    assert order.state == "overdue"
    assert order.events.filter(action=SupervisionAction.OVERDUE).count() == 1
    notified = set(
        Notification.objects.all()[: Notification.objects.count() - before].values_list(
            "recipient", flat=True
        )
    )
    assert {filer.pk, national_reviewer.pk} <= notified


def test_answer_after_the_order_is_overdue_is_refused(filed_app, national_reviewer, filer, monday):  # type: ignore[no-untyped-def]
    order = issue(filed_app, national_reviewer, workdays=1)
    rectification.rectification_mark_overdue(today=dt.date(2026, 10, 20))
    with pytest.raises(WorkflowError, match="not possible"):
        rectification.rectification_answer(order=order, actor=filer, statement="晚了")


def test_outsiders_and_bad_input_are_refused(  # type: ignore[no-untyped-def]
    filed_app, national_reviewer, provincial_reviewer, other_provincial_reviewer, filer, other_filer, monday
):
    with pytest.raises(PermissionDenied):
        issue(filed_app, other_provincial_reviewer)
    with pytest.raises(PermissionDenied):
        issue(filed_app, filer)
    with pytest.raises(WorkflowError) as info:
        issue(filed_app, national_reviewer, findings=[])
    assert info.value.items[0].field == "findings"
    with pytest.raises(WorkflowError, match="unknown category"):
        issue(filed_app, national_reviewer, findings=[{"category": "dance", "description": "x"}])
    with pytest.raises(WorkflowError) as info:
        issue(filed_app, national_reviewer, workdays=0)
    assert info.value.items[0].field == "workdays"
    with pytest.raises(WorkflowError) as info:
        issue(filed_app, national_reviewer, required_actions=" ", article="")
    assert {i.field for i in info.value.items} == {"required_actions", "article"}
    order = issue(filed_app, provincial_reviewer)  # the app's own province may order
    with pytest.raises(PermissionDenied):
        rectification.rectification_answer(order=order, actor=other_filer, statement="不是我的应用")
    rectification.rectification_answer(order=order, actor=filer, statement="已整改")
    with pytest.raises(PermissionDenied):
        rectification.rectification_accept(order=order, actor=provincial_reviewer)
    with pytest.raises(PermissionDenied):
        rectification.rectification_reject(order=order, actor=other_provincial_reviewer, reasons="no")
    with pytest.raises(PermissionDenied):
        rectification.rectification_revoke(order=order, actor=provincial_reviewer, reason="撤销")


def test_answer_attachment_checked_by_size_and_type(filed_app, national_reviewer, filer, monday, settings):  # type: ignore[no-untyped-def]
    order = issue(filed_app, national_reviewer)
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * rectification.ATTACHMENT_MAX_BYTES)
    with pytest.raises(WorkflowError, match="10 MB"):
        rectification.rectification_answer(order=order, actor=filer, statement="见附件", attachment=big)
    exe = SimpleUploadedFile("statement.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(WorkflowError, match="not a PDF"):
        rectification.rectification_answer(order=order, actor=filer, statement="见附件", attachment=exe)
    order.refresh_from_db()
    assert order.state == "issued" and not order.answers.exists()
    ok = SimpleUploadedFile("statement.pdf", b"%PDF-1.4 rectification statement")
    answer = rectification.rectification_answer(order=order, actor=filer, statement="见附件", attachment=ok)
    assert answer.attachment_name == "statement.pdf" and answer.attachment.read().startswith(b"%PDF-1.4")


def test_issue_only_for_filed_apps(filer, national_reviewer, monday):  # type: ignore[no-untyped-def]
    draft = complete_filing(filer, name="草稿应用")
    with pytest.raises(WorkflowError, match="filed app"):
        issue(draft.app, national_reviewer)


def test_provisional_deadline_when_the_calendar_year_is_missing(filed_app, national_reviewer, monkeypatch):  # type: ignore[no-untyped-def]
    pin_today(monkeypatch, dt.date(2031, 3, 3))
    order = issue(filed_app, national_reviewer, workdays=5)
    assert order.due == dt.date(2031, 3, 10) and order.due_provisional


def test_a_second_open_order_for_the_same_complaint_and_category_needs_confirmation(
    filed_app, national_reviewer, monday
):  # type: ignore[no-untyped-def]
    first = issue(filed_app, national_reviewer, complaint="C2026-000007")
    with pytest.raises(WorkflowError) as refused:
        issue(filed_app, national_reviewer, complaint="C2026-000007")
    assert first.reference in refused.value.message
    assert [item.field for item in refused.value.items] == ["confirm_duplicate"]
    assert RectificationOrder.objects.count() == 1
    # Another complaint, or another category from the same complaint, is not a duplicate.
    issue(filed_app, national_reviewer, complaint="C2026-000008")
    issue(
        filed_app, national_reviewer, complaint="C2026-000007", findings=[{**FINDING, "category": "ranking"}]
    )
    second = issue(filed_app, national_reviewer, complaint="C2026-000007", confirm_duplicate=True)
    assert second.pk != first.pk and RectificationOrder.objects.count() == 4


def test_a_closed_order_is_no_duplicate(filed_app, national_reviewer, monday):  # type: ignore[no-untyped-def]
    first = issue(filed_app, national_reviewer, complaint="C2026-000007")
    RectificationOrder.objects.filter(pk=first.pk).update(state="accepted")
    issue(filed_app, national_reviewer, complaint="C2026-000007")
    assert RectificationOrder.objects.count() == 2


def test_overdue_reaches_the_provincial_office_that_issued_the_order(  # type: ignore[no-untyped-def]
    filed_app, provincial_reviewer, other_provincial_reviewer, national_reviewer, filer, monday
):
    order = issue(filed_app, provincial_reviewer, workdays=3)
    Notification.objects.all().delete()
    assert apply_time_rules(dt.date(2026, 10, 9))["rectification_overdue"] == 1
    url = reverse("supervision:order_detail", args=[order.pk])
    told = set(Notification.objects.filter(url=url).values_list("recipient", flat=True))
    assert {provincial_reviewer.pk, national_reviewer.pk, filer.pk} <= told
    assert other_provincial_reviewer.pk not in told


def test_the_article_is_stored_as_a_reference_and_read_in_the_readers_language(
    filed_app, national_reviewer, monday
):  # type: ignore[no-untyped-def]
    from django.utils import translation

    order = issue(filed_app, national_reviewer, article="Art. 13(2)", article_note="首页打卡")
    assert (order.article_ref, order.article_note) == ("13.2", "首页打卡")
    with translation.override("zh-hans"):
        assert order.article == "第十三条第二项（首页打卡）"
    with translation.override("en"):
        assert order.article == "Art. 13(2) (首页打卡)"
    with pytest.raises(WorkflowError) as refused:
        issue(filed_app, national_reviewer, article="打卡问题")
    assert [i.field for i in refused.value.items] == ["article"]


def test_the_order_history_names_states_not_codes(filed_app, national_reviewer, client_for, monday):  # type: ignore[no-untyped-def]
    order = issue(filed_app, national_reviewer)
    page = (
        client_for(national_reviewer)
        .get(reverse("supervision:order_detail", args=[order.pk]), {"lang": "en"})
        .content.decode()
    )
    history = page.split("→", 1)[1][:120]
    assert "Issued, awaiting the unit" in history and "issued<" not in history

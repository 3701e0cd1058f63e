"""The filing workflow through its services: every transition, clock, event and refusal."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.utils import translation

from govapp.core.models import Notification
from govapp.registry import services, workflow
from govapp.registry.changes import changes_take_effect
from govapp.registry.choices import AppKind, EventAction, FilingState, ProcedureKind
from govapp.registry.materials import Deficiency
from govapp.registry.models import App, Filing, FilingEvent, FilingNumber
from govapp.registry.services import WorkflowError
from tests.factories import attach_packages, complete_filing


@pytest.fixture(autouse=True)
def _workflow_only(without_technical_test):  # type: ignore[no-untyped-def]
    """The approval guard of the technical test is tested in tests/inspection."""


@pytest.fixture
def today(monkeypatch):  # type: ignore[no-untyped-def]
    """Pin 'today' to Monday 2026-09-28 so clocks cross the National Day holiday."""
    day = dt.date(2026, 9, 28)
    monkeypatch.setattr(workflow, "today", lambda: day)
    return day


def _to_national(filing: Filing, filer, reviewer) -> Filing:  # type: ignore[no-untyped-def]
    services.filing_submit(filing=filing, actor=filer)
    return services.filing_forward(filing=filing, actor=reviewer)


def test_submit_starts_the_provincial_clock_across_national_day(filer, provincial_reviewer, today):  # type: ignore[no-untyped-def]
    filing = services.filing_submit(filing=complete_filing(filer), actor=filer)
    assert filing.state == FilingState.PROVINCIAL_REVIEW
    assert filing.clock_limit == "N1"
    assert filing.clock_start == today
    assert filing.clock_due == dt.date(2026, 10, 16)  # Oct 1–7 off, Sat Oct 10 a make-up working day
    assert not filing.clock_provisional
    event = filing.events.get(action=EventAction.SUBMIT)
    assert (event.actor, event.from_state, event.to_state) == (filer, "draft", "provincial_review")
    assert event.data["clock"]["due"] == "2026-10-16"
    assert Notification.objects.filter(recipient=provincial_reviewer, due=dt.date(2026, 10, 16)).exists()


def test_incomplete_draft_is_refused_with_every_missing_item(filer):  # type: ignore[no-untyped-def]
    filing = services.filing_create(actor=filer, app_name="某应用", app_kind=AppKind.APP)
    with pytest.raises(WorkflowError) as info:
        services.filing_submit(filing=filing, actor=filer)
    fields = {item.field for item in info.value.items}
    assert {
        "responsible_name",
        "approval_doc_number",
        "platforms",
        "commitment_confirmed",
        "attachments",
    } <= fields
    filing.refresh_from_db()
    assert filing.state == FilingState.DRAFT


def test_central_ministry_submits_straight_to_national_review(ministry_filer, national_reviewer, today):  # type: ignore[no-untyped-def]
    filing = services.filing_submit(
        filing=complete_filing(ministry_filer, name="水利一张图"), actor=ministry_filer
    )
    assert filing.state == FilingState.NATIONAL_REVIEW
    assert filing.clock_limit == "N2"
    assert Notification.objects.filter(recipient=national_reviewer).exists()


def test_township_unit_needs_a_justification(township_filer):  # type: ignore[no-untyped-def]
    filing = complete_filing(township_filer, name="街道网格通")
    with pytest.raises(WorkflowError) as info:
        services.filing_submit(filing=filing, actor=township_filer)
    assert [i.field for i in info.value.items] == ["below_county_justification"]
    filing.below_county_justification = "应急值守需要，经区委同意"
    filing.save()
    assert services.filing_submit(filing=filing, actor=township_filer).state == FilingState.PROVINCIAL_REVIEW


def test_full_lifecycle_to_a_number(filer, provincial_reviewer, national_reviewer, today):  # type: ignore[no-untyped-def]
    filing = complete_filing(filer)
    services.filing_submit(filing=filing, actor=filer)
    services.filing_return_incomplete(
        filing=filing,
        actor=provincial_reviewer,
        items=[
            Deficiency("mlps_assessment", "MLPS", "请补充等级保护测评结论"),
            Deficiency("acceptance_content", "acceptance", "请补充验收内容"),
        ],
    )
    filing.refresh_from_db()
    assert filing.state == FilingState.RETURNED and filing.clock_due is None
    returned = filing.events.get(action=EventAction.RETURN_INCOMPLETE)
    assert [i["field"] for i in returned.data["items"]] == ["mlps_assessment", "acceptance_content"]

    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    services.filing_request_supplement(
        filing=filing, actor=national_reviewer, items=[Deficiency("main_functions", "f", "说明打卡功能")]
    )
    filing.refresh_from_db()
    assert filing.state == FilingState.AWAITING_SUPPLEMENT and filing.clock_limit == "N3"
    services.filing_supplement(filing=filing, actor=filer, statement="已补充说明")
    filing.refresh_from_db()
    assert filing.state == FilingState.NATIONAL_REVIEW and filing.clock_limit == "N2"

    services.filing_extend(
        filing=filing, actor=national_reviewer, reason="需要复杂技术检测", expected_date=dt.date(2026, 12, 30)
    )
    filing.refresh_from_db()
    assert filing.extended and filing.clock_due == dt.date(2026, 12, 30)

    services.filing_approve(filing=filing, actor=national_reviewer)
    app = App.objects.get(pk=filing.app_id)
    assert app.state == App.State.FILED
    assert app.current_number is not None
    assert app.current_number.number == f"浙政备{dt.date.today().year}000001A"
    assert app.android_package == "cn.gov.zj.example"
    actions = list(app.events.values_list("action", flat=True))
    assert actions == [
        "create", "submit", "return_incomplete", "submit", "forward", "request_supplement", "supplement",
        "extend", "approve",
    ]  # fmt: skip


def test_illegal_transition_is_a_readable_refusal(filer, national_reviewer):  # type: ignore[no-untyped-def]
    filing = complete_filing(filer)
    with translation.override("en"), pytest.raises(WorkflowError) as info:
        services.filing_approve(filing=filing, actor=national_reviewer)
    assert info.value.message == "Only a filing under national review can be approved; this one is “Draft”."


def test_outsiders_are_refused(filer, other_filer, far_filer, other_provincial_reviewer, provincial_reviewer):  # type: ignore[no-untyped-def]
    filing = complete_filing(filer)
    with pytest.raises(PermissionDenied):
        services.filing_submit(filing=filing, actor=other_filer)
    services.filing_submit(filing=filing, actor=filer)
    with pytest.raises(PermissionDenied):
        services.filing_forward(filing=filing, actor=other_provincial_reviewer)
    with pytest.raises(PermissionDenied):
        services.filing_forward(filing=filing, actor=far_filer)
    with pytest.raises(PermissionDenied):
        services.filing_approve(filing=filing, actor=provincial_reviewer)


def test_return_needs_a_consolidated_list(filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    filing = services.filing_submit(filing=complete_filing(filer), actor=filer)
    with pytest.raises(WorkflowError):
        services.filing_return_incomplete(filing=filing, actor=provincial_reviewer, items=[])
    filing.refresh_from_db()
    assert filing.state == FilingState.PROVINCIAL_REVIEW


def test_scheduled_abandonment_is_idempotent(filer, provincial_reviewer, national_reviewer, today):  # type: ignore[no-untyped-def]
    filing = _to_national(complete_filing(filer), filer, provincial_reviewer)
    services.filing_request_supplement(
        filing=filing, actor=national_reviewer, items=[Deficiency("om_rules", "o", "补充运维制度")]
    )
    filing.refresh_from_db()
    due = filing.clock_due
    assert due == dt.date(2026, 10, 16)
    assert services.filings_abandon_overdue(today=due) == 0  # the due day itself still counts
    assert services.filings_abandon_overdue(today=due + dt.timedelta(days=1)) == 1
    assert services.filings_abandon_overdue(today=due + dt.timedelta(days=1)) == 0
    filing.refresh_from_db()
    assert filing.state == FilingState.ABANDONED
    event = filing.events.get(action=EventAction.ABANDON)
    assert event.actor is None and "2026-10-16" in event.reason
    with pytest.raises(WorkflowError):
        services.filing_supplement(filing=filing, actor=filer, statement="迟到的补正")


def _filed(filer, provincial_reviewer, national_reviewer, **kwargs) -> App:  # type: ignore[no-untyped-def]
    filing = _to_national(complete_filing(filer, **kwargs), filer, provincial_reviewer)
    services.filing_approve(filing=filing, actor=national_reviewer)
    return App.objects.get(pk=filing.app_id)


def test_change_filing_keeps_the_number_and_records_the_diff(
    filer, provincial_reviewer, national_reviewer, today
):  # type: ignore[no-untyped-def]
    app = _filed(filer, provincial_reviewer, national_reviewer)
    number = app.current_number.number
    change = services.change_start(app=app, actor=filer)
    assert change.procedure == ProcedureKind.CHANGE and change.app_name == "浙政钉"
    change.app_name = "浙政钉2.0"
    change.change_description = "更名"
    change.change_effective_date = dt.date(2026, 10, 16)  # exactly N4 = 10 working days ahead
    change.save()
    from tests.factories import add_attachment

    add_attachment(change)

    attach_packages(change)
    services.filing_submit(filing=change, actor=filer)
    app.refresh_from_db()
    assert app.state == App.State.CHANGE_REVIEW
    services.filing_forward(filing=change, actor=provincial_reviewer)
    services.filing_approve(filing=change, actor=national_reviewer)
    app.refresh_from_db()
    assert app.state == App.State.FILED and app.name == "浙政钉"  # in effect from Oct 16 (test_change_timing)
    changes_take_effect(today=dt.date(2026, 10, 16))
    app.refresh_from_db()
    assert app.name == "浙政钉2.0"
    assert app.current_number.number == number
    diff = change.events.get(action=EventAction.APPROVE).data["diff"]
    assert diff == [{"field": "app_name", "label": diff[0]["label"], "old": "浙政钉", "new": "浙政钉2.0"}]


def test_change_filed_too_late_is_refused(filer, provincial_reviewer, national_reviewer, today):  # type: ignore[no-untyped-def]
    app = _filed(filer, provincial_reviewer, national_reviewer)
    change = services.change_start(app=app, actor=filer)
    change.change_description = "新增功能"
    change.change_effective_date = dt.date(2026, 10, 15)  # only 9 working days ahead
    change.save()
    from tests.factories import add_attachment

    add_attachment(change)

    attach_packages(change)
    with pytest.raises(WorkflowError) as info:
        services.filing_submit(filing=change, actor=filer)
    assert "2026-10-16" in info.value.message  # the earliest allowed effective date
    assert App.objects.get(pk=app.pk).state == App.State.FILED


def test_shutdown_then_deregistration_keeps_the_number_resolvable(
    filer, provincial_reviewer, national_reviewer, today
):  # type: ignore[no-untyped-def]
    app = _filed(filer, provincial_reviewer, national_reviewer)
    services.shutdown_announce(
        app=app, actor=filer, notice="本应用将于10月8日停止服务", offline_date=dt.date(2026, 9, 28)
    )
    app.refresh_from_db()
    assert app.state == App.State.SHUTDOWN_NOTICED
    assert app.deregistration_due == dt.date(2026, 10, 16)
    services.app_deregister(app=app, actor=filer, report="已于9月28日下线")
    app.refresh_from_db()
    assert app.state == App.State.DEREGISTERED
    assert FilingNumber.objects.get(pk=app.current_number_id).status == FilingNumber.Status.DEREGISTERED


def test_revocation_follows_a_failed_rectification_or_names_a_legal_basis(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, today
):
    app = _filed(filer, provincial_reviewer, national_reviewer)
    with pytest.raises(WorkflowError) as refused:
        services.app_revoke(app=app, actor=national_reviewer, reason="存在强制打卡")
    assert [item.field for item in refused.value.items] == ["basis"]
    with pytest.raises(WorkflowError):
        services.app_revoke(app=app, actor=national_reviewer, reason="存在强制打卡", basis="not_rectified")
    app.refresh_from_db()
    assert app.state == App.State.FILED

    services.app_revoke(
        app=app, actor=national_reviewer, reason="以虚假材料取得备案", basis="false_materials"
    )
    event = app.events.filter(action=EventAction.REVOKE).get()
    assert event.data == {"basis": "false_materials"} and event.reason == "以虚假材料取得备案"

    other = _filed(filer, provincial_reviewer, national_reviewer, name="另一应用")
    services.app_order_rectification(app=other, actor=national_reviewer, reason="存在强制打卡功能")
    services.app_revoke(app=other, actor=national_reviewer, reason="逾期未整改")
    assert other.events.filter(action=EventAction.REVOKE).get().data == {"basis": "not_rectified"}


def test_revocation_and_refiling_issue_a_new_number(filer, provincial_reviewer, national_reviewer, today):  # type: ignore[no-untyped-def]
    app = _filed(filer, provincial_reviewer, national_reviewer)
    first = app.current_number.number
    services.app_order_rectification(app=app, actor=national_reviewer, reason="存在强制打卡功能")
    services.app_revoke(app=app, actor=national_reviewer, reason="逾期未整改")
    app.refresh_from_db()
    assert app.state == App.State.REVOKED
    assert FilingNumber.objects.get(number=first).status == FilingNumber.Status.REVOKED
    refiling = services.refiling_start(app=app, actor=filer)
    from tests.factories import add_attachment

    add_attachment(refiling)

    attach_packages(refiling)
    _to_national(refiling, filer, provincial_reviewer)
    services.filing_approve(filing=refiling, actor=national_reviewer)
    app.refresh_from_db()
    assert app.state == App.State.FILED and app.current_number.number != first
    assert FilingNumber.objects.get(number=first).status == FilingNumber.Status.REVOKED


def test_events_are_append_only(filer):  # type: ignore[no-untyped-def]
    filing = complete_filing(filer)
    event = filing.events.get()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        FilingEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(TypeError):
        FilingEvent.objects.all().delete()


def test_state_field_is_protected(filer):  # type: ignore[no-untyped-def]
    filing = complete_filing(filer)
    with pytest.raises(AttributeError):
        filing.state = FilingState.FILED


def test_numbers_are_sequential_per_region_and_kind_letter(
    filer, ministry_filer, provincial_reviewer, national_reviewer, today
):  # type: ignore[no-untyped-def]
    a = _filed(filer, provincial_reviewer, national_reviewer, name="一号")
    b = _filed(filer, provincial_reviewer, national_reviewer, name="二号", kind=AppKind.MINI_PROGRAM)
    year = dt.date.today().year
    assert a.current_number.number == f"浙政备{year}000001A"
    assert b.current_number.number == f"浙政备{year}000002X"
    central = services.filing_submit(
        filing=complete_filing(ministry_filer, name="部委应用"), actor=ministry_filer
    )
    services.filing_approve(filing=central, actor=national_reviewer)
    assert App.objects.get(pk=central.app_id).current_number.number == f"国政备{year}000001A"


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_neither_collide_nor_skip(filer, provincial_reviewer, national_reviewer):  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are what this proves; SQLite serialises all writers")
    filings = [
        _to_national(complete_filing(filer, name=f"并发{i}"), filer, provincial_reviewer) for i in range(8)
    ]
    barrier = threading.Barrier(len(filings))
    errors: list[BaseException] = []

    def approve(filing: Filing) -> None:
        try:
            barrier.wait()
            services.filing_approve(filing=filing, actor=national_reviewer)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(f,)) for f in filings]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sequences = sorted(FilingNumber.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, len(filings) + 1))


def _subjects(user) -> list[str]:  # type: ignore[no-untyped-def]
    with translation.override("en"):
        return [n.subject_text for n in Notification.objects.filter(recipient=user).order_by("pk")]


def test_the_unit_and_the_forwarding_province_follow_the_national_review(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, other_provincial_reviewer, national_reviewer, today
):
    filing = complete_filing(filer, name="浙里办")
    _to_national(filing, filer, provincial_reviewer)
    assert any("forwarded to the national office" in s for s in _subjects(filer))
    services.filing_request_supplement(
        filing=filing, actor=national_reviewer, items=[Deficiency("main_functions", "f", "说明打卡功能")]
    )
    services.filing_supplement(filing=filing, actor=filer, statement="已补充说明")
    services.filing_extend(
        filing=filing, actor=national_reviewer, reason="需要复杂技术检测", expected_date=dt.date(2026, 12, 30)
    )
    services.filing_approve(filing=filing, actor=national_reviewer)
    province = _subjects(provincial_reviewer)
    assert [s.split(":")[0] for s in province[1:]] == [
        "Supplement requested on a filing you forwarded",
        "Review extended on a filing you forwarded",
        "A filing you forwarded is filed",
    ]
    assert _subjects(other_provincial_reviewer) == []


def test_a_central_filing_tells_no_province(ministry_filer, national_reviewer, provincial_reviewer, today):  # type: ignore[no-untyped-def]
    filing = complete_filing(ministry_filer)
    services.filing_submit(filing=filing, actor=ministry_filer)
    services.filing_approve(filing=filing, actor=national_reviewer)
    assert _subjects(provincial_reviewer) == []

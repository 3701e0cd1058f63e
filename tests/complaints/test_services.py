"""Matching, routing, the unfiled-app case, risk counts and the overdue time rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import override

from govapp.complaints import services
from govapp.complaints.choices import AppMatch, ComplaintAction
from govapp.complaints.models import Complaint, ComplaintEvent
from govapp.core.calendar import add_workdays
from govapp.core.models import Notification
from govapp.core.scheduler import apply_time_rules, time_rules
from govapp.registry import services as registry_services
from govapp.registry.models import App, FilingNumber
from tests.complaints.conftest import submit
from tests.public.builders import number_of


def test_routed_to_the_province_of_the_apps_unit(
    apps, provincial_reviewer, other_provincial_reviewer, national_reviewer
) -> None:
    complaint = submit(app_name="浙里打卡")
    assert complaint.app == apps.zj and complaint.match == AppMatch.EXACT_NAME
    assert complaint.province == "33" and not complaint.unfiled
    assert Notification.objects.filter(
        recipient=provincial_reviewer, url__contains=f"/{complaint.pk}/"
    ).exists()
    assert not Notification.objects.filter(
        recipient=other_provincial_reviewer, subject__contains=complaint.case_number
    ).exists()
    js = submit(app_name="苏政通")
    assert js.province == "32"


def test_central_apps_go_to_the_national_office(apps, national_reviewer) -> None:
    complaint = submit(app_name="水利一张图")
    assert complaint.app == apps.central and complaint.province == ""
    with override("en"):
        assert complaint.office_label == "National cyberspace office"
    assert Notification.objects.filter(
        recipient=national_reviewer, subject__contains=complaint.case_number
    ).exists()


def test_filing_number_matches_whatever_its_status(apps) -> None:
    number = number_of(apps.js)
    # The number's own status only (revocation itself belongs to the registry's tests).
    FilingNumber.objects.filter(number=number).update(status=FilingNumber.Status.REVOKED)
    complaint = submit(app_name="", filing_number=f" {number.lower()} ")
    assert (
        complaint.app == apps.js and complaint.match == AppMatch.FILING_NUMBER and complaint.province == "32"
    )


def test_similar_names_match_case_and_width_insensitively(apps) -> None:
    apps_js_name = "ＡＢＣ政务Ｐｌｕｓ"  # a full-width name, as some units type them
    App.objects.filter(pk=apps.js.pk).update(name=apps_js_name)
    complaint = submit(app_name="abc政务plus")
    assert complaint.app_id == apps.js.pk and complaint.match == AppMatch.SIMILAR_NAME


def test_unknown_app_is_an_unfiled_case_routed_by_the_named_province(apps, other_provincial_reviewer) -> None:
    national = submit(app_name="某某街道打卡宝")
    assert national.app is None and national.unfiled and national.province == ""
    local = submit(app_name="某某街道打卡宝", complainant_province="32")
    assert local.unfiled and local.province == "32" and local.match == AppMatch.NONE
    assert Notification.objects.filter(
        recipient=other_provincial_reviewer, subject__contains=local.case_number
    ).exists()


def test_unfiled_category_and_never_filed_apps_are_unfiled_cases(apps, filer) -> None:  # type: ignore[no-untyped-def]
    assert submit(app_name="浙里打卡", category="unfiled_app").unfiled
    # A draft never submitted is the unit's own: the complaint does not learn of it and is routed by the
    # complainant's province, as for any app not in the register.
    draft = submit(app_name="杭州草稿应用", category="forced_download", complainant_province="33")
    assert draft.app is None and draft.match == AppMatch.NONE and draft.unfiled and draft.province == "33"
    registry_services.filing_submit(filing=apps.draft.filings.get(), actor=filer)
    submitted = submit(app_name="杭州草稿应用", category="forced_download")
    assert submitted.app == apps.draft and submitted.unfiled and submitted.province == "33"


def test_ambiguous_names_keep_the_candidates(apps) -> None:
    assert submit(app_name="打卡").app == apps.zj  # the only name containing it
    App.objects.filter(pk=apps.central.pk).update(name="水利打卡")
    ambiguous = submit(app_name="打卡")
    assert ambiguous.app is None and ambiguous.match == AppMatch.AMBIGUOUS
    assert set(ambiguous.candidates) == {apps.zj.pk, apps.central.pk}
    assert not ambiguous.unfiled and ambiguous.province == ""
    narrowed = submit(app_name="打卡", complainant_province="33")
    assert narrowed.app == apps.zj and narrowed.province == "33"


def test_anonymous_complaints_keep_no_contact(apps) -> None:
    complaint = submit(anonymous=True, contact_name="张三", contact_phone="13800000000")
    assert complaint.contact_name == "" and complaint.contact_phone == ""


def test_open_complaint_counts(apps, provincial_reviewer) -> None:
    first = submit()
    submit()
    submit(app_name="水利一张图")
    services.complaint_close(complaint=first, actor=provincial_reviewer, outcome="已核实并责令整改。")
    counts = services.open_complaint_counts([apps.zj.pk, apps.central.pk, apps.js.pk])
    assert counts == {apps.zj.pk: 1, apps.central.pk: 1}
    assert services.open_complaint_counts([]) == {}


def test_due_date_counts_working_days(apps, settings) -> None:
    complaint = submit()
    assert complaint.due == add_workdays(timezone.localdate(), settings.GOVAPP_LIMITS["COMPLAINT"])


@pytest.fixture
def received_before_national_day(apps, monkeypatch):  # type: ignore[no-untyped-def]
    """A complaint received on Friday 2026-09-25: 15 working days skip the Golden Week (Oct 1–7)."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 9, 25))
    complaint = submit()
    monkeypatch.undo()
    return complaint


def test_due_date_skips_the_national_day_holiday(received_before_national_day) -> None:
    complaint = received_before_national_day
    # Sep 28, 29, 30 are working days, then Oct 1–7 off (Oct 10 a make-up Saturday): due well into October.
    assert complaint.due == add_workdays(dt.date(2026, 9, 25), 15)
    assert complaint.due > dt.date(2026, 10, 15)


def test_overdue_rule_flags_once_across_the_holiday(
    received_before_national_day, provincial_reviewer
) -> None:
    complaint = received_before_national_day
    assert "complaints_overdue" in time_rules()
    # On the due date itself nothing is overdue; a holiday in between changes nothing.
    assert services.complaints_mark_overdue(today=complaint.due) == 0
    assert services.complaints_mark_overdue(today=dt.date(2026, 10, 5)) == 0
    later = complaint.due + dt.timedelta(days=1)
    assert services.complaints_mark_overdue(today=later) == 1
    assert services.complaints_mark_overdue(today=later) == 0
    assert apply_time_rules(later + dt.timedelta(days=3))["complaints_overdue"] == 0
    events = ComplaintEvent.objects.filter(complaint=complaint, action=ComplaintAction.OVERDUE)
    assert events.count() == 1
    assert (
        Notification.objects.filter(
            recipient=provincial_reviewer, subject__contains=complaint.case_number
        ).count()
        == 2
    )
    assert Complaint.objects.get(pk=complaint.pk).overdue_flagged_at is not None


def test_closed_complaints_are_never_overdue(received_before_national_day, provincial_reviewer) -> None:
    complaint = received_before_national_day
    services.complaint_reject(
        complaint=complaint, actor=provincial_reviewer, reason="该应用为公众号，不属于政务应用程序。"
    )
    assert services.complaints_mark_overdue(today=complaint.due + dt.timedelta(days=30)) == 0

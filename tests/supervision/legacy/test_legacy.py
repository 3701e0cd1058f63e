"""The legacy-app deadline: status, overdue days, starting the filing, the reminder time rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from govapp.core.models import Notification
from govapp.core.scheduler import apply_time_rules, time_rules
from govapp.registry import services
from govapp.registry.choices import AppKind
from govapp.registry.models import App, Filing
from govapp.supervision.legacy import services as legacy
from govapp.supervision.legacy.models import LegacyApp, LegacyReminder
from tests.factories import COMPLETE_MATERIALS, add_attachment, attach_packages, complete_filing

MONDAY_AFTER = dt.date(2026, 8, 3)


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """Assertions read the English msgids, also once the zh-Hans catalogue is compiled."""
    with translation.override("en"):
        yield


def make_legacy(unit: Any, user: Any, *, name: str = "浙里办事", package: str = "cn.gov.zj.banshi",
                **fields: Any) -> LegacyApp:  # fmt: skip
    values = {"kind": AppKind.APP, "platforms": ["android"], "online_since": dt.date(2023, 5, 18), **fields}
    return LegacyApp.objects.create(unit=unit, name=name, android_package=package, created_by=user, **values)


def status(entry: LegacyApp) -> str:
    return legacy.status_of(LegacyApp.objects.get(pk=entry.pk))


def test_overdue_counts_calendar_and_working_days_from_the_deadline(db):
    assert not legacy.overdue_on(dt.date(2026, 7, 25)).is_overdue
    assert "Due 2026-07-25" in legacy.overdue_on(dt.date(2026, 7, 20)).describe()

    monday = legacy.overdue_on(MONDAY_AFTER)
    assert (monday.calendar_days, monday.working_days, monday.provisional) == (9, 6, False)
    # National Day 2026 (Oct 1–7 off, make-up Saturdays Sep 20 and Oct 10) is counted by the official calendar.
    after_holiday = legacy.overdue_on(dt.date(2026, 10, 8))
    assert (after_holiday.calendar_days, after_holiday.working_days) == (75, 49)
    assert "75" in after_holiday.describe() and "49" in after_holiday.describe()


def test_overdue_beyond_the_loaded_calendar_is_provisional(db):
    later = legacy.overdue_on(dt.date(2031, 1, 6))

    assert later.provisional and later.working_days > 0
    assert "provisional" in later.describe()


def test_start_filing_prefills_a_draft_and_status_follows_the_app(filer, provincial_reviewer, national_reviewer,
                                                                  without_technical_test):  # fmt: skip
    entry = make_legacy(
        filer.unit, filer, harmony_bundle="cn.gov.zj.banshi", platforms=["android", "harmonyos"]
    )
    assert status(entry) == legacy.STATUS_NOT_STARTED

    filing = legacy.legacy_start_filing(legacy=entry, actor=filer)

    entry.refresh_from_db()
    assert entry.app_id == filing.app_id and entry.filing_started_at is not None
    assert (filing.app_name, filing.android_package, filing.harmony_bundle) == (
        "浙里办事",
        "cn.gov.zj.banshi",
        "cn.gov.zj.banshi",
    )
    assert filing.platforms == ["android", "harmonyos"]
    assert status(entry) == legacy.STATUS_IN_PROGRESS
    with pytest.raises(services.WorkflowError, match="already in progress"):
        legacy.legacy_start_filing(legacy=entry, actor=filer)

    for key, value in COMPLETE_MATERIALS.items():
        if key not in ("platforms", "android_package", "harmony_bundle"):
            setattr(filing, key, value)
    filing.save()
    add_attachment(filing)
    attach_packages(filing)
    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    services.filing_approve(filing=filing, actor=national_reviewer)

    assert status(entry) == legacy.STATUS_FILED
    with pytest.raises(services.WorkflowError, match="already filed"):
        legacy.legacy_start_filing(legacy=entry, actor=filer)


def test_a_withdrawn_filing_counts_as_not_started_and_can_be_started_again(filer):
    entry = make_legacy(filer.unit, filer)
    first = legacy.legacy_start_filing(legacy=entry, actor=filer)
    services.filing_withdraw(filing=first, actor=filer)

    assert status(entry) == legacy.STATUS_NOT_STARTED
    second = legacy.legacy_start_filing(legacy=entry, actor=filer)
    entry.refresh_from_db()
    assert entry.app_id == second.app_id != first.app_id


def test_only_a_filer_of_the_unit_starts_the_filing(
    filer, other_filer, provincial_reviewer, national_reviewer
):
    entry = make_legacy(filer.unit, filer)
    for outsider in (other_filer, provincial_reviewer, national_reviewer):
        with pytest.raises(PermissionDenied):
            legacy.legacy_start_filing(legacy=entry, actor=outsider)
    assert LegacyApp.objects.get(pk=entry.pk).app_id is None


def test_an_app_the_unit_already_filed_is_linked_by_identifier(filer, provincial_reviewer, national_reviewer,
                                                              without_technical_test):  # fmt: skip
    filing = complete_filing(filer, name="浙政钉", android_package="cn.gov.zj.ding")
    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    services.filing_approve(filing=filing, actor=national_reviewer)
    entry = make_legacy(filer.unit, filer, name="浙政钉", package="cn.gov.zj.ding")

    assert legacy.link_registered_app(entry)
    assert status(entry) == legacy.STATUS_FILED
    assert not legacy.link_registered_app(entry)


def test_visibility_follows_unit_and_province(filer, other_filer, far_filer, provincial_reviewer,
                                              other_provincial_reviewer, national_reviewer, inspector, sysadmin):  # fmt: skip
    hz = make_legacy(filer.unit, filer)
    nj = make_legacy(far_filer.unit, far_filer, name="我的南京", package="cn.gov.nj.app")

    def seen(user: Any) -> set[int]:
        return set(legacy.visible_legacy(user).values_list("pk", flat=True))

    assert seen(filer) == {hz.pk}
    assert seen(other_filer) == set()
    assert seen(provincial_reviewer) == {hz.pk}
    assert seen(other_provincial_reviewer) == {nj.pk}
    assert seen(national_reviewer) == seen(inspector) == {hz.pk, nj.pk}
    assert seen(sysadmin) == set() and not legacy.can_list(sysadmin)


# ---------------------------------------------------------------- reminders


def submit_started(filing: Filing, filer: Any) -> None:
    """Complete and submit a filing started from a legacy entry: from then on the offices see it running
    (an unsubmitted draft is the unit's own)."""
    keep = {"app_name", "app_kind", "android_package"}
    for key, value in COMPLETE_MATERIALS.items():
        if key not in keep:
            setattr(filing, key, value)
    filing.save()
    add_attachment(filing)
    attach_packages(filing)
    services.filing_submit(filing=filing, actor=filer)


@pytest.fixture
def overdue_world(filer, far_filer, ministry_filer, provincial_reviewer, provincial_coreviewer,
                  other_provincial_reviewer, national_reviewer, without_technical_test):  # fmt: skip
    late = make_legacy(filer.unit, filer)
    running = make_legacy(filer.unit, filer, name="在办", package="cn.gov.zj.running")
    submit_started(legacy.legacy_start_filing(legacy=running, actor=filer), filer)
    Notification.objects.all().delete()  # the submission's notice to the offices: only reminders are counted
    central = make_legacy(ministry_filer.unit, ministry_filer, name="水利一张图", package="cn.gov.mwr.map")
    return {"late": late, "running": running, "central": central}


def test_reminder_rule_is_registered():
    assert "legacy_reminders" in time_rules()


def test_nothing_is_sent_before_the_deadline(overdue_world):
    assert legacy.legacy_reminders(today=dt.date(2026, 7, 24)) == 0
    assert not LegacyReminder.objects.exists()


def test_weekly_reminder_to_the_unit_and_monthly_summary_to_the_province(
    overdue_world,
    filer,
    provincial_reviewer,
    provincial_coreviewer,
    other_provincial_reviewer,
    national_reviewer,
    ministry_filer,
):
    sent = legacy.legacy_reminders(today=MONDAY_AFTER)

    # Weekly: the two apps not started (Hangzhou's and the ministry's); monthly: Zhejiang and central.
    assert sent == 4
    late = overdue_world["late"]
    reminder = Notification.objects.get(recipient=filer)
    assert reminder.url == reverse("supervision:legacy_detail", args=[late.pk])
    assert (
        "浙里办事" in reminder.subject and "2026-07-25" in reminder.body and "Start filing" in reminder.body
    )
    assert "9 calendar days" in reminder.body and "6 working days" in reminder.body
    assert reminder.due == dt.date(2026, 7, 25)
    assert not Notification.objects.filter(subject__contains="在办").exists()  # its filing is running
    assert Notification.objects.filter(recipient=ministry_filer, subject__contains="水利一张图").exists()

    summary = Notification.objects.get(recipient=provincial_reviewer)
    assert "1 app" in summary.subject and "杭州市数据资源管理局: 1 app" in summary.body
    assert "filing in progress: 1" in summary.body
    assert summary.url.endswith("?status=not_started&province=33")
    assert Notification.objects.filter(recipient=provincial_coreviewer).count() == 1
    assert not Notification.objects.filter(recipient=other_provincial_reviewer).exists()
    assert "水利部: 1 app" in Notification.objects.get(recipient=national_reviewer).body


def test_reminders_are_idempotent_per_week_and_month(overdue_world):
    assert apply_time_rules(MONDAY_AFTER)["legacy_reminders"] == 4
    count = Notification.objects.count()

    assert apply_time_rules(MONDAY_AFTER)["legacy_reminders"] == 0
    assert legacy.legacy_reminders(today=MONDAY_AFTER + dt.timedelta(days=2)) == 0
    assert Notification.objects.count() == count

    # Next week: the weekly reminders again, the monthly summary not (still August).
    assert legacy.legacy_reminders(today=MONDAY_AFTER + dt.timedelta(days=7)) == 2
    # September: both.
    assert legacy.legacy_reminders(today=dt.date(2026, 9, 1)) == 4


def test_no_reminder_during_an_official_holiday(overdue_world):
    """National Day 2026: nothing on Oct 5 (a day off); the first working day (Oct 8) sends week and month."""
    assert legacy.legacy_reminders(today=dt.date(2026, 9, 28)) == 4  # week 40, September
    assert legacy.legacy_reminders(today=dt.date(2026, 10, 5)) == 0
    assert legacy.legacy_reminders(today=dt.date(2026, 10, 8)) == 4  # week 41, October
    assert legacy.legacy_reminders(today=dt.date(2026, 10, 10)) == 0  # make-up Saturday, same week


def test_an_app_whose_filing_started_is_no_longer_reminded(overdue_world, filer):
    assert legacy.legacy_reminders(today=MONDAY_AFTER) == 4
    legacy.legacy_start_filing(legacy=overdue_world["late"], actor=filer)

    # Next week only the ministry's app is still not started.
    assert legacy.legacy_reminders(today=MONDAY_AFTER + dt.timedelta(days=7)) == 1
    assert (
        Notification.objects.filter(recipient=filer, subject__startswith="Legacy app not filed").count() == 1
    )


@pytest.mark.django_db
def test_overdue_working_days_in_a_year_without_its_notice_skip_the_statutory_holidays() -> None:
    from govapp.supervision.legacy.services import overdue_on

    before = overdue_on(dt.date(2026, 12, 31))
    after = overdue_on(dt.date(2027, 1, 4))  # New Year's Day off, then a weekend
    assert (before.provisional, after.provisional) == (False, True)
    assert after.working_days == before.working_days + 1


def test_the_daily_link_of_filed_apps_is_set_based(filer, other_filer, national_reviewer, db):  # type: ignore[no-untyped-def]
    """The time rule links legacy rows to apps their units filed the ordinary way with the same queries for 3
    and 30 unlinked rows, and as row by row would: the newest matching app of the unit, by the app's own
    identifier or one of its filings', never an app of another unit or one already linked."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def filed(unit: Any, package: str) -> App:
        return App.objects.create(unit=unit, name=package, kind=AppKind.APP, state=App.State.FILED,
                                  android_package=package)  # fmt: skip

    def run() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            linked = legacy.link_registered_apps()
        return linked, len(queries)

    rows = [make_legacy(filer.unit, filer, name=f"旧应用{n}", package=f"cn.gov.zj.old{n}") for n in range(3)]
    apps = [filed(filer.unit, f"cn.gov.zj.old{n}") for n in range(3)]
    small = run()
    assert small[0] == 3
    assert [LegacyApp.objects.get(pk=r.pk).app_id for r in rows] == [a.pk for a in apps]
    rows = [
        make_legacy(other_filer.unit, other_filer, name=f"旧{n}", package=f"cn.gov.nb.old{n}")
        for n in range(30)
    ]
    for n in range(30):
        filed(other_filer.unit, f"cn.gov.nb.old{n}")
    newer = filed(other_filer.unit, "cn.gov.nb.old0")  # the newest app with that package wins
    filed(filer.unit, "cn.gov.nb.old1")  # another unit's app never does
    large = run()
    assert large == (30, small[1])
    assert LegacyApp.objects.get(pk=rows[0].pk).app_id == newer.pk
    assert LegacyApp.objects.get(pk=rows[1].pk).app.unit_id == other_filer.unit_id
    assert run()[0] == 0  # nothing left to link

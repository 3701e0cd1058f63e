"""A filing's and an app's provisional clocks are recounted when the year's notice is imported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from govapp.core import calendar
from govapp.core.calendar_import import import_notice
from govapp.core.models import DeadlineRevision
from govapp.registry import services, standing
from govapp.registry.models import App, Filing
from tests.factories import complete_filing
from tests.supervision.enforcement.test_rectification import file_app

NOTICE_2027 = (Path(__file__).parents[1] / "core" / "data" / "notice_2027.txt").read_text(encoding="utf-8")
# Monday before the 2027 Spring Festival: the estimate has Feb 5–10 off, the notice Feb 5–13 with the
# Sunday Feb 14 and Saturday Feb 20 worked, so ten working days end on Feb 19 (estimate) or Feb 20.
MONDAY = dt.date(2027, 2, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _before_the_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    calendar.clear_cache()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: MONDAY)


def test_a_submitted_filing_gets_the_official_due_date(filer) -> None:  # type: ignore[no-untyped-def]
    filing = complete_filing(filer)
    services.filing_submit(filing=filing, actor=filer)
    filing.refresh_from_db()
    assert (filing.clock_limit, filing.clock_due, filing.clock_provisional) == (
        "N1",
        dt.date(2027, 2, 19),
        True,
    )
    _arrangement, result = import_notice(NOTICE_2027)
    filing.refresh_from_db()
    assert (filing.clock_due, filing.clock_provisional) == (dt.date(2027, 2, 20), False)
    revision = DeadlineRevision.objects.get(owner="registry.Filing", object_id=filing.pk)
    assert (revision.limit, revision.old_due, revision.new_due) == (
        "N1",
        dt.date(2027, 2, 19),
        dt.date(2027, 2, 20),
    )
    assert any(change.object_id == filing.pk for change in result.clocks)


def test_an_extended_review_keeps_the_date_the_office_chose(filer) -> None:  # type: ignore[no-untyped-def]
    filing = complete_filing(filer)
    services.filing_submit(filing=filing, actor=filer)
    Filing.objects.filter(pk=filing.pk).update(extended=True, clock_due=dt.date(2027, 3, 31))
    import_notice(NOTICE_2027)
    filing.refresh_from_db()
    assert filing.clock_due == dt.date(2027, 3, 31)


def test_the_offline_report_limit_is_recounted(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, without_technical_test
) -> None:
    app = file_app(filer, provincial_reviewer, national_reviewer)
    standing.shutdown_announce(
        app=app, actor=filer, notice="https://example.gov.cn/notice", offline_date=MONDAY
    )
    app.refresh_from_db()
    assert (app.deregistration_due, app.deregistration_due_provisional) == (dt.date(2027, 2, 19), True)
    import_notice(NOTICE_2027)
    app = App.objects.get(pk=app.pk)
    assert (app.deregistration_due, app.deregistration_due_provisional) == (dt.date(2027, 2, 20), False)
    assert DeadlineRevision.objects.filter(owner="registry.App", object_id=app.pk).count() == 1

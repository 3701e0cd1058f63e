"""Rectification orders and campaigns started before the year's notice are recounted when it is imported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from govapp.core import calendar
from govapp.core.calendar_import import import_notice
from govapp.core.models import DeadlineRevision
from govapp.supervision.campaigns import selfcheck
from govapp.supervision.models import RectificationOrder
from tests.supervision.campaigns.test_campaigns import create, two_apps  # noqa: F401  (fixture)
from tests.supervision.enforcement.test_rectification import file_app, issue

NOTICE_2027 = (Path(__file__).parents[1] / "core" / "data" / "notice_2027.txt").read_text(encoding="utf-8")
MONDAY = dt.date(
    2027, 2, 1
)  # before the 2027 Spring Festival (see tests/registry/test_provisional_clocks.py)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _before_the_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    calendar.clear_cache()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: MONDAY)


def test_an_open_rectification_order_is_recounted(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, without_technical_test
) -> None:
    order = issue(file_app(filer, provincial_reviewer, national_reviewer), national_reviewer, workdays=10)
    assert (order.due, order.due_provisional) == (dt.date(2027, 2, 19), True)
    import_notice(NOTICE_2027)
    order = RectificationOrder.objects.get(pk=order.pk)
    assert (order.due, order.due_provisional) == (dt.date(2027, 2, 20), False)
    revision = DeadlineRevision.objects.get(owner="supervision.RectificationOrder", object_id=order.pk)
    assert (revision.old_due, revision.new_due) == (dt.date(2027, 2, 19), dt.date(2027, 2, 20))


def test_open_campaigns_are_recounted(two_apps, national_reviewer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    spot = create(national_reviewer)
    assert (spot.due, spot.due_provisional) == (dt.date(2027, 2, 12), True)  # five working days, estimated
    inspection = selfcheck.selfcheck_launch(actor=national_reviewer, title="自查", provinces=["33"])
    assert inspection.due_provisional
    import_notice(NOTICE_2027)
    spot.refresh_from_db()
    inspection.refresh_from_db()
    assert (spot.due, spot.due_provisional) == (dt.date(2027, 2, 15), False)  # Sunday Feb 14 is worked
    assert inspection.due_provisional is False
    assert DeadlineRevision.objects.filter(owner="supervision.SpotCheckCampaign", object_id=spot.pk).exists()
    assert DeadlineRevision.objects.filter(
        owner="supervision.SelfInspectionCampaign", object_id=inspection.pk
    ).exists()

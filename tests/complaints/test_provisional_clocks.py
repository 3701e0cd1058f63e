"""A complaint received before the year's notice gets its official handling deadline when it is imported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from govapp.complaints import services
from govapp.complaints.models import Complaint
from govapp.core import calendar
from govapp.core.calendar_import import import_notice
from govapp.core.models import DeadlineRevision

NOTICE_2027 = (Path(__file__).parents[1] / "core" / "data" / "notice_2027.txt").read_text(encoding="utf-8")
MONDAY = dt.date(2027, 2, 1)

pytestmark = pytest.mark.django_db


def test_an_open_complaint_is_recounted_and_a_closed_one_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    calendar.clear_cache()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: MONDAY)
    complaint = services.complaint_submit(category="other", description="每天要求打卡签到，否则扣分")
    closed = services.complaint_submit(category="other", description="另一件已经办结的投诉")
    Complaint.objects.filter(pk=closed.pk).update(status="closed")
    assert complaint.due_provisional
    import_notice(NOTICE_2027)
    complaint = Complaint.objects.get(pk=complaint.pk)
    closed = Complaint.objects.get(pk=closed.pk)
    assert complaint.due_provisional is False
    assert closed.due_provisional is True  # a finished case keeps what was computed then
    assert DeadlineRevision.objects.filter(owner="complaints.Complaint", object_id=complaint.pk).exists()
    assert not DeadlineRevision.objects.filter(owner="complaints.Complaint", object_id=closed.pk).exists()

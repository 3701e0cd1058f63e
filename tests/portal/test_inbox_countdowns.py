"""An inbox entry counts down only while the step it announced is still running."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from govapp.core.models import Notification
from govapp.registry import services, standing
from govapp.registry.views.clock import deregistration_clock
from govapp.supervision.enforcement import rectification
from tests.factories import complete_filing
from tests.supervision.enforcement.test_rectification import file_app, issue

pytestmark = pytest.mark.django_db


def _inbox(client: Any) -> str:
    client.cookies["django_language"] = "en"
    return client.get(reverse("portal:inbox")).content.decode()


def test_an_extended_review_stops_counting_once_decided(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, without_technical_test, client_for
) -> None:
    filing = complete_filing(filer)
    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    services.filing_extend(
        filing=filing, actor=national_reviewer, reason="复杂", expected_date=dt.date(2027, 3, 31)
    )
    assert Notification.objects.filter(recipient=filer, due=dt.date(2027, 3, 31)).exists()
    assert "working days left" in _inbox(client_for(filer)) or "working days overdue" in _inbox(
        client_for(filer)
    )
    services.filing_approve(filing=filing, actor=national_reviewer)
    page = _inbox(client_for(filer))
    assert "due 2027-03-31" in page
    assert "working days left" not in page and "working days overdue" not in page


def test_an_answered_order_stops_counting(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, without_technical_test, client_for
) -> None:
    app = file_app(filer, provincial_reviewer, national_reviewer)
    issue(app, national_reviewer)  # first order: the registry notifies the unit
    order = issue(app, national_reviewer)  # a second one: supervision notifies, with the due date
    assert "working day" in _inbox(client_for(filer))
    rectification.rectification_answer(order=order, actor=filer, statement="已删除打卡功能")
    first = app.rectification_orders.exclude(pk=order.pk).get()
    rectification.rectification_answer(order=first, actor=filer, statement="已删除打卡功能")
    page = _inbox(client_for(filer))
    assert "working days left" not in page and "working days overdue" not in page


def test_a_deregistered_app_has_no_offline_report_clock(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, without_technical_test
) -> None:
    app = file_app(filer, provincial_reviewer, national_reviewer)
    standing.shutdown_announce(
        app=app, actor=filer, notice="本应用将停止服务", offline_date=dt.date(2026, 10, 9)
    )
    app.refresh_from_db()
    assert deregistration_clock(app) is not None
    standing.app_deregister(app=app, actor=filer, report="已于10月9日下线并告知用户")
    app.refresh_from_db()
    assert deregistration_clock(app) is None

"""The rectification pages count down a deadline that lies ahead, even where it is provisional."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from govapp.core import calendar
from tests.supervision.enforcement.test_rectification import file_app, issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client_for, settings):  # type: ignore[no-untyped-def]
    def make(user: Any) -> Any:
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def provisional_order(filer, provincial_reviewer, national_reviewer, without_technical_test, monkeypatch):  # type: ignore[no-untyped-def]
    """An order issued on Monday 2026-12-14 with 20 working days: due in January 2027, not loaded yet."""
    calendar.clear_cache()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 12, 14))
    order = issue(file_app(filer, provincial_reviewer, national_reviewer), national_reviewer, workdays=20)
    assert order.due_provisional
    return order


def test_detail_counts_down_a_provisional_deadline_ahead(provisional_order, filer, en) -> None:  # type: ignore[no-untyped-def]
    page = en(filer).get(reverse("supervision:order_detail", args=[provisional_order.pk])).content.decode()
    assert "20 working days left" in page
    assert "overdue by" not in page


def test_list_counts_down_a_provisional_deadline_ahead(provisional_order, filer, en) -> None:  # type: ignore[no-untyped-def]
    page = en(filer).get(reverse("supervision:order_list")).content.decode()
    assert "20 working days left" in page
    assert "overdue by" not in page


def test_an_overdue_order_says_by_how_many_days(provisional_order, filer, en, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Three estimated working days after the due date.
    late = calendar.deadline_for("RECTIFY", provisional_order.due, days=3).due
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: late)
    page = en(filer).get(reverse("supervision:order_detail", args=[provisional_order.pk])).content.decode()
    assert "overdue by 3 working days" in page

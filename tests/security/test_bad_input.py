"""Hostile or broken input gives a clear 4xx (or the right answer), never a 500 or a page that hangs."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from govapp.core.calendar import countdown
from govapp.registry.forms import MAX_DEFICIENCY_ITEMS
from tests.factories import complete_filing

from .conftest import english

pytestmark = pytest.mark.django_db


def test_invisible_characters_around_a_filing_number_still_verify(filed_app):
    """A scanner's NUL or zero-width space is not part of the number (and PostgreSQL refuses NUL: a 500)."""
    number = filed_app.current_number.number
    client = Client()
    assert client.get(f"/verify/{quote(number + chr(0))}/").status_code == 200
    assert client.get(f"/verify/{quote(chr(0x200B) + number)}/").status_code == 200
    api = client.get(f"/api/v1/public/filings/{quote(number + chr(0))}")
    assert api.status_code == 200 and api.json()["number"] == number
    found = client.get("/api/v1/public/filings", {"q": "浙政钉\x00"})
    assert found.status_code == 200 and found.json()["count"] == 1
    assert client.get("/api/v1/public/filings", {"q": "\x00"}).status_code == 200
    assert client.get(f"/verify/{quote(chr(0))}/").status_code == 404


def test_nul_in_the_filing_list_search_is_ignored(filer, national_reviewer, client_for):
    complete_filing(filer, name="浙政钉")
    response = client_for(filer).get("/filings/", {"q": "浙政钉\x00"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1
    listing = client_for(national_reviewer).get("/filings/", {"q": "a\x00b", "province": "\x00"})
    assert listing.status_code == 200
    assert listing.context["criteria"].q == "ab"


def test_shutdown_date_at_the_end_of_the_calendar_is_refused_not_a_crash(filed_app, filer, client_for):
    client = english(client_for(filer))
    for date in ("9999-12-31", (timezone.localdate() + dt.timedelta(days=400)).isoformat()):
        response = client.post(
            f"/filings/apps/{filed_app.pk}/shutdown/", {"notice": "本应用将停止服务", "offline_date": date}
        )
        assert response.status_code == 400
        assert "at most one year ahead" in response.content.decode()
    filed_app.refresh_from_db()
    assert filed_app.state == "filed"


def test_review_extension_cannot_reach_centuries_ahead(in_national_review, national_reviewer, client_for):
    client = english(client_for(national_reviewer))
    response = client.post(
        f"/filings/{in_national_review.pk}/extend/", {"reason": "情况复杂", "expected_date": "9999-12-31"}
    )
    assert response.status_code == 400
    assert "at most one year ahead" in response.content.decode()
    in_national_review.refresh_from_db()
    assert not in_national_review.extended


def test_forged_formset_count_builds_no_more_than_the_maximum(
    in_national_review, national_reviewer, client_for
):
    response = client_for(national_reviewer).post(
        f"/filings/{in_national_review.pk}/request-supplement/",
        {"note": "", "items-TOTAL_FORMS": "100000", "items-INITIAL_FORMS": "0",
         "items-0-field": "app_name", "items-0-message": "补充"},
    )  # fmt: skip
    assert response.status_code == 400
    assert len(response.context["formset"].forms) <= MAX_DEFICIENCY_ITEMS


def test_a_countdown_to_a_date_decades_away_is_provisional_and_bounded():
    # 2026-01-05 is a Monday; 1000 whole weeks later 5000 weekdays have passed, fewer working days.
    far = countdown(dt.date(2026, 1, 5) + dt.timedelta(weeks=1000), today=dt.date(2026, 1, 5))
    assert far.provisional is True
    assert 4500 < far.days_left < 5000

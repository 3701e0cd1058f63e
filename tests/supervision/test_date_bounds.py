"""Dates typed into supervision forms are bounded: absurd years give a clear field error, never a 500 or
a working-day count over centuries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from govapp.supervision.enforcement import rectification
from govapp.supervision.legacy.forms import LegacyAppForm
from tests.supervision.enforcement.test_rectification import file_app, issue

ABSURD = ["9999-12-31", "0001-01-01"]


@pytest.fixture
def en(client_for, settings):  # type: ignore[no-untyped-def]
    def make(user: Any) -> Any:
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def order(filer, provincial_reviewer, national_reviewer, without_technical_test):  # type: ignore[no-untyped-def]
    return issue(file_app(filer, provincial_reviewer, national_reviewer), national_reviewer)


def _error_for(value: str) -> str:
    return "Choose a date after today" if value.startswith("0001") else "at most one year ahead"


@pytest.mark.parametrize("value", ABSURD)
def test_extension_request_date_is_bounded(order, filer, en, value):  # type: ignore[no-untyped-def]
    response = en(filer).post(
        reverse("supervision:order_action", args=[order.pk, "extension"]),
        {"reason": "需要重新招标", "wanted_due": value},
    )
    assert response.status_code == 400 and _error_for(value) in response.content.decode()
    assert not order.extensions.exists()


@pytest.mark.parametrize("value", ABSURD)
def test_reject_new_due_is_bounded(order, filer, national_reviewer, en, value):  # type: ignore[no-untyped-def]
    rectification.rectification_answer(order=order, actor=filer, statement="已删除打卡功能")
    response = en(national_reviewer).post(
        reverse("supervision:order_action", args=[order.pk, "reject"]),
        {"reasons": "仍有打卡入口", "new_due": value},
    )
    assert response.status_code == 400 and _error_for(value) in response.content.decode()
    order.refresh_from_db()
    assert order.state == "answered"


@pytest.mark.parametrize("value", ABSURD)
def test_extension_decision_due_is_bounded(order, filer, national_reviewer, en, value):  # type: ignore[no-untyped-def]
    wanted = timezone.localdate() + dt.timedelta(days=60)
    request = rectification.extension_request(order=order, actor=filer, reason="需要时间", wanted_due=wanted)
    response = en(national_reviewer).post(
        reverse("supervision:order_action", args=[order.pk, "decide-extension"]),
        {"decision": "grant", "due": value, "note": ""},
    )
    assert response.status_code == 400 and _error_for(value) in response.content.decode()
    request.refresh_from_db()
    assert request.status == request.Status.PENDING


def test_a_date_within_a_year_is_accepted(order, filer, en):  # type: ignore[no-untyped-def]
    wanted = timezone.localdate() + dt.timedelta(days=300)
    response = en(filer).post(
        reverse("supervision:order_action", args=[order.pk, "extension"]),
        {"reason": "需要重新招标", "wanted_due": wanted.isoformat()},
    )
    assert response.status_code == 302
    assert order.extensions.get().wanted_due == wanted


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9999-12-31", "Only apps online before 2026-01-25"),
        ("9999年12月31日", "Only apps online before 2026-01-25"),
        ("0001-01-01", "a date from 2000 onwards"),
    ],
)
def test_legacy_online_since_is_bounded(filer, value, message, settings):  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        form = LegacyAppForm(
            {"name": "老应用", "kind": "app", "platforms": ["android"], "android_package": "cn.gov.old",
             "online_since": value, "monthly_active_users": "10", "contact": "张三 0571-1234567"},
            user=filer, unit=filer.unit,
        )  # fmt: skip
        assert not form.is_valid()
        assert message in " ".join(form.errors["online_since"])

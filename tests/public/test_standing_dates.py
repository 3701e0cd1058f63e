"""What the public learns of an app's standing beyond "valid": a shutdown notice, the date of revocation
or deregistration, and that the QR code is for display only while the number is valid."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from govapp.registry import services
from tests.public.builders import Register, number_of

pytestmark = pytest.mark.django_db
QR_CAPTION = "QR code of this filing, for display in the app."


def card(number: str) -> str:
    response = Client().get(f"/verify/{quote(number)}/", {"lang": "en"})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def shutdown_announced(register: Register, filer):  # type: ignore[no-untyped-def]
    offline = timezone.localdate() + dt.timedelta(days=30)
    services.shutdown_announce(
        app=register.filed, actor=filer, notice="https://hz.gov.cn/notice/1", offline_date=offline
    )
    return register.filed, offline


def test_an_announced_shutdown_is_on_the_card_with_both_dates(shutdown_announced) -> None:  # type: ignore[no-untyped-def]
    app, offline = shutdown_announced
    html = card(number_of(app))
    # Still valid until deregistration, but no longer "may be operated" without a word about it.
    assert 'data-status="valid"' in html and 'data-shutdown="announced"' in html
    assert "may be operated" not in html and "announced that it will shut down" in html
    assert f'data-date="shutdown_announced_on">{timezone.localdate():%Y-%m-%d}<' in html
    assert f'data-date="planned_offline_date">{offline:%Y-%m-%d}<' in html
    assert QR_CAPTION in html  # the number is still valid: the app still shows its code


def test_the_register_marks_an_announced_shutdown(shutdown_announced) -> None:  # type: ignore[no-untyped-def]
    app, offline = shutdown_announced
    html = Client().get("/register/", {"lang": "en", "q": app.name}).content.decode()
    assert 'data-shutdown="announced"' in html and f"offline on {offline:%Y-%m-%d}" in html


@pytest.mark.parametrize("which", ["revoked", "deregistered"])
def test_revoked_and_deregistered_cards_give_the_date_and_no_display_qr(
    register: Register, which: str
) -> None:
    html = card(number_of(getattr(register, which)))
    assert f'data-date="{which}_on">{timezone.localdate():%Y-%m-%d}<' in html
    assert QR_CAPTION not in html and "<svg" not in html


def test_a_superseded_number_offers_no_display_qr(register: Register) -> None:
    html = card(register.first_number)
    assert 'data-status="superseded"' in html and QR_CAPTION not in html and "<svg" not in html


def test_a_valid_card_has_no_standing_dates(register: Register) -> None:
    html = card(number_of(register.filed))
    assert "data-date=" not in html and 'data-shutdown="announced"' not in html and QR_CAPTION in html


def test_the_chinese_card_uses_the_regulations_words(shutdown_announced) -> None:  # type: ignore[no-untyped-def]
    app, offline = shutdown_announced
    html = Client().get(f"/verify/{quote(number_of(app))}/").content.decode()
    assert "下线公告" in html and f"{offline:%Y-%m-%d} 下线" in html and "注销" in html

"""Lockout after repeated wrong passwords: refused even with the right one, shown, and lifted by an admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_forty_wrong_passwords_then_the_right_one_does_not_sign_in(filer: Any, settings: Any) -> None:
    client = Client()
    for _ in range(40):
        assert _sign_in(client, filer.username, "wrong-password").status_code in (200, 429)
    page = _sign_in(client, filer.username, PASSWORD)
    assert page.status_code == 429
    assert not _signed_in(client)
    # Nor from another address: the account itself is locked.
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert _sign_in(elsewhere, filer.username, PASSWORD).status_code == 429
    assert not _signed_in(elsewhere)


def test_the_failure_limit_is_a_setting(filer: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    assert _sign_in(client, filer.username, "wrong-password").status_code == 200  # the form again
    assert _sign_in(client, filer.username, "wrong-password").status_code == 429
    assert _sign_in(client, filer.username, PASSWORD).status_code == 429


def test_below_the_limit_the_right_password_works_and_clears_the_count(filer: Any, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, filer.username, "wrong-password")
    assert _sign_in(client, filer.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=filer.username).exists()


def test_the_lockout_page_says_until_when_and_whom_to_ask(filer: Any, settings: Any) -> None:
    settings.GOVAPP_SIGNIN_HELP = "信息中心 0571-12345678"
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page = _sign_in(client, filer.username, "wrong-password")
    text = page.content.decode()
    attempt = AccessAttempt.objects.get(username=filer.username)
    until = timezone.localtime(attempt.attempt_time + settings.AXES_COOLOFF_TIME).strftime("%Y-%m-%d %H:%M")
    assert page.status_code == 429
    assert "登录已锁定" in text and until in text and "信息中心 0571-12345678" in text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _sign_in(client, filer.username, PASSWORD).content.decode()
    assert "Locked until" in english and "system administrator" in english


def test_the_lockout_ends_after_the_cool_off(filer: Any, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, filer.username, "wrong-password")
    AccessAttempt.objects.update(
        attempt_time=dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    )
    assert _sign_in(client, filer.username, PASSWORD).status_code == 302


def test_an_admin_sees_and_lifts_the_lockout(filer: Any, sysadmin: Any, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, filer.username, "wrong-password")
    admin = login(sysadmin)
    page = admin.get(reverse("accounts:admin_lockouts"))
    assert f'data-lockout="{filer.username}"' in page.content.decode()
    attempt = AccessAttempt.objects.get(username=filer.username)
    lifted = admin.post(reverse("accounts:admin_lockout_lift", args=[attempt.pk]), follow=True)
    assert "已解除锁定" in lifted.content.decode()
    assert f'data-lockout="{filer.username}"' not in lifted.content.decode()
    assert _sign_in(client, filer.username, PASSWORD).status_code == 302


def test_only_admins_see_or_lift_lockouts(filer: Any, national_reviewer: Any, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, filer.username, "wrong-password")
    attempt = AccessAttempt.objects.get(username=filer.username)
    reviewer = login(national_reviewer)
    assert reviewer.get(reverse("accounts:admin_lockouts")).status_code == 403
    assert reviewer.post(reverse("accounts:admin_lockout_lift", args=[attempt.pk])).status_code == 403
    assert Client().post(reverse("accounts:admin_lockout_lift", args=[attempt.pk])).status_code == 302
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert _sign_in(client, filer.username, PASSWORD).status_code == 429


def test_one_address_trying_many_accounts_is_locked_too(filer: Any, other_filer: Any, settings: Any) -> None:
    client = Client(REMOTE_ADDR="10.9.9.9")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, f"guess{n}", "wrong-password")
    assert _sign_in(client, other_filer.username, PASSWORD).status_code == 429
    # Another address signs in as usual.
    assert _sign_in(Client(REMOTE_ADDR="10.9.9.10"), other_filer.username, PASSWORD).status_code == 302

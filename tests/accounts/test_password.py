"""Working-day sessions, password change, and password reset by e-mail in the account holder's language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "A-new-passphrase-2026"


def _sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_session_lasts_a_working_day(filer: Any, settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 10 * 3600
    client = Client()
    _sign_in(client, filer.username, PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 10 * 3600


def test_the_session_can_end_with_the_browser(filer: Any, settings: Any) -> None:
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    client = Client()
    _sign_in(client, filer.username, PASSWORD)
    assert not client.cookies[settings.SESSION_COOKIE_NAME]["max-age"]


def test_change_password_in_the_ui(filer: Any) -> None:
    client = login(filer)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    wrong = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    done = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_change_done")
    assert client.get(reverse("portal:home")).status_code == 200  # this session stays signed in
    assert _sign_in(Client(), filer.username, PASSWORD).status_code == 200  # the old one no longer works
    assert _sign_in(Client(), filer.username, NEW_PASSWORD).status_code == 302


def _reset_link() -> str:
    (message,) = mail.outbox
    match = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_by_e_mail_in_chinese_by_default(filer: Any) -> None:
    client = Client()
    sent = client.post(reverse("accounts:password_reset"), {"email": filer.email})
    assert sent.status_code == 302 and sent["Location"] == reverse("accounts:password_reset_done")
    (message,) = mail.outbox
    assert message.to == [filer.email]
    assert "重置密码" in message.subject and "政务应用程序规范化管理系统" in message.body
    link = _reset_link()
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "设置新密码" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_complete")
    assert _sign_in(Client(), filer.username, NEW_PASSWORD).status_code == 302
    # The link works once.
    again = Client().get(link, follow=True)
    assert "该链接已失效" in again.content.decode()


def test_the_reset_e_mail_follows_the_account_holders_language(filer: Any) -> None:
    client = login(filer)
    client.post(reverse("accounts:security"), {"language": "en"})
    filer.refresh_from_db()
    assert filer.language == "en"
    # Asked for from a Chinese page, written in English: the person chose English for e-mails.
    Client().post(reverse("accounts:password_reset"), {"email": filer.email})
    (message,) = mail.outbox
    assert "Reset your password" in message.subject
    assert "Someone asked to reset the password" in message.body


def test_an_unknown_address_gets_the_same_answer_and_no_mail(filer: Any) -> None:
    sent = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.gov.cn"})
    assert sent.status_code == 302 and sent["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_reset_lifts_the_lockout_of_the_account(filer: Any, settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), filer.username, "wrong-password")
    assert AccessAttempt.objects.filter(username=filer.username).exists()
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": filer.email})
    form = client.get(_reset_link(), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert _sign_in(Client(), filer.username, NEW_PASSWORD).status_code == 302


def test_the_security_page_shows_the_second_factor_state(national_reviewer: Any, filer: Any) -> None:
    page = login(national_reviewer).get(reverse("accounts:security")).content.decode()
    assert "已绑定身份验证器应用" in page and "恢复码" in page
    page = login(filer).get(reverse("accounts:security")).content.decode()
    assert "可自愿启用" in page

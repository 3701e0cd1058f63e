"""What every page carries: our CSRF failure page, the site icon, a navigation without duplicates."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.registry.test_views_helpers import as_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "title", "advice"),
    [
        ("zh-hans", "表单已失效", "请返回并刷新页面后重新提交"),
        ("en", "The form has expired", "reload the page"),
    ],
)
def test_a_csrf_failure_is_our_page_in_the_users_language(lang: str, title: str, advice: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = lang
    response = client.post(
        reverse("accounts:login"),
        {"username": "x", "password": "y"},
        HTTP_REFERER="http://testserver/accounts/login/",
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert 'data-error="csrf"' in html and title in html and advice in html
    assert "DEBUG" not in html and 'class="site-header"' in html  # the site's page, not Django's bare one
    assert 'href="http://testserver/accounts/login/"' in html  # back to the form it came from


def test_a_csrf_failure_never_links_to_another_site() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403 and "evil.example" not in response.content.decode()


def test_favicon_is_served_and_linked() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("/static/govapp/favicon.ico")
    icon = Client().get(response["Location"])
    assert icon.status_code == 200 and b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # ICO
    html = Client().get("/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/govapp/favicon\.svg" type="image/svg\+xml">', html)
    assert Client().head("/favicon.ico").status_code == 302


def test_a_reviewers_navigation_names_each_area_once(provincial_reviewer) -> None:  # type: ignore[no-untyped-def]
    html = as_user(provincial_reviewer).get(reverse("portal:home")).content.decode()
    nav = html[html.index('<nav class="top-nav"') : html.index("</nav>")]
    labels = re.findall(r"<a [^>]*>([^<]+)", nav)
    assert "投诉举报" in labels and "投诉处理" in labels  # filing one vs handling them
    assert len(labels) == len(set(labels)), labels

"""Rate limit per client address, on the Django cache: 429 with Retry-After, JSON for the API, a page for people."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from govapp.core.ratelimit import client_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit_three(settings):  # type: ignore[no-untyped-def]
    settings.GOVAPP_PUBLIC_RATE_LIMIT = 3  # the limiter's clock is pinned by tests/conftest.py


def test_api_answers_429_with_retry_after_once_the_budget_is_spent(limit_three) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    statuses = [client.get("/api/v1/public/filings").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/public/filings/x")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many requests" in response.json()["detail"]


def test_pages_answer_a_friendly_429(limit_three) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(3):
        assert client.get("/", {"lang": "en"}).status_code == 200
    response = client.get("/register/", {"lang": "en"})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert "Please wait" in response.content.decode()


def test_addresses_have_separate_budgets(limit_three) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        Client(REMOTE_ADDR="10.0.0.1").get("/api/v1/public/filings")
    assert Client(REMOTE_ADDR="10.0.0.1").get("/api/v1/public/filings").status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.2").get("/api/v1/public/filings").status_code == 200


def test_forwarded_for_is_ignored_without_trusted_proxies(limit_three) -> None:  # type: ignore[no-untyped-def]
    for n in range(3):
        Client(HTTP_X_FORWARDED_FOR=f"1.2.3.{n}").get("/api/v1/public/filings")
    assert Client(HTTP_X_FORWARDED_FOR="9.9.9.9").get("/api/v1/public/filings").status_code == 429


def test_forwarded_for_is_honoured_from_a_trusted_proxy(settings, limit_three) -> None:  # type: ignore[no-untyped-def]
    settings.GOVAPP_TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(3):
        Client(HTTP_X_FORWARDED_FOR="1.1.1.1").get("/api/v1/public/filings")
    assert Client(HTTP_X_FORWARDED_FOR="1.1.1.1").get("/api/v1/public/filings").status_code == 429
    assert Client(HTTP_X_FORWARDED_FOR="2.2.2.2").get("/api/v1/public/filings").status_code == 200


def test_client_address_believes_only_the_trusted_proxies(settings) -> None:  # type: ignore[no-untyped-def]
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 5.5.5.5, 10.0.0.8"
    )
    settings.GOVAPP_TRUSTED_PROXIES = []
    assert client_address(request) == "10.0.0.9"
    settings.GOVAPP_TRUSTED_PROXIES = ["10.0.0.9"]
    assert client_address(request) == "10.0.0.8"
    settings.GOVAPP_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(request) == "5.5.5.5"  # "6.6.6.6" was supplied by the client and is forgeable
    settings.GOVAPP_TRUSTED_PROXIES = ["192.168.1.1"]  # the request did not come through our proxy
    assert client_address(request) == "10.0.0.9"
    everyone = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="10.0.0.7")
    settings.GOVAPP_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(everyone) == "10.0.0.7"  # only proxies in the chain: the leftmost is the client


def test_zero_switches_the_limit_off(settings) -> None:  # type: ignore[no-untyped-def]
    settings.GOVAPP_PUBLIC_RATE_LIMIT = 0
    client = Client()
    assert all(client.get("/api/v1/public/filings").status_code == 200 for _ in range(5))

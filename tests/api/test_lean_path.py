"""The public API as a lean path: a projection of the public fields, no stateful middleware, conditional GET
(ETag, Last-Modified, 304 without a body), with the rate limit and the security headers kept."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from govapp.registry import services
from tests.public.builders import Register, number_of

pytestmark = pytest.mark.django_db
API = "/api/v1/public/filings"


def test_verification_answers_conditionally(register: Register, national_reviewer) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    url = f"{API}/{quote(number_of(register.filed))}"
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304 and since.content == b""
    # Another language is another answer.
    english = client.get(url, {"lang": "en"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert english.status_code == 200 and english["ETag"] != first["ETag"]
    services.app_order_rectification(app=register.filed, actor=national_reviewer, reason="强制打卡")
    services.app_revoke(app=register.filed, actor=national_reviewer, reason="整改逾期")
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed.json()["status"] == "revoked"
    assert changed["ETag"] != first["ETag"]


def test_the_app_store_look_up_answers_conditionally(register: Register) -> None:
    client = Client()
    first = client.get(API, {"package": "cn.gov.hz.daka"})
    assert first.status_code == 200 and first.json()["count"] == 1 and first["ETag"]
    again = client.get(API, {"package": "cn.gov.hz.daka"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    other = client.get(API, {"package": "cn.gov.nb.old"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200


def test_errors_are_never_answered_not_modified() -> None:
    client = Client()
    missing = client.get(f"{API}/{quote('浙政备2026999999A')}")
    assert missing.status_code == 404
    assert client.get(f"{API}/{quote('浙政备2026999999A')}", HTTP_IF_NONE_MATCH="*").status_code == 404


def test_the_public_api_skips_sessions_and_messages(register: Register, client_for, filer) -> None:  # type: ignore[no-untyped-def]
    signed_in = client_for(filer)  # a session cookie the API must not read or renew
    url = f"{API}/{quote(number_of(register.filed))}"
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(url)
    assert response.status_code == 200
    assert not any("django_session" in q["sql"] for q in queries.captured_queries)
    assert not response.cookies  # no session, CSRF or message cookie
    assert "Cookie" not in response.get("Vary", "")
    # Security headers stay.
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"
    # The pages still have their session: the same client is signed in there.
    assert signed_in.get("/work/inbox/").status_code == 200


def test_verification_reads_the_public_fields_only(register: Register) -> None:
    url = f"{API}/{quote(number_of(register.refiled))}"
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url).status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    for material in ("extension_reason", "approval_basis", "below_county_justification"):
        assert material not in sql
    superseded = Client().get(f"{API}/{quote(register.first_number)}").json()
    assert superseded["status"] == "superseded" and superseded["current_number"] == number_of(
        register.refiled
    )


def test_the_rate_limit_still_holds_on_the_lean_path(register: Register, settings) -> None:  # type: ignore[no-untyped-def]
    settings.GOVAPP_PUBLIC_RATE_LIMIT = 3
    client = Client()
    url = f"{API}/{quote(number_of(register.filed))}"
    codes = [client.get(url).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429


def test_the_stateful_middleware_is_wrapped_not_removed() -> None:
    assert "govapp.core.lean.Sessions" in settings.MIDDLEWARE
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in settings.MIDDLEWARE
    assert "django.middleware.security.SecurityMiddleware" in settings.MIDDLEWARE


def test_a_number_asked_again_is_answered_without_a_query_until_the_register_changes(  # type: ignore[no-untyped-def]
    register: Register, filer, provincial_reviewer, national_reviewer
):
    from tests.factories import complete_filing
    from tests.public.builders import approve

    client = Client()
    url = f"{API}/{quote(number_of(register.filed))}"
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).json()["status"] == "valid"
    assert len(queries) == 0
    unknown = f"{API}/{quote('浙政备2026999999A')}"
    assert client.get(unknown).status_code == 404
    # A number issued later is found at once: the register changed.
    fresh = approve(complete_filing(filer, name="杭州新应用", android_package="cn.gov.hz.fresh"), filer=filer,
                    provincial_reviewer=provincial_reviewer, national_reviewer=national_reviewer)  # fmt: skip
    assert client.get(f"{API}/{quote(number_of(fresh))}").status_code == 200
    listed = client.get(API, {"package": "cn.gov.hz.fresh"}).json()
    assert listed["count"] == 1 and listed["results"][0]["app_name"] == "杭州新应用"


def test_with_the_cache_off_every_answer_reads_the_database(register: Register, settings) -> None:  # type: ignore[no-untyped-def]
    settings.GOVAPP_PUBLIC_CACHE_SECONDS = 0
    client = Client()
    url = f"{API}/{quote(number_of(register.filed))}"
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 1  # one query: the public fields with the procedure's dates

"""OIDC single sign-on against a real provider run in the test: deny by default, then mapped access."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from govapp.accounts.models import ExternalIdentity, Role
from tests.accounts.conftest import ZHANG, OidcProvider
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _at_provider(client: Client, *, sub: str = ZHANG["sub"]) -> str:
    """Start at our sign-in button, sign in at the provider as ``sub``; the callback path we are sent back to."""
    start = client.get(reverse("accounts:oidc_start"))
    assert start.status_code == 302
    answer = requests.post(start["Location"], data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    back = urlsplit(answer.headers["Location"])
    assert back.path == reverse("accounts:oidc_callback")
    return f"{back.path}?{back.query}"


def _sign_in(client: Client, **kwargs: Any) -> Any:
    return client.get(_at_provider(client, **kwargs), follow=True)


def test_login_page_offers_the_platform_only_when_configured(
    oidc_provider: OidcProvider, settings: Any
) -> None:
    assert reverse("accounts:oidc_start") in Client().get(reverse("accounts:login")).content.decode()
    settings.OIDC_OP_ISSUER = ""
    assert reverse("accounts:oidc_start") not in Client().get(reverse("accounts:login")).content.decode()


def test_unknown_identity_gets_no_access_until_an_admin_maps_it(
    oidc_provider: OidcProvider, sysadmin: Any, units: Any
) -> None:
    person = Client()
    page = _sign_in(person)
    assert page.status_code == 403
    assert "_auth_user_id" not in person.session
    text = page.content.decode()
    assert "等待" in text and ZHANG["name"] in text  # Chinese first: "waiting for access"
    assert person.get(reverse("portal:home")).status_code == 302  # still signed out
    identity = ExternalIdentity.objects.get()
    assert (identity.provider, identity.issuer, identity.subject) == ("oidc", oidc_provider.url, ZHANG["sub"])
    assert identity.email == ZHANG["email"] and identity.user is None

    admin = login(sysadmin)
    listing = admin.get(reverse("accounts:admin_identities"))
    assert ZHANG["sub"] in listing.content.decode()
    mapped = admin.post(
        reverse("accounts:admin_identity_map", args=[identity.pk]),
        {"username": "zhangsan", "unit": units["hz"].pk, "role": Role.FILER},
    )
    assert mapped.status_code == 302
    identity.refresh_from_db()
    assert identity.user is not None and identity.user.unit == units["hz"] and identity.mapped_by == sysadmin
    assert not identity.user.has_usable_password()

    again = Client()
    home = _sign_in(again)
    assert home.status_code == 200
    assert home.redirect_chain[-1][0] == reverse("portal:home")
    assert int(again.session["_auth_user_id"]) == identity.user.pk


def test_a_mapped_reviewer_still_passes_the_second_factor(
    oidc_provider: OidcProvider, sysadmin: Any, units: Any
) -> None:
    _sign_in(Client())
    identity = ExternalIdentity.objects.get()
    login(sysadmin).post(
        reverse("accounts:admin_identity_map", args=[identity.pk]),
        {"username": "zhangsan", "unit": units["zj_office"].pk, "role": Role.PROVINCIAL_REVIEWER},
    )
    page = _sign_in(Client())
    assert page.redirect_chain[-1][0].startswith(reverse("accounts:second_factor_enrol"))


def test_only_admins_map_identities(oidc_provider: OidcProvider, national_reviewer: Any, units: Any) -> None:
    _sign_in(Client())
    identity = ExternalIdentity.objects.get()
    reviewer = login(national_reviewer)
    assert reviewer.get(reverse("accounts:admin_identities")).status_code == 403
    refused = reviewer.post(
        reverse("accounts:admin_identity_map", args=[identity.pk]),
        {"username": "zhangsan", "unit": units["national"].pk, "role": Role.ADMIN},
    )
    assert refused.status_code == 403
    identity.refresh_from_db()
    assert identity.user is None


def test_a_token_from_another_issuer_is_refused(oidc_provider: OidcProvider, settings: Any) -> None:
    settings.OIDC_OP_ISSUER = "https://idp.other-province.gov.cn"
    person = Client()
    page = _sign_in(person, sub="intruder")
    assert page.status_code == 403
    assert "https://idp.other-province.gov.cn" not in page.content.decode()
    assert oidc_provider.url in page.content.decode()  # names the issuer that signed the token
    assert "_auth_user_id" not in person.session
    assert not ExternalIdentity.objects.exists()


def test_an_answer_with_a_state_this_browser_did_not_start_is_refused(oidc_provider: OidcProvider) -> None:
    victim_path = _at_provider(Client())
    attacker = Client()
    page = attacker.get(victim_path, follow=True)
    assert page.status_code == 403
    assert "state" in page.content.decode()
    assert "_auth_user_id" not in attacker.session and not ExternalIdentity.objects.exists()


def test_a_replayed_answer_is_refused(oidc_provider: OidcProvider, sysadmin: Any, units: Any) -> None:
    person = Client()
    path = _at_provider(person)
    person.get(path)
    replay = person.get(path, follow=True)
    assert replay.status_code == 403 and "state" in replay.content.decode()


def test_a_token_for_another_sign_in_is_refused_by_its_nonce(oidc_provider: OidcProvider) -> None:
    person = Client()
    path = _at_provider(person)
    session = person.session
    for started in session["oidc_states"].values():
        started["nonce"] = "a-nonce-of-another-sign-in"
    session.save()
    page = person.get(path, follow=True)
    assert page.status_code == 403
    assert "nonce" in page.content.decode()
    assert not ExternalIdentity.objects.exists()


def test_an_unreachable_platform_is_a_clear_refusal(oidc_provider: OidcProvider, settings: Any) -> None:
    person = Client()
    path = _at_provider(person)
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/oauth2/token"
    page = person.get(path, follow=True)
    assert page.status_code == 403
    assert "身份认证平台" in page.content.decode() or "identity platform" in page.content.decode()


def test_the_platform_saying_no_is_shown(oidc_provider: OidcProvider) -> None:
    person = Client()
    start = person.get(reverse("accounts:oidc_start"))
    answer = requests.post(start["Location"], data={"action": "deny"}, allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    page = person.get(f"{back.path}?{back.query}", follow=True)
    assert page.status_code == 403 and "access_denied" in page.content.decode()


@pytest.mark.parametrize("name", ["accounts:oidc_start", "accounts:oidc_callback"])
def test_missing_settings_give_a_clear_page_not_an_error(name: str, settings: Any) -> None:
    settings.OIDC_OP_ISSUER = ""
    settings.OIDC_RP_CLIENT_ID = ""
    page = Client().get(reverse(name), {"lang": "en"})
    assert page.status_code == 404
    text = page.content.decode()
    assert "Single sign-on is not available" in text
    assert "GOVAPP_OIDC_ISSUER" in text and "GOVAPP_OIDC_CLIENT_ID" in text

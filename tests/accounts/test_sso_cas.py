"""CAS single sign-on against a CAS 2/3 server stand-in: tickets validated once, deny by default."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from govapp.accounts.models import ExternalIdentity, Role
from tests.accounts.conftest import CasServer
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _ticket_path(client: Client, *, as_user: str = "zhangsan") -> str:
    """Start at our CAS button, sign in at the platform; the callback path with the service ticket."""
    start = client.get(reverse("accounts:cas_start"))
    assert start.status_code == 302
    answer = requests.get(start["Location"], params={"as": as_user}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert back.path == reverse("accounts:cas_callback")
    return f"{back.path}?{back.query}"


def _map(identity: ExternalIdentity, sysadmin: Any, unit: Any, role: str = Role.FILER) -> None:
    response = login(sysadmin).post(
        reverse("accounts:admin_identity_map", args=[identity.pk]),
        {"username": "zhangsan", "unit": unit.pk, "role": role},
    )
    assert response.status_code == 302


def test_unknown_person_waits_then_signs_in_once_mapped(
    cas_server: CasServer, sysadmin: Any, units: Any
) -> None:
    person = Client()
    page = person.get(_ticket_path(person), follow=True)
    assert page.status_code == 403 and "等待授权" in page.content.decode()
    assert "_auth_user_id" not in person.session
    identity = ExternalIdentity.objects.get()
    assert (identity.provider, identity.subject, identity.name) == ("cas", "zhangsan", "张三")

    _map(identity, sysadmin, units["hz"])
    person = Client()
    home = person.get(_ticket_path(person), follow=True)
    assert home.redirect_chain[-1][0] == reverse("portal:home")
    identity.refresh_from_db()
    assert int(person.session["_auth_user_id"]) == identity.user.pk


def test_a_replayed_ticket_is_refused(cas_server: CasServer, sysadmin: Any, units: Any) -> None:
    person = Client()
    path = _ticket_path(person)
    person.get(path)
    _map(ExternalIdentity.objects.get(), sysadmin, units["hz"])
    # The same ticket again, even for a now mapped person, in another browser: the platform says no.
    thief = Client()
    page = thief.get(path, follow=True)
    assert page.status_code == 403
    assert "票据" in page.content.decode()
    assert "_auth_user_id" not in thief.session
    assert cas_server.validations.count(path.split("ticket=")[1]) == 2


def test_a_forged_ticket_is_refused(cas_server: CasServer) -> None:
    page = Client().get(reverse("accounts:cas_callback"), {"ticket": "ST-forged", "lang": "en"}, follow=True)
    assert page.status_code == 403
    assert "did not accept the sign-in ticket" in page.content.decode()
    assert not ExternalIdentity.objects.exists()


def test_a_ticket_issued_for_another_service_is_refused(cas_server: CasServer) -> None:
    ticket = cas_server.issue("zhangsan", "https://other-system.gov.cn/cas/callback/")
    page = Client().get(reverse("accounts:cas_callback"), {"ticket": ticket}, follow=True)
    assert page.status_code == 403
    assert not ExternalIdentity.objects.exists()


def test_no_ticket_and_an_unreachable_platform_are_clear_refusals(
    cas_server: CasServer, settings: Any
) -> None:
    page = Client().get(reverse("accounts:cas_callback"), {"lang": "en"}, follow=True)
    assert page.status_code == 403 and "sent no sign-in ticket" in page.content.decode()
    settings.CAS_SERVER_URL = "http://127.0.0.1:9/"
    page = Client().get(reverse("accounts:cas_callback"), {"ticket": "ST-1", "lang": "en"}, follow=True)
    assert page.status_code == 403 and "could not be reached" in page.content.decode()


def test_missing_cas_setting_gives_a_clear_page(settings: Any) -> None:
    settings.CAS_SERVER_URL = ""
    for name in ("accounts:cas_start", "accounts:cas_callback"):
        page = Client().get(reverse(name), {"lang": "en"})
        assert page.status_code == 404
        assert "GOVAPP_CAS_SERVER_URL" in page.content.decode()
    assert reverse("accounts:cas_start") not in Client().get(reverse("accounts:login")).content.decode()

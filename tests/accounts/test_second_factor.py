"""The second factor: required for reviewers, inspectors and admins, enrolled with a QR code, recovery codes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from govapp.accounts.second_factor import RECOVERY_CODE_COUNT
from tests.conftest import login
from tests.factories import PASSWORD, make_totp_device, totp_code

pytestmark = pytest.mark.django_db


def _password_only(user: Any) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _wait_over(user: Any) -> None:
    """Let the doubling wait after a wrong code pass (django-otp throttles each device)."""
    from django_otp.plugins.otp_static.models import StaticDevice

    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def _enrol(client: Client) -> list[str]:
    """Enrol an authenticator through the page; the recovery codes it shows."""
    page = client.get(reverse("accounts:second_factor_enrol"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(confirmed=False)
    done = client.post(reverse("accounts:second_factor_enrol"), {"token": totp_code(device)})
    assert done.status_code == 200
    return re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())


@pytest.mark.parametrize(
    "persona", ["provincial_reviewer", "provincial_coreviewer", "national_reviewer", "inspector", "sysadmin"]
)
def test_the_roles_that_decide_are_sent_to_enrolment_before_anything_else(persona: str, request: Any) -> None:
    client = _password_only(request.getfixturevalue(persona))
    for url in (reverse("portal:home"), reverse("registry:filing_list"), reverse("public:home")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:second_factor_enrol"))
    assert client.post(reverse("portal:inbox_read_all")).status_code == 302


def test_a_fragment_request_sends_the_whole_page_to_the_second_factor(national_reviewer: Any) -> None:
    make_totp_device(national_reviewer)
    response = _password_only(national_reviewer).get(reverse("portal:inbox"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:second_factor_verify"))


def test_a_filer_needs_no_second_factor(filer: Any) -> None:
    assert _password_only(filer).get(reverse("portal:home")).status_code == 200


def test_the_embedded_demo_can_turn_the_requirement_off(national_reviewer: Any, settings: Any) -> None:
    settings.GOVAPP_REQUIRE_SECOND_FACTOR = False
    assert _password_only(national_reviewer).get(reverse("portal:home")).status_code == 200


def test_enrolment_shows_a_qr_code_and_the_key(national_reviewer: Any) -> None:
    client = _password_only(national_reviewer)
    page = client.get(reverse("accounts:second_factor_enrol")).content.decode()
    device = TOTPDevice.objects.get(user=national_reviewer)
    assert "<svg" in page and 'class="qr"' in page
    import base64

    assert base64.b32encode(device.bin_key).decode().rstrip("=")[:4] in page
    assert not device.confirmed


def test_enrolment_with_a_wrong_code_keeps_the_user_out(national_reviewer: Any) -> None:
    client = _password_only(national_reviewer)
    client.get(reverse("accounts:second_factor_enrol"))
    page = client.post(reverse("accounts:second_factor_enrol"), {"token": "000000"})
    assert page.status_code == 400 and "验证码错误" in page.content.decode()
    assert not TOTPDevice.objects.get(user=national_reviewer).confirmed
    assert client.get(reverse("portal:home")).status_code == 302


def test_enrolment_then_sign_in_with_the_app_or_each_recovery_code_once(national_reviewer: Any) -> None:
    client = _password_only(national_reviewer)
    codes = _enrol(client)
    assert len(codes) == RECOVERY_CODE_COUNT and len(set(codes)) == RECOVERY_CODE_COUNT
    assert client.get(reverse("portal:home")).status_code == 200

    later = _password_only(national_reviewer)
    assert later.get(reverse("portal:home"))["Location"].startswith(reverse("accounts:second_factor_verify"))
    verified = later.post(
        reverse("accounts:second_factor_verify"), {"token": codes[0], "next": reverse("registry:filing_list")}
    )
    assert verified.status_code == 302 and verified["Location"] == reverse("registry:filing_list")
    assert later.get(reverse("portal:home")).status_code == 200

    again = _password_only(national_reviewer)
    reused = again.post(reverse("accounts:second_factor_verify"), {"token": codes[0]})
    assert reused.status_code == 400 and "已被使用" in reused.content.decode()
    assert again.get(reverse("portal:home")).status_code == 302
    _wait_over(national_reviewer)
    assert again.post(reverse("accounts:second_factor_verify"), {"token": codes[1]}).status_code == 302


def test_an_expired_or_wrong_or_replayed_code_is_refused(national_reviewer: Any) -> None:
    device = make_totp_device(national_reviewer)
    client = _password_only(national_reviewer)
    verify = reverse("accounts:second_factor_verify")
    expired = client.post(verify, {"token": totp_code(device, steps_ago=4)})  # two minutes old
    assert expired.status_code == 400 and "已过期" in expired.content.decode()
    # Right after a wrong code even the right one waits: guessing six digits would take forever.
    throttled = client.post(verify, {"token": totp_code(device)})
    assert throttled.status_code == 400 and "秒后再试" in throttled.content.decode()
    _wait_over(national_reviewer)
    assert client.post(verify, {"token": "12345"}).status_code == 400
    _wait_over(national_reviewer)
    assert client.post(verify, {"token": ""}).status_code == 400
    code = totp_code(device)
    assert client.post(verify, {"token": code}).status_code == 302
    other = _password_only(national_reviewer)
    assert other.post(verify, {"token": code}).status_code == 400  # the same code does not work twice
    assert other.get(reverse("portal:home")).status_code == 302


def test_the_verify_page_refuses_an_unsafe_next(national_reviewer: Any) -> None:
    device = make_totp_device(national_reviewer)
    client = _password_only(national_reviewer)
    response = client.post(
        reverse("accounts:second_factor_verify"),
        {"token": totp_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("portal:home")


def test_new_recovery_codes_replace_the_old(national_reviewer: Any) -> None:
    client = _password_only(national_reviewer)
    old = _enrol(client)
    page = client.post(reverse("accounts:recovery_codes"))
    new = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page.content.decode())
    assert len(new) == RECOVERY_CODE_COUNT and not set(new) & set(old)
    later = _password_only(national_reviewer)
    assert later.post(reverse("accounts:second_factor_verify"), {"token": old[0]}).status_code == 400


def test_an_admin_resets_a_lost_second_factor(national_reviewer: Any, sysadmin: Any, filer: Any) -> None:
    make_totp_device(national_reviewer)
    admin = login(sysadmin)
    listing = admin.get(reverse("accounts:admin_second_factors")).content.decode()
    assert f'data-person="{national_reviewer.username}"' in listing
    assert f'data-person="{filer.username}"' not in listing
    admin.post(reverse("accounts:admin_second_factor_reset", args=[national_reviewer.pk]))
    assert not TOTPDevice.objects.filter(user=national_reviewer).exists()
    client = _password_only(national_reviewer)
    assert client.get(reverse("portal:home"))["Location"].startswith(reverse("accounts:second_factor_enrol"))


def test_only_admins_reset_second_factors(national_reviewer: Any, inspector: Any) -> None:
    make_totp_device(national_reviewer)
    client = login(inspector)
    assert client.get(reverse("accounts:admin_second_factors")).status_code == 403
    assert (
        client.post(reverse("accounts:admin_second_factor_reset", args=[national_reviewer.pk])).status_code
        == 403
    )
    assert TOTPDevice.objects.filter(user=national_reviewer).exists()


def test_a_verified_user_cannot_enrol_a_second_authenticator_over_the_first(national_reviewer: Any) -> None:
    client = login(national_reviewer)
    response = client.get(reverse("accounts:second_factor_enrol"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:security")
    assert TOTPDevice.objects.filter(user=national_reviewer).count() == 1

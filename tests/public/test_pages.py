"""The public pages: home, verification card, not found, the register (公示), language, rate limit."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client

from govapp.public import views
from tests.public.builders import Register, number_of

pytestmark = pytest.mark.django_db


def page(path: str, client: Client | None = None, **params: str) -> tuple[int, str]:
    response = (client or Client()).get(path, params)
    return response.status_code, response.content.decode()


def test_home_explains_and_offers_the_verification_form() -> None:
    status, html = page("/", lang="en")
    assert status == 200
    assert "filing number" in html and 'name="number"' in html and 'action="/verify/"' in html
    assert "浙政备2026000001A" in html  # an example of the format
    assert 'href="/register/"' in html


def test_verify_card_of_a_filed_app(register: Register) -> None:
    number = number_of(register.filed)
    status, html = page(f"/verify/{quote(number)}/", lang="en")
    assert status == 200
    assert number in html and "浙里办" in html and "杭州市数据资源管理局" in html and "Native app" in html
    assert 'data-status="valid"' in html and "badge-ok" in html
    # The address a QR code encodes is shown on the card.
    assert f"http://testserver/verify/{quote(number)}/" in html


@pytest.mark.parametrize(
    ("which", "status_text", "explanation"),
    [("revoked", "Revoked", "revoked this filing"), ("deregistered", "Deregistered", "shut the app down")],
)
def test_verify_card_explains_revoked_and_deregistered(
    register: Register, which: str, status_text: str, explanation: str
) -> None:
    number = number_of(getattr(register, which))
    status, html = page(f"/verify/{quote(number)}/", lang="en")
    assert status == 200
    assert f'data-status="{which}"' in html and status_text in html and explanation in html


def test_verify_card_of_a_superseded_number_links_the_current_one(register: Register) -> None:
    status, html = page(f"/verify/{quote(register.first_number)}/", lang="en")
    current = number_of(register.refiled)
    assert status == 200 and 'data-status="superseded"' in html
    assert current in html and f'href="http://testserver/verify/{quote(current)}/"' in html


def test_the_form_accepts_full_width_characters_and_spaces(register: Register) -> None:
    number = number_of(register.filed)
    typed = "  " + number.replace("2026", "２０２６").replace("A", "ａ") + " "
    status, html = page("/verify/", number=typed)
    assert status == 200 and 'data-status="valid"' in html and number in html


def test_an_unknown_number_is_404_with_the_checks_to_do(register: Register) -> None:
    status, html = page("/verify/", number="浙政备2099000001A", lang="en")
    assert status == 404
    assert 'data-status="not_found"' in html and "浙政备2099000001A" in html
    assert "full-width" in html and 'name="number"' in html


def test_an_empty_number_is_a_form_error() -> None:
    status, html = page("/verify/", number="   ", lang="en")
    assert status == 400 and "Enter the filing number shown in the app." in html
    status, html = page("/verify/", number="9" * 80, lang="en")
    assert status == 400 and "at most 40 characters" in html


def test_register_entry_page_is_the_card(register: Register) -> None:
    number = number_of(register.mini)
    status, html = page(f"/register/{quote(number)}/", lang="en")
    assert status == 200 and "宁波随申码" in html and "Mini-program" in html


def test_drafts_and_pending_filings_never_show(register: Register) -> None:
    status, html = page("/register/")
    assert status == 200
    assert "秘密草稿应用" not in html and "审核中应用" not in html
    assert page(f"/verify/{quote('秘密草稿应用')}/")[0] == 404


def test_register_lists_current_numbers_and_no_private_data(register: Register) -> None:
    status, html = page("/register/", lang="en")
    assert status == 200 and "6 apps found" in html
    for name in ("浙里办", "杭州打卡通", "宁波旧平台", "杭州办事", "宁波随申码", "水利一张图"):
        assert name in html
    assert register.first_number not in html  # the superseded number is behind the app's current one
    for private in ("王明", "0571-88888888", "wangming@example.gov.cn"):
        assert private not in html


@pytest.mark.parametrize(
    ("params", "present", "absent"),
    [
        ({"q": "水利"}, ["水利一张图"], ["浙里办"]),
        ({"province": "central"}, ["水利一张图"], ["浙里办"]),
        ({"kind": "mini_program"}, ["宁波随申码"], ["浙里办"]),
        ({"status": "revoked"}, ["杭州打卡通"], ["浙里办", "宁波旧平台"]),
        ({"province": "33", "status": "deregistered"}, ["宁波旧平台"], ["杭州打卡通"]),
    ],
)
def test_register_filters(
    register: Register, params: dict[str, str], present: list[str], absent: list[str]
) -> None:
    status, html = page("/register/", **params)
    assert status == 200
    assert all(name in html for name in present) and not any(name in html for name in absent)


def test_register_paginates_keeping_the_filters(register: Register, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    status, html = page("/register/", province="33", lang="en")
    assert status == 200 and "Page 1 of 2" in html and "page=2" in html and "province=33" in html
    status, html = page("/register/", province="33", page="2", lang="en")
    assert status == 200 and "Page 2 of 2" in html


def test_register_bad_filter_names_the_field(register: Register) -> None:
    status, html = page("/register/", status="lost", lang="en")
    assert status == 400 and 'class="errorlist"' in html and "lost" in html


def test_chinese_by_default_whatever_the_browser_asks() -> None:
    response = Client(headers={"accept-language": "en-US,en;q=0.9"}).get("/")
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-CN">' in response.content.decode()


def test_english_with_lang_parameter_or_cookie() -> None:
    assert Client().get("/", {"lang": "en"})["Content-Language"] == "en"
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/register/")
    assert response["Content-Language"] == "en" and '<html lang="en">' in response.content.decode()


def test_no_login_needed_and_signed_in_users_see_the_same(register: Register, client_for, filer) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/register/", f"/verify/{quote(number_of(register.filed))}/"):
        assert page(path)[0] == 200
        assert page(path, client_for(filer))[0] == 200


def test_pages_refuse_other_methods() -> None:
    assert Client().post("/verify/", {"number": "x"}).status_code == 405


def test_head_requests_work_for_link_checkers() -> None:
    assert Client().head("/register/").status_code == 200

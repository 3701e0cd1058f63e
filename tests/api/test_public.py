"""GET /api/v1/public/filings/{number} and /api/v1/public/filings: verification, register, app-store look-ups."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from govapp.registry import services
from tests.public.builders import Register, number_of

pytestmark = pytest.mark.django_db
API = "/api/v1/public/filings"


def get(path: str, **params: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = Client().get(path, params)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, response.json()


def test_a_filed_number_resolves_with_the_public_facts_only(register: Register) -> None:
    number = number_of(register.filed)
    status, body = get(f"{API}/{quote(number)}")
    assert status == 200
    assert body["number"] == number and body["status"] == "valid" and body["valid"] is True
    assert body["app_name"] == "浙里办" and body["kind"] == "app" and body["unit"] == "杭州市数据资源管理局"
    assert body["filing_date"] and body["last_change"] and body["current_number"] is None
    assert body["verify_url"].endswith(f"/verify/{quote(number)}/")
    text = str(body)
    for private in (
        "王明",
        "0571-88888888",
        "wangming@example.gov.cn",
        "信息中心主任",
        "浙发改信",
        "commitment",
    ):
        assert private not in text


def test_the_number_is_trimmed_and_full_width_characters_are_normalised(register: Register) -> None:
    number = number_of(register.filed)
    typed = " " + number.replace("2026", "２０２６").replace("A", "ａ") + "\u3000"
    status, body = get(f"{API}/{quote(typed)}")
    assert status == 200 and body["number"] == number


def test_revoked_and_deregistered_numbers_still_resolve_and_say_so(register: Register) -> None:
    status, revoked = get(f"{API}/{quote(number_of(register.revoked))}", lang="en")
    assert status == 200
    assert (revoked["status"], revoked["valid"], revoked["status_label"]) == ("revoked", False, "Revoked")
    assert "revoked" in revoked["explanation"]
    status, gone = get(f"{API}/{quote(number_of(register.deregistered))}", lang="en")
    assert status == 200
    assert (gone["status"], gone["valid"], gone["status_label"]) == ("deregistered", False, "Deregistered")


def test_a_superseded_number_points_to_the_current_number(register: Register) -> None:
    status, body = get(f"{API}/{quote(register.first_number)}")
    assert status == 200
    assert body["status"] == "superseded" and body["valid"] is False
    assert body["current_number"] == number_of(register.refiled) != register.first_number
    assert body["current_status"] == "valid"
    status, current = get(f"{API}/{quote(body['current_number'])}")
    assert current["status"] == "valid" and current["app_name"] == "杭州办事"


def test_an_unknown_number_is_a_clear_404(register: Register) -> None:
    status, body = get(f"{API}/{quote('浙政备2099999999A')}")
    assert status == 404
    assert "no filing with number 浙政备2099999999A" in body["detail"]


def test_drafts_and_filings_under_review_are_not_public(register: Register) -> None:
    status, body = get(f"{API}/{quote('秘密草稿应用')}")
    assert status == 404
    for query in (
        {"q": "秘密草稿"},
        {"q": "审核中"},
        {"package": "cn.gov.hz.draft"},
        {"package": "cn.gov.nb.pending"},
    ):
        status, page = get(API, **query)
        assert (status, page["count"]) == (200, 0), query


def test_the_register_lists_every_app_that_holds_or_held_a_number(register: Register) -> None:
    status, body = get(API)
    assert status == 200 and body["count"] == 6
    by_name = {row["app_name"]: row for row in body["results"]}
    assert set(by_name) == {"浙里办", "杭州打卡通", "宁波旧平台", "杭州办事", "宁波随申码", "水利一张图"}
    assert by_name["杭州打卡通"]["valid"] is False and by_name["杭州打卡通"]["status"] == "revoked"
    assert by_name["杭州办事"]["number"] == number_of(register.refiled)  # the current number, not the old one
    assert by_name["浙里办"]["valid"] is True


def test_pagination_gives_counts_and_links(register: Register) -> None:
    status, first = get(API, page_size="4")
    assert status == 200 and first["count"] == 6 and len(first["results"]) == 4 and first["previous"] is None
    assert "page=2" in first["next"] and "page_size=4" in first["next"]
    second = Client().get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None and "page=1" in second["previous"]
    seen = {row["number"] for row in first["results"] + second["results"]}
    assert len(seen) == 6
    status, body = get(API, page="3", page_size="4")
    assert status == 404 and "Page 3 does not exist" in body["detail"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page_size": "101"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"status": "lost"}, "status"),
        ({"kind": "web"}, "kind"),
        ({"province": "99"}, "province"),
    ],
)
def test_bad_list_parameters_are_named(register: Register, params: dict[str, str], parameter: str) -> None:
    status, body = get(API, **params)
    assert status == 422
    assert body["parameter"] == parameter and parameter in body["detail"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("浙里", {"浙里办"}),
        ("宁波市大数据", {"宁波旧平台", "宁波随申码"}),
        ("国政备", {"水利一张图"}),
        ("  水利 ", {"水利一张图"}),
    ],
)
def test_search_covers_app_name_unit_and_number(register: Register, query: str, names: set[str]) -> None:
    status, body = get(API, q=query)
    assert status == 200 and {row["app_name"] for row in body["results"]} == names


def test_search_by_an_old_number_finds_the_app(register: Register) -> None:
    status, body = get(API, q=register.first_number)
    assert [row["app_name"] for row in body["results"]] == ["杭州办事"]


def test_filters_by_province_kind_and_status(register: Register) -> None:
    assert [r["app_name"] for r in get(API, province="central")[1]["results"]] == ["水利一张图"]
    assert [r["app_name"] for r in get(API, kind="mini_program")[1]["results"]] == ["宁波随申码"]
    assert {r["app_name"] for r in get(API, status="revoked")[1]["results"]} == {"杭州打卡通"}
    assert {r["app_name"] for r in get(API, status="deregistered")[1]["results"]} == {"宁波旧平台"}
    assert get(API, province="33", status="valid")[1]["count"] == 3


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"package": "cn.gov.hz.daka"}, {"杭州打卡通"}),
        ({"bundle": "cn.gov.mwr.map"}, {"水利一张图"}),
        ({"appid": "wxabcdef1234567890"}, {"宁波随申码"}),
        ({"cert_sha256": "E" * 64}, {"水利一张图"}),
        ({"cert_sha256": ":".join(["DD"] * 32)}, {"杭州办事"}),
        ({"package": "cn.gov.mwr.map", "cert_sha256": "e" * 64}, {"水利一张图"}),
        ({"package": "cn.gov.mwr.map", "cert_sha256": "a" * 64}, set()),
        ({"package": "cn.gov.unknown.app"}, set()),
    ],
)
def test_app_store_identity_look_ups(register: Register, params: dict[str, str], names: set[str]) -> None:
    status, body = get(API, **params)
    assert status == 200 and {row["app_name"] for row in body["results"]} == names


def test_identity_look_up_says_whether_the_app_is_validly_filed_now(register: Register) -> None:
    status, body = get(API, package="cn.gov.hz.daka")
    assert [(row["status"], row["valid"]) for row in body["results"]] == [("revoked", False)]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"package": "not a package"}, "package"),
        ({"package": ""}, "package"),
        ({"bundle": "x"}, "bundle"),
        ({"appid": "wx!"}, "appid"),
        ({"cert_sha256": "abc"}, "cert_sha256"),
        ({"cert_sha256": "g" * 64}, "cert_sha256"),
    ],
)
def test_malformed_identities_are_refused_naming_the_parameter(
    register: Register, params: dict[str, str], parameter: str
) -> None:
    status, body = get(API, **params)
    assert status == 422
    assert body["parameter"] == parameter and f"“{parameter}”" in body["detail"]


def test_no_login_is_needed_and_a_signed_in_user_sees_the_same(
    register: Register, client_for, national_reviewer
) -> None:  # type: ignore[no-untyped-def]
    anonymous = Client().get(API).json()
    signed_in = client_for(national_reviewer).get(API).json()
    assert anonymous["count"] == signed_in["count"] == 6


def test_standing_dates_are_given_where_they_apply(register: Register, filer) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    offline = today + dt.timedelta(days=30)
    services.shutdown_announce(
        app=register.filed, actor=filer, notice="https://hz.gov.cn/n", offline_date=offline
    )
    _, announced = get(f"{API}/{quote(number_of(register.filed))}")
    assert announced["status"] == "valid" and announced["valid"] is True  # valid until deregistration
    assert announced["shutdown_announced_on"] == today.isoformat()
    assert announced["planned_offline_date"] == offline.isoformat()
    assert announced["revoked_on"] is None and announced["deregistered_on"] is None
    _, revoked = get(f"{API}/{quote(number_of(register.revoked))}")
    assert revoked["revoked_on"] == today.isoformat() and revoked["shutdown_announced_on"] is None
    _, deregistered = get(f"{API}/{quote(number_of(register.deregistered))}")
    assert deregistered["deregistered_on"] == today.isoformat() and deregistered["revoked_on"] is None
    assert deregistered["shutdown_announced_on"] == today.isoformat()
    # The register's lines carry the same fields.
    _, page = get(API, q="浙里办")
    line = next(r for r in page["results"] if r["number"] == announced["number"])
    assert line["shutdown_announced_on"] == today.isoformat()
    assert line["planned_offline_date"] == offline.isoformat()

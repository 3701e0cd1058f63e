"""POST /api/v1/public/complaints and GET /api/v1/public/complaints/{receipt} (stable shapes)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from govapp.complaints import services
from govapp.complaints.models import Complaint
from govapp.complaints.services import find_by_receipt

URL = "/api/v1/public/complaints"


def post(client: Client, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json", **extra)


def valid(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "app_name": "浙里打卡",
        "category": "checkin",
        "description": "每天早上必须在应用里打卡签到，没打卡的人会被通报。",
        "anonymous": True,
    }
    body.update(overrides)
    return body


def test_anonymous_complaint_returns_a_receipt(apps, client) -> None:
    response = post(client, valid())
    assert response.status_code == 201
    receipt = response.json()["receipt"]
    assert list(response.json()) == ["receipt"]
    complaint = find_by_receipt(receipt)
    assert complaint.app == apps.zj and complaint.anonymous and complaint.province == "33"


def test_named_complaint_with_contact(apps, client) -> None:
    body = valid(
        anonymous=False,
        contact={"name": "李四", "phone": "0571-12345678"},
        filing_number="",
        app_name="苏政通",
    )
    response = post(client, body)
    assert response.status_code == 201
    complaint = find_by_receipt(response.json()["receipt"])
    assert (complaint.contact_name, complaint.contact_phone, complaint.province) == (
        "李四",
        "0571-12345678",
        "32",
    )


def test_contact_without_anonymous_flag_is_a_named_complaint(apps, client) -> None:
    body = valid(contact={"name": "李四", "email": "li@example.cn"})
    del body["anonymous"]
    response = post(client, body)
    assert response.status_code == 201
    assert Complaint.objects.get().contact_email == "li@example.cn"


def test_status_shows_status_and_outcome_only(apps, client, provincial_reviewer) -> None:
    receipt = post(client, valid(anonymous=False, contact={"name": "李四", "phone": "13800000000"})).json()[
        "receipt"
    ]
    complaint = find_by_receipt(receipt)
    services.complaint_handle(
        complaint=complaint, actor=provincial_reviewer, note="内部：已电话联系单位负责人王某"
    )
    body = client.get(f"{URL}/{receipt}").json()
    assert set(body) == {"receipt", "status", "status_label", "received_at", "due", "closed_at", "outcome"}
    assert body["status"] == "in_handling" and body["outcome"] is None and body["closed_at"] is None
    services.complaint_close(
        complaint=complaint, actor=provincial_reviewer, outcome="经核实，已责令取消强制打卡。"
    )
    response = client.get(f"{URL}/{receipt.lower().replace('-', '')}")
    body = response.json()
    assert body["status"] == "closed" and body["outcome"] == "经核实，已责令取消强制打卡。"
    shown = " ".join(str(value) for value in body.values())
    for secret in ("打卡签到", "李四", "13800000000", "王某", "浙里打卡", "zj_reviewer"):
        assert secret not in shown


@pytest.mark.parametrize("receipt", ["TS-2222-2222-2222", "TS-0000-0000-0000", "nonsense", "TS-" + "A" * 200])
def test_forged_or_malformed_receipts_are_404(apps, client, receipt) -> None:
    post(client, valid())
    response = client.get(f"{URL}/{receipt}")
    assert response.status_code == 404
    assert "no complaint with receipt code" in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "parameter", "fragment"),
    [
        ({"category": None}, "category", "Choose what the complaint is about"),
        ({"category": "dancing"}, "category", "is not a complaint category"),
        ({"description": "太短"}, "description", "at least 10 characters"),
        ({"description": "很长" * 2501}, "description", "at most 5000 characters"),
        ({"app_name": "", "filing_number": ""}, "app_name", "Give the app's name or its filing number"),
        ({"anonymous": False}, "contact.name", "Give your name"),
        (
            {"anonymous": False, "contact": {"name": "李四", "email": "not-an-email"}},
            "contact.email",
            "valid e-mail",
        ),
        ({"province": "99"}, "province", "Choose a province"),
    ],
)
def test_invalid_complaints_are_422_and_nothing_is_stored(apps, client, change, parameter, fragment) -> None:
    body = valid(**change)
    if body.get("category") is None:
        body["category"] = ""
    response = post(client, body)
    assert response.status_code == 422, response.content
    payload = response.json()
    assert payload["parameter"] == parameter and fragment in payload["detail"]
    assert any(fragment in error["msg"] for error in payload["errors"])
    assert not Complaint.objects.exists()


def test_missing_category_key_is_422(apps, client) -> None:
    body = valid()
    del body["category"]
    response = post(client, body)
    assert response.status_code == 422 and response.json()["parameter"] == "category"
    assert not Complaint.objects.exists()


def test_broken_json_is_a_clear_error(apps, client) -> None:
    response = client.post(URL, "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert not Complaint.objects.exists()


def test_submissions_are_rate_limited_per_address(apps, client, settings) -> None:
    settings.GOVAPP_COMPLAINTS_PER_HOUR = 2
    assert post(client, valid()).status_code == 201
    assert post(client, valid()).status_code == 201
    refused = post(client, valid())
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Complaint.objects.count() == 2
    other = post(client, valid(), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 201


def test_invalid_attempts_do_not_use_up_the_hourly_budget(apps, client, settings) -> None:
    settings.GOVAPP_COMPLAINTS_PER_HOUR = 1
    assert post(client, valid(description="短")).status_code == 422
    assert post(client, valid()).status_code == 201


def test_lookups_are_rate_limited(apps, client, settings) -> None:
    settings.GOVAPP_COMPLAINT_LOOKUPS_PER_MINUTE = 3
    for _ in range(3):
        assert client.get(f"{URL}/TS-2222-2222-2222").status_code == 404
    assert client.get(f"{URL}/TS-2222-2222-2222").status_code == 429


def test_openapi_documents_both_operations(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "post" in schema["paths"]["/api/v1/public/complaints"]
    assert "get" in schema["paths"]["/api/v1/public/complaints/{receipt}"]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
    ],
)
def test_a_body_not_declared_json_is_refused_unparsed(db, content_type) -> None:  # type: ignore[no-untyped-def]
    from govapp.complaints.models import Complaint

    body = json.dumps({"app_name": "某某政务", "category": "checkin", "description": "每天必须打卡签到" * 3})
    response = Client().post(URL, body, content_type=content_type)
    assert response.status_code == 415
    assert response.json()["parameter"] == "Content-Type"
    assert "application/json" in response.json()["detail"]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("value", ["yes", "no", 1, "true", "1"])
def test_anonymous_must_be_a_json_boolean(apps, client, value) -> None:
    response = post(client, valid(anonymous=value))
    assert response.status_code == 422, response.content
    payload = response.json()
    assert payload["parameter"] == "anonymous"
    assert "true or false" in payload["detail"]
    assert not Complaint.objects.exists()


def test_schema_errors_speak_the_request_language(apps, client) -> None:
    response = post(client, valid(anonymous="yes"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422
    message = response.json()["message"]
    assert "anonymous" in message and "true" in message
    assert "Input should" not in message and "valid boolean" not in message


@pytest.mark.parametrize("province", ["浙江省", "浙江", "Zhejiang", "zhejiang", "33"])
def test_province_accepts_the_code_or_the_name(apps, client, province) -> None:
    response = post(client, valid(app_name="没有备案的应用", province=province))
    assert response.status_code == 201, response.content
    assert find_by_receipt(response.json()["receipt"]).complainant_province == "33"


def test_openapi_lists_the_province_codes(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    province = schema["components"]["schemas"]["ComplaintIn"]["properties"]["province"]
    assert "33 浙江省" in province["description"] and "11 北京市" in province["description"]
    anonymous = schema["components"]["schemas"]["ComplaintIn"]["properties"]["anonymous"]
    assert "true or false" in anonymous["description"]

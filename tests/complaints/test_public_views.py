"""The public complaint form, the receipt page and tracking, driven through the real pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govapp.complaints import services
from govapp.complaints.models import Complaint, ComplaintAttachment
from govapp.complaints.uploads import MAX_FILE_BYTES
from tests.complaints.conftest import in_english

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "app_name": "浙里打卡",
        "filing_number": "",
        "province": "",
        "category": "checkin",
        "description": "每天早上必须在应用里打卡签到，没打卡的人会被通报。",
        "anonymous": "on",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def send(client: Client, **overrides: Any) -> Any:
    return client.post(reverse("complaints:new"), form_data(**overrides))


def receipt_shown(client: Client) -> str:
    """The receipt code on the page after submission: the one time the system has it in clear."""
    page = client.get(reverse("complaints:submitted")).content.decode()
    return page.split('id="receipt"', 1)[1].split(">", 1)[1].split("<", 1)[0].strip()


def test_form_page_lists_the_categories_with_examples(client) -> None:
    response = client.get(reverse("complaints:new"))
    assert response.status_code == 200
    page = response.content.decode()
    for value in (
        "checkin",
        "ranking",
        "online_time",
        "engagement_metrics",
        "forced_upload",
        "location_tracking",
        "forced_login",
        "forced_download",
        "unfiled_app",
        "other",
    ):
        assert f'value="{value}"' in page
    assert 'name="anonymous"' in page and "checked" in page.split('name="anonymous"')[1].split(">")[0]
    assert 'name="consent"' in page


def test_anonymous_complaint_with_attachments_gives_a_receipt(apps, client, settings) -> None:
    files = [
        SimpleUploadedFile("a.png", PNG, "image/png"),
        SimpleUploadedFile("b.jpg", JPEG, "image/jpeg"),
        SimpleUploadedFile("c.pdf", PDF, "application/pdf"),
    ]
    response = client.post(reverse("complaints:new"), {**form_data(), "attachments": files})
    assert response.status_code == 302 and response["Location"] == reverse("complaints:submitted")
    complaint = Complaint.objects.get()
    page = client.get(response["Location"]).content.decode()
    receipt = page.split('id="receipt"', 1)[1].split(">", 1)[1].split("<", 1)[0].strip()
    assert services.find_by_receipt(receipt) == complaint and "Keep this code" in page
    assert reverse("complaints:status", args=[receipt]) in page
    assert receipt not in str(complaint.__dict__)  # stored only as its keyed hash
    # Shown once: the page does not show it again.
    assert client.get(response["Location"])["Location"] == reverse("complaints:new")
    stored = ComplaintAttachment.objects.filter(complaint=complaint)
    assert sorted(a.content_type for a in stored) == ["application/pdf", "image/jpeg", "image/png"]
    for attachment in stored:
        assert attachment.file.name == f"complaints/{attachment.sha256[:2]}/{attachment.sha256}"


def test_named_complaint_needs_a_contact(apps, client) -> None:
    response = send(client, anonymous=None)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give your name" in page and "Give a telephone number or an e-mail address" in page
    assert not Complaint.objects.exists()
    assert send(client, anonymous=None, contact_name="李四", contact_email="li@example.cn").status_code == 302
    assert Complaint.objects.get().contact_email == "li@example.cn"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"category": None}, "Choose what the complaint is about."),
        ({"category": "dancing"}, "is not a complaint category"),
        ({"description": "x" * 5001}, "at most 5000 characters (you wrote 5001)"),
        ({"description": "短"}, "at least 10 characters"),
        ({"consent": None}, "Tick the confirmation"),
        ({"app_name": "", "filing_number": ""}, "Give the app&#x27;s name or its filing number"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(apps, client, overrides, message) -> None:
    response = send(client, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Complaint.objects.exists()


def test_wrong_type_attachment_is_refused(apps, client) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 an exe renamed", "image/jpeg")
    response = client.post(reverse("complaints:new"), {**form_data(), "attachments": [fake]})
    assert response.status_code == 400
    assert "“photo.jpg” is not a JPEG, PNG or PDF file" in response.content.decode()
    assert not Complaint.objects.exists() and not ComplaintAttachment.objects.exists()


def test_oversized_attachment_is_refused(apps, client) -> None:
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * MAX_FILE_BYTES, "image/png")
    response = client.post(reverse("complaints:new"), {**form_data(), "attachments": [big]})
    assert response.status_code == 400
    assert "each attachment may be at most 5 MB" in response.content.decode()
    assert not Complaint.objects.exists()


def test_more_than_three_attachments_are_refused(apps, client) -> None:
    files = [SimpleUploadedFile(f"{i}.png", PNG + bytes([i]), "image/png") for i in range(4)]
    response = client.post(reverse("complaints:new"), {**form_data(), "attachments": files})
    assert response.status_code == 400
    assert "Attach at most 3 files (you chose 4)" in response.content.decode()
    assert not Complaint.objects.exists()


def test_huge_request_is_refused_before_the_body_is_read(apps, client) -> None:
    response = client.post(reverse("complaints:new"), form_data(), CONTENT_LENGTH=str(100 * 1024 * 1024))
    assert response.status_code == 413
    assert "Attach at most 3 files of 5 MB each" in response.content.decode()
    assert not Complaint.objects.exists()


def test_csrf_is_still_checked(apps) -> None:
    client = in_english(Client(enforce_csrf_checks=True))
    response = client.post(reverse("complaints:new"), form_data())
    assert response.status_code == 403
    assert not Complaint.objects.exists()


def test_submissions_are_rate_limited(apps, client, settings) -> None:
    settings.GOVAPP_COMPLAINTS_PER_HOUR = 2
    assert send(client).status_code == 302
    assert send(client).status_code == 302
    refused = send(client)
    assert refused.status_code == 429 and "within the hour" in refused.content.decode()
    assert Complaint.objects.count() == 2


def test_receipt_page_without_a_complaint_goes_to_the_form(client) -> None:
    response = client.get(reverse("complaints:submitted"))
    assert response.status_code == 302 and response["Location"] == reverse("complaints:new")


def test_tracking_shows_status_dates_and_outcome_only(apps, client, provincial_reviewer) -> None:
    send(client, anonymous=None, contact_name="李四", contact_phone="13800000000")
    receipt = receipt_shown(client)
    complaint = Complaint.objects.get()
    services.complaint_handle(
        complaint=complaint, actor=provincial_reviewer, note="内部备注：联系了单位负责人王某"
    )
    form = client.get(reverse("complaints:track"), {"receipt": receipt.lower()})
    assert form.status_code == 302 and form["Location"] == reverse("complaints:status", args=[receipt])
    page = client.get(form["Location"]).content.decode()
    assert "In handling" in page and complaint.due.isoformat() in page
    services.complaint_close(
        complaint=complaint, actor=provincial_reviewer, outcome="已责令取消强制打卡功能。"
    )
    page = client.get(form["Location"]).content.decode()
    assert "已责令取消强制打卡功能。" in page
    for secret in ("打卡签到", "李四", "13800000000", "王某", "内部备注", "浙里打卡", "zj_reviewer"):
        assert secret not in page


@pytest.mark.parametrize(
    ("receipt", "message"),
    [
        ("TS-2222-2222-2222", "There is no complaint with this receipt code"),
        ("TS-0000-0000-0000", "This is not a receipt code"),
        ("hello", "This is not a receipt code"),
    ],
)
def test_forged_and_malformed_receipts_are_404(apps, client, receipt, message) -> None:
    send(client)
    response = client.get(reverse("complaints:status", args=[receipt]))
    assert response.status_code == 404
    assert message in response.content.decode()


def test_track_form_explains_a_malformed_code(client) -> None:
    response = client.get(reverse("complaints:track"), {"receipt": "12345"})
    assert response.status_code == 400
    assert "This is not a receipt code" in response.content.decode()
    assert client.get(reverse("complaints:track"), {"receipt": ""}).status_code == 400


def test_lookups_are_rate_limited(db, client, settings) -> None:
    settings.GOVAPP_COMPLAINT_LOOKUPS_PER_MINUTE = 2
    url = reverse("complaints:status", args=["TS-2222-2222-2222"])
    assert client.get(url).status_code == 404
    assert client.get(url).status_code == 404
    refused = client.get(url)
    assert refused.status_code == 429 and refused["Retry-After"]

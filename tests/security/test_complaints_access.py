"""Complaint attachments and contacts: only the handling office, and a lost file is a 404, not a 500."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govapp.complaints import services

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def complaint_with_photo(units):  # type: ignore[no-untyped-def]
    return services.complaint_submit(
        category="checkin",
        description="每天必须在应用里打卡，否则通报批评。",
        app_name="某打卡应用",
        complainant_province="33",
        anonymous=False,
        contact_name="张三",
        contact_phone="13800000000",
        attachments=[SimpleUploadedFile("photo.png", PNG, content_type="image/png")],
    )


def _attachment_url(complaint) -> str:  # type: ignore[no-untyped-def]
    return reverse("complaints:attachment", args=[complaint.pk, complaint.attachments.get().pk])


def test_missing_stored_file_is_a_404(complaint_with_photo, provincial_reviewer, client_for) -> None:
    attachment = complaint_with_photo.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    client = client_for(provincial_reviewer)
    client.raise_request_exception = False
    assert client.get(_attachment_url(complaint_with_photo)).status_code == 404


def test_attachment_and_contact_stay_with_the_province_office(
    complaint_with_photo, filer, other_provincial_reviewer, provincial_coreviewer, inspector, client_for
) -> None:
    url = _attachment_url(complaint_with_photo)
    detail = reverse("complaints:detail", args=[complaint_with_photo.pk])
    for outsider in (filer, other_provincial_reviewer, provincial_coreviewer, inspector):
        client = client_for(outsider)
        assert client.get(url).status_code in (403, 404)
        page = client.get(detail)
        assert page.status_code in (403, 404) and "13800000000" not in page.content.decode()
    assert Client().get(url).status_code == 302  # to the login page


def test_attachment_of_one_complaint_is_not_reachable_through_another(
    complaint_with_photo, provincial_reviewer, client_for
) -> None:
    other = services.complaint_submit(
        category="ranking", description="积分排名通报，强制每天学习。", app_name="另一个应用",
        complainant_province="33",
    )  # fmt: skip
    url = reverse("complaints:attachment", args=[other.pk, complaint_with_photo.attachments.get().pk])
    assert client_for(provincial_reviewer).get(url).status_code == 404

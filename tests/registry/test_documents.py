"""Nothing ever submitted is deleted: a document removed after submission is withdrawn, kept and listed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govapp.registry import services
from govapp.registry.choices import EventAction
from govapp.registry.materials import Deficiency
from govapp.registry.models import Attachment, Filing, FilingEvent
from tests.factories import add_attachment, complete_filing
from tests.registry.test_views_bad_input import PDF, as_user, upload

pytestmark = pytest.mark.django_db


def test_a_never_submitted_draft_may_delete_its_own_document(filer) -> None:  # type: ignore[no-untyped-def]
    filing = complete_filing(filer)
    client = as_user(filer)
    upload(client, filing.pk, kind="other", name="草稿附件.pdf", content=PDF + b"draft")
    extra = Attachment.objects.get(original_name="草稿附件.pdf")
    assert client.post(reverse("registry:attachment_delete", args=[extra.pk])).status_code == 302
    assert not Attachment.objects.filter(pk=extra.pk).exists()


def test_after_submission_a_document_is_withdrawn_and_stays_in_the_record(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer
):
    filing = complete_filing(filer)
    services.filing_submit(filing=filing, actor=filer)
    filing = Filing.objects.get(pk=filing.pk)
    services.filing_return_incomplete(
        filing=filing, actor=provincial_reviewer, items=[Deficiency("app_functions", "功能", "补充功能说明")]
    )
    client = as_user(filer)
    old = add_attachment(filing, kind="other", content=PDF + b"seen by the reviewer", name="旧说明.pdf")
    old.uploaded_by = filer
    Attachment.objects.filter(pk=old.pk).update(uploaded_by=filer)

    response = client.post(reverse("registry:attachment_delete", args=[old.pk]), follow=True)
    assert response.status_code == 200
    old.refresh_from_db()
    assert old.withdrawn_at is not None and old.withdrawn_by == filer
    assert old.file.storage.exists(old.file.name)  # the file is kept
    event = FilingEvent.objects.get(filing=filing, action=EventAction.DOCUMENT_WITHDRAWN)
    assert event.actor == filer and list(event.attachments.all()) == [old]
    assert event.data["name"] == "旧说明.pdf" and event.data["sha256"] == old.sha256

    # Still listed, marked withdrawn, downloadable by the reviewer; cannot be withdrawn twice.
    page = client.get(reverse("registry:filing_edit", args=[filing.pk, "documents"])).content.decode()
    assert "旧说明.pdf" in page and "data-withdrawn" in page
    reviewer = as_user(provincial_reviewer)
    detail = reviewer.get(reverse("registry:filing_detail", args=[filing.pk])).content.decode()
    assert "旧说明.pdf" in detail and "data-withdrawn" in detail
    download = reviewer.get(reverse("registry:attachment_download", args=[old.pk]))
    assert b"".join(download.streaming_content) == PDF + b"seen by the reviewer"
    assert client.post(reverse("registry:attachment_delete", args=[old.pk])).status_code == 403


def test_a_withdrawn_commitment_no_longer_counts_as_submitted(filer, provincial_reviewer) -> None:  # type: ignore[no-untyped-def]
    from govapp.registry.materials import missing_materials

    filing = complete_filing(filer)
    services.filing_submit(filing=filing, actor=filer)
    filing = Filing.objects.get(pk=filing.pk)
    services.filing_return_incomplete(
        filing=filing, actor=provincial_reviewer, items=[Deficiency("app_functions", "功能", "补充功能说明")]
    )
    commitment = filing.attachments.get()
    client = as_user(filer)
    client.post(reverse("registry:attachment_delete", args=[commitment.pk]))
    commitment.refresh_from_db()
    assert commitment.withdrawn_at is not None
    assert "attachments" in {item.field for item in missing_materials(Filing.objects.get(pk=filing.pk))}

"""Bad input on every registry form: a clear message naming the field, HTTP 400, nothing lost, no 500."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from govapp.registry.choices import FilingState
from govapp.registry.models import Attachment, Filing
from tests.factories import complete_filing
from tests.registry.test_views_helpers import (
    PDF,
    as_user,
    filed_filing,
    page,
    post_step,
    step_data,
    upload,
    without_external_checks,
)


@pytest.fixture(autouse=True)
def _registry_only(monkeypatch):  # type: ignore[no-untyped-def]
    without_external_checks(monkeypatch)


def test_create_needs_a_name_and_a_known_kind(filer):
    response = as_user(filer).post(
        reverse("registry:filing_create"), {"app_name": "  ", "app_kind": "website"}
    )
    assert response.status_code == 400
    assert not Filing.objects.exists()
    assert "website" in page(response)  # the invalid choice is named


def test_basic_step_names_each_bad_field_and_keeps_the_draft(filer):
    filing = complete_filing(filer)
    data = {**step_data()["basic"], "responsible_phone": "call me", "responsible_email": "not-an-email",
            "android_package": "no dots", "android_cert_sha256": "xyz"}  # fmt: skip
    response = post_step(as_user(filer), filing.pk, "basic", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"responsible_phone", "responsible_email", "android_package", "android_cert_sha256"}
    assert "7 to 20 digits" in str(errors["responsible_phone"])
    filing.refresh_from_db()
    assert filing.responsible_phone == "0571-88888888"  # nothing of the bad submission was stored


def test_native_app_on_a_mini_program_platform_is_refused(filer):
    filing = complete_filing(filer)
    data = {**step_data()["basic"], "platforms": ["android", "wechat"]}
    response = post_step(as_user(filer), filing.pk, "basic", data)
    assert response.status_code == 400 and "platforms" in response.context["form"].errors


def test_declared_features_need_a_scenario_and_a_justification(filer):
    filing = complete_filing(filer)
    client = as_user(filer)
    response = post_step(
        client, filing.pk, "functions", {"main_functions": "巡查", "declared_categories": ["checkin"]}
    )
    assert response.status_code == 400
    assert {"special_scenario", "checkin_functions"} <= set(response.context["form"].errors)
    response = post_step(client, filing.pk, "functions", {"main_functions": "巡查", "special_scenario": "security",
                                                          "declared_categories": ["location_tracking"]})  # fmt: skip
    assert response.status_code == 400 and "special_scenario_justification" in response.context["form"].errors


def test_saving_one_step_works_while_other_steps_are_incomplete(filer):
    client = as_user(filer)
    client.post(reverse("registry:filing_create"), {"app_name": "半成品", "app_kind": "app"})
    filing = Filing.objects.get(app_name="半成品")
    assert post_step(client, filing.pk, "operations", {"om_team": "三人"}).status_code == 302
    filing.refresh_from_db()
    assert filing.om_team == "三人" and filing.state == FilingState.DRAFT


def test_wrong_dates(filer):
    filing = complete_filing(filer)
    client = as_user(filer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    data = {**step_data()["declarations"], "commitment_date": tomorrow.isoformat()}
    response = post_step(client, filing.pk, "declarations", data)
    assert response.status_code == 400 and "commitment_date" in response.context["form"].errors
    data["commitment_date"] = "2026-13-45"
    assert post_step(client, filing.pk, "declarations", data).status_code == 400


def test_change_step_refuses_a_past_effective_date(filer, provincial_reviewer, national_reviewer):
    filed = filed_filing(filer, provincial_reviewer, national_reviewer)
    client = as_user(filer)
    client.post(reverse("registry:app_change", args=[filed.app_id]))
    change = Filing.objects.get(app=filed.app, procedure="change")
    response = post_step(
        client, change.pk, "change", {"change_description": "改名", "change_effective_date": "2026-02-01"}
    )
    assert response.status_code == 400 and "change_effective_date" in response.context["form"].errors
    assert post_step(client, filed.pk, "change", {}).status_code in (
        403,
        404,
    )  # no change step on a filed new filing


def test_upload_refuses_wrong_types_and_oversized_files(filer, settings):
    filing = complete_filing(filer)
    client = as_user(filer)
    before = Attachment.objects.count()
    exe_as_pdf = upload(client, filing.pk, name="承诺书.pdf", content=b"MZ\x90\x00 not a pdf")
    assert exe_as_pdf.status_code == 400 and "PDF" in page(exe_as_pdf)
    script = upload(client, filing.pk, name="run.sh", content=b"#!/bin/sh\n")
    assert script.status_code == 400 and "run.sh" in page(script)
    empty = upload(client, filing.pk, name="empty.pdf", content=b"")
    assert empty.status_code == 400
    settings.GOVAPP_MAX_DOCUMENT_BYTES = 100
    big = upload(client, filing.pk, name="big.pdf", content=PDF + b"0" * 200)
    assert big.status_code == 400 and "big.pdf" in page(big)
    fake_docx = upload(client, filing.pk, name="a.docx", content=_zip({"hello.txt": b"x"}))
    assert fake_docx.status_code == 400
    assert Attachment.objects.count() == before


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_upload_accepts_real_documents_and_stores_them_once(filer):
    filing = complete_filing(filer)
    client = as_user(filer)
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    ofd = _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"})
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    for name, content in (
        ("报告.docx", docx),
        ("报告.ofd", ofd),
        ("图.png", png),
        ("a.pdf", PDF),
        ("b.pdf", PDF),
    ):
        assert upload(client, filing.pk, kind="other", name=name, content=content).status_code == 302, name
    same = Attachment.objects.filter(original_name__in=["a.pdf", "b.pdf"])
    assert len({a.file.name for a in same}) == 1  # content-addressed: one stored file
    download = client.get(reverse("registry:attachment_download", args=[same.get(original_name="b.pdf").pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "b.pdf" in download["Content-Disposition"]


def test_delete_own_upload_only_while_editable(filer, provincial_reviewer):
    filing = complete_filing(filer)
    client = as_user(filer)
    upload(client, filing.pk, kind="other", name="多余.pdf", content=PDF + b"extra")
    extra = Attachment.objects.get(original_name="多余.pdf")
    assert client.post(reverse("registry:attachment_delete", args=[extra.pk])).status_code == 302
    assert not Attachment.objects.filter(pk=extra.pk).exists()
    client.post(reverse("registry:filing_submit", args=[filing.pk]))
    commitment = filing.attachments.get()
    refused = client.post(reverse("registry:attachment_delete", args=[commitment.pk]))
    assert refused.status_code == 403 and Attachment.objects.filter(pk=commitment.pk).exists()


def test_submitting_an_incomplete_draft_lists_every_missing_item_with_links(filer):
    client = as_user(filer)
    client.post(reverse("registry:filing_create"), {"app_name": "未完成", "app_kind": "mini_program"})
    filing = Filing.objects.get(app_name="未完成")
    response = client.post(reverse("registry:filing_submit", args=[filing.pk]))
    assert response.status_code == 400
    text = page(response)
    assert reverse("registry:filing_edit", args=[filing.pk, "basic"]) in text
    assert reverse("registry:filing_edit", args=[filing.pk, "documents"]) in text
    assert "appid" in text
    filing.refresh_from_db()
    assert filing.state == FilingState.DRAFT


def test_illegal_transition_is_a_clear_400_and_changes_nothing(filer, provincial_reviewer, national_reviewer):
    filing = complete_filing(filer)
    as_user(filer).post(reverse("registry:filing_submit", args=[filing.pk]))
    response = as_user(national_reviewer).post(
        reverse("registry:filing_approve", args=[filing.pk]), {"note": "x"}
    )
    assert response.status_code == 400
    assert "只有处于国家网信办审核中的备案才能准予备案；当前状态为“省级完备性审核”。" in page(response)
    again = as_user(filer).post(reverse("registry:filing_submit", args=[filing.pk]))
    assert again.status_code == 400
    filing.refresh_from_db()
    assert filing.state == FilingState.PROVINCIAL_REVIEW


def test_return_without_items_and_extend_with_bad_dates(filer, provincial_reviewer, national_reviewer):
    filing = complete_filing(filer)
    as_user(filer).post(reverse("registry:filing_submit", args=[filing.pk]))
    province = as_user(provincial_reviewer)
    empty = {"items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "note": "keep me"}
    response = province.post(reverse("registry:filing_return", args=[filing.pk]), empty)
    assert response.status_code == 400 and "keep me" in page(response)  # the note is not lost
    orphan = {**empty, "items-0-message": "no field chosen"}
    assert province.post(reverse("registry:filing_return", args=[filing.pk]), orphan).status_code == 400
    province.post(reverse("registry:filing_forward", args=[filing.pk]), {})
    national = as_user(national_reviewer)
    filing.refresh_from_db()
    for expected in ("", "not a date", filing.clock_due.isoformat()):
        response = national.post(reverse("registry:filing_extend", args=[filing.pk]),
                                 {"reason": "复杂", "expected_date": expected})  # fmt: skip
        assert response.status_code == 400, expected
    filing.refresh_from_db()
    assert not filing.extended


def test_approval_blockers_are_shown_and_refuse_approval(
    filer, provincial_reviewer, national_reviewer, monkeypatch
):
    from govapp.registry import services

    filing = complete_filing(filer)
    as_user(filer).post(reverse("registry:filing_submit", args=[filing.pk]))
    as_user(provincial_reviewer).post(reverse("registry:filing_forward", args=[filing.pk]), {})
    monkeypatch.setattr(
        services, "APPROVAL_CHECKS", [lambda f: "No completed technical test of the package."]
    )
    national = as_user(national_reviewer)
    detail = page(national.get(reverse("registry:filing_detail", args=[filing.pk])))
    assert "No completed technical test of the package." in detail
    response = national.post(reverse("registry:filing_approve", args=[filing.pk]), {})
    assert response.status_code == 400 and "No completed technical test" in page(response)
    filing.refresh_from_db()
    assert filing.state == FilingState.NATIONAL_REVIEW


def test_supplement_needs_a_statement_and_keeps_the_upload_out(filer, provincial_reviewer, national_reviewer):
    filing = complete_filing(filer)
    as_user(filer).post(reverse("registry:filing_submit", args=[filing.pk]))
    as_user(provincial_reviewer).post(reverse("registry:filing_forward", args=[filing.pk]), {})
    as_user(national_reviewer).post(
        reverse("registry:filing_request_supplement", args=[filing.pk]),
        {
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-field": "om_team",
            "items-0-message": "补充",
        },
    )
    response = as_user(filer).post(
        reverse("registry:filing_supplement", args=[filing.pk]), {"statement": " "}
    )
    assert response.status_code == 400
    filing.refresh_from_db()
    assert filing.state == FilingState.AWAITING_SUPPLEMENT


def test_the_certificate_hint_and_its_error_agree() -> None:
    from django.utils import translation

    from govapp.registry.forms import BasicForm

    field = BasicForm.base_fields["android_cert_sha256"]
    with translation.override("en"):
        assert "colon" in str(field.help_text) and "accepted" in str(field.help_text)
        form = BasicForm.__new__(BasicForm)
        form.cleaned_data = {"android_cert_sha256": "AB:CD"}
        try:
            form.clean_android_cert_sha256()
        except Exception as exc:  # noqa: BLE001 - the message is what is checked
            message = " ".join(getattr(exc, "messages", [str(exc)]))
        assert "without colons" not in message and "colons" in message
        form.cleaned_data = {"android_cert_sha256": ":".join(["AB"] * 32)}
        assert form.clean_android_cert_sha256() == "ab" * 32


@pytest.mark.django_db
def test_ios_keeps_its_spelling_in_labels(filer) -> None:  # type: ignore[no-untyped-def]
    from django.utils import translation

    from govapp.registry.forms import BasicForm
    from tests.factories import complete_filing

    filing = complete_filing(filer)
    for language, label in (("en", "iOS bundle ID"), ("zh-hans", "iOS Bundle ID")):
        with translation.override(language):
            assert BasicForm(instance=filing).fields["ios_bundle"].label == label

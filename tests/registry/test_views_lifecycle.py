"""The whole lifecycle of a filing, driven through the real pages and forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from govapp.registry.choices import FilingState
from govapp.registry.models import App, Filing, FilingNumber
from tests.factories import complete_filing
from tests.registry.test_views_helpers import (
    PDF,
    as_user,
    filed_filing,
    fill_steps,
    page,
    post_step,
    upload,
    upload_packages,
    without_external_checks,
)


@pytest.fixture(autouse=True)
def _registry_only(monkeypatch):  # type: ignore[no-untyped-def]
    without_external_checks(monkeypatch)


def _deficiencies(*items: tuple[str, str], note: str = "") -> dict[str, str]:
    data = {"items-TOTAL_FORMS": str(len(items) + 1), "items-INITIAL_FORMS": "0", "note": note}
    for i, (field, message) in enumerate(items):
        data[f"items-{i}-field"] = field
        data[f"items-{i}-message"] = message
    return data


def test_new_filing_from_draft_to_number(filer, provincial_reviewer, national_reviewer):
    unit = as_user(filer)
    response = unit.post(reverse("registry:filing_create"), {"app_name": "浙里办事", "app_kind": "app"})
    filing = Filing.objects.get(app_name="浙里办事")
    assert response.url == reverse("registry:filing_edit", args=[filing.pk, "basic"])

    fill_steps(unit, filing.pk)
    assert upload(unit, filing.pk).status_code == 302
    filing.refresh_from_db()
    assert filing.android_cert_sha256 == "ab" * 32  # colon-separated upper case is normalised
    assert filing.platforms == ["android", "harmonyos"]
    upload_packages(unit, filing.pk)
    review = unit.get(reverse("registry:filing_edit", args=[filing.pk, "review"]))
    assert "必需材料已齐全" in page(review)  # Chinese by default

    unit.post(reverse("registry:filing_submit", args=[filing.pk]))
    filing.refresh_from_db()
    assert filing.state == FilingState.PROVINCIAL_REVIEW and filing.clock_limit == "N1"

    # The province returns it with two items in one consolidated list.
    province = as_user(provincial_reviewer)
    form = province.get(reverse("registry:filing_return", args=[filing.pk]))
    assert form.status_code == 200
    response = province.post(
        reverse("registry:filing_return", args=[filing.pk]),
        _deficiencies(("approval_doc_number", "Give the full number of the approval document."),
                      ("attachments", "The commitment lacks the unit's seal."), note="两项需补全"),
    )  # fmt: skip
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == FilingState.RETURNED

    detail = page(unit.get(reverse("registry:filing_detail", args=[filing.pk])))
    assert "Give the full number of the approval document." in detail
    assert "The commitment lacks the unit&#x27;s seal." in detail
    assert (
        reverse("registry:filing_edit", args=[filing.pk, "approval"]) in detail
    )  # each item links to its step

    assert post_step(unit, filing.pk, "approval", {
        "approval_basis": "数字政府建设规划", "approval_content": "建设移动办事应用", "approval_result": "同意立项",
        "approval_doc_number": "浙发改信〔2026〕12号（正式）"}).status_code == 302  # fmt: skip
    upload(unit, filing.pk, name="承诺书（盖章）.pdf")
    unit.post(reverse("registry:filing_submit", args=[filing.pk]))
    filing.refresh_from_db()
    assert filing.state == FilingState.PROVINCIAL_REVIEW

    province.post(reverse("registry:filing_forward", args=[filing.pk]), {"note": "材料完备"})
    filing.refresh_from_db()
    assert filing.state == FilingState.NATIONAL_REVIEW and filing.clock_limit == "N2"

    national = as_user(national_reviewer)
    response = national.post(
        reverse("registry:filing_request_supplement", args=[filing.pk]),
        {
            **_deficiencies(("main_functions", "Describe the reporting function in detail.")),
            "test_failed": "on",
        },
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == FilingState.AWAITING_SUPPLEMENT and filing.clock_limit == "N3"
    detail = page(unit.get(reverse("registry:filing_detail", args=[filing.pk])))
    assert "Describe the reporting function in detail." in detail

    # Materials are editable while the supplement is awaited; then the statement with a document.
    assert (
        post_step(
            unit, filing.pk, "functions", {"main_functions": "事项办理、数据填报（每月一次）"}
        ).status_code
        == 302
    )
    response = unit.post(
        reverse("registry:filing_supplement", args=[filing.pk]),
        {"statement": "已补充填报功能说明。", "document": SimpleUploadedFile("说明.pdf", PDF)},
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == FilingState.NATIONAL_REVIEW
    assert filing.events.get(action="supplement").attachments.count() == 1

    due = filing.clock_due
    assert due is not None
    expected = due + dt.timedelta(days=14)
    response = national.post(
        reverse("registry:filing_extend", args=[filing.pk]),
        {"reason": "涉及多个平台，需补充检测", "expected_date": expected.isoformat()},
    )
    assert response.status_code == 302
    detail = page(national.get(reverse("registry:filing_detail", args=[filing.pk])))
    assert "涉及多个平台，需补充检测" in detail and expected.isoformat() in detail

    national.post(reverse("registry:filing_approve", args=[filing.pk]), {"note": ""})
    filing.refresh_from_db()
    assert filing.state == FilingState.FILED
    number = FilingNumber.objects.get(filing=filing).number
    assert number.startswith("浙政备")
    assert number in page(unit.get(reverse("registry:filing_detail", args=[filing.pk])))
    assert number in page(unit.get(reverse("registry:app_detail", args=[filing.app_id])))
    history = page(unit.get(reverse("registry:filing_detail", args=[filing.pk])))
    for reason in ("两项需补全", "材料完备", "已补充填报功能说明。"):
        assert reason in history


def test_change_filing_shows_diff_and_keeps_number(filer, provincial_reviewer, national_reviewer):
    filed = filed_filing(filer, provincial_reviewer, national_reviewer)
    number = filed.app.current_number.number
    unit = as_user(filer)
    response = unit.post(reverse("registry:app_change", args=[filed.app_id]))
    change = Filing.objects.get(app=filed.app, procedure="change")
    assert response.url == reverse("registry:filing_edit", args=[change.pk, "change"])

    effective = timezone.localdate() + dt.timedelta(days=40)
    form = unit.post(
        reverse("registry:filing_edit", args=[change.pk, "change"]),
        {"change_description": "新增办事指南模块", "change_effective_date": effective.isoformat()},
    )
    assert form.status_code == 302
    shown = page(unit.get(reverse("registry:filing_edit", args=[change.pk, "change"])))
    assert "N4" in shown
    post_step(unit, change.pk, "functions", {"main_functions": "公文流转、通知公告、投诉建议、办事指南"})

    detail = page(unit.get(reverse("registry:filing_detail", args=[change.pk])))
    assert (
        "公文流转、通知公告、投诉建议、办事指南" in detail
        and "<del>公文流转、通知公告、投诉建议</del>" in detail
    )

    refused = unit.post(reverse("registry:filing_submit", args=[change.pk]))
    assert refused.status_code == 400  # a change needs its own signed commitment
    assert reverse("registry:filing_edit", args=[change.pk, "documents"]) in page(refused)
    upload(unit, change.pk)
    upload_packages(unit, change.pk)
    unit.post(reverse("registry:filing_submit", args=[change.pk]))
    change.refresh_from_db()
    assert change.state == FilingState.PROVINCIAL_REVIEW
    assert App.objects.get(pk=filed.app_id).state == App.State.CHANGE_REVIEW
    as_user(provincial_reviewer).post(reverse("registry:filing_forward", args=[change.pk]), {})
    as_user(national_reviewer).post(reverse("registry:filing_approve", args=[change.pk]), {})
    app = App.objects.get(pk=filed.app_id)
    assert app.state == App.State.FILED and app.current_number.number == number
    detail = page(unit.get(reverse("registry:filing_detail", args=[change.pk])))
    assert "<ins>公文流转、通知公告、投诉建议、办事指南</ins>" in detail


def test_shutdown_then_deregistration(filer, provincial_reviewer, national_reviewer):
    filed = filed_filing(filer, provincial_reviewer, national_reviewer)
    unit = as_user(filer)
    app_url = reverse("registry:app_detail", args=[filed.app_id])
    today = timezone.localdate()
    shutdown = unit.get(reverse("registry:app_shutdown", args=[filed.app_id]))
    assert "N5" in page(shutdown)
    response = unit.post(
        reverse("registry:app_shutdown", args=[filed.app_id]),
        {"notice": "本应用将于今日下线。", "offline_date": today.isoformat(),
         "document": SimpleUploadedFile("下线公告.pdf", PDF)},
    )  # fmt: skip
    assert response.url == app_url
    app = App.objects.get(pk=filed.app_id)
    assert app.state == App.State.SHUTDOWN_NOTICED and app.deregistration_due is not None
    assert app.deregistration_due.isoformat() in page(unit.get(app_url))

    unit.post(reverse("registry:app_deregister", args=[filed.app_id]), {"report": "已于今日下线并公告。"})
    app.refresh_from_db()
    assert app.state == App.State.DEREGISTERED
    assert app.current_number.status == FilingNumber.Status.DEREGISTERED


def test_rectification_revocation_and_refiling(filer, provincial_reviewer, national_reviewer):
    filed = filed_filing(filer, provincial_reviewer, national_reviewer)
    national = as_user(national_reviewer)
    app_id = filed.app_id
    national.post(reverse("registry:app_rectify", args=[app_id]), {"reason": "发现强制打卡功能"})
    assert App.objects.get(pk=app_id).state == App.State.RECTIFYING
    assert "发现强制打卡功能" in page(as_user(filer).get(reverse("registry:app_detail", args=[app_id])))

    unconfirmed = national.post(reverse("registry:app_revoke", args=[app_id]), {"reason": "逾期未整改"})
    assert unconfirmed.status_code == 400 and App.objects.get(pk=app_id).state == App.State.RECTIFYING
    national.post(reverse("registry:app_revoke", args=[app_id]), {"reason": "逾期未整改", "confirm": "on"})
    app = App.objects.get(pk=app_id)
    assert app.state == App.State.REVOKED and app.current_number.status == FilingNumber.Status.REVOKED

    response = as_user(filer).post(reverse("registry:app_refile", args=[app_id]))
    refiling = Filing.objects.get(app_id=app_id, procedure="refiling")
    assert response.url == reverse("registry:filing_edit", args=[refiling.pk, "basic"])
    assert refiling.main_functions == filed.main_functions


def test_central_ministry_files_directly_with_the_national_office(ministry_filer, national_reviewer):
    filing = complete_filing(ministry_filer, name="水利通")
    as_user(ministry_filer).post(reverse("registry:filing_submit", args=[filing.pk]))
    filing.refresh_from_db()
    assert filing.state == FilingState.NATIONAL_REVIEW
    queue = page(as_user(national_reviewer).get(reverse("portal:home")))
    assert "水利通" in queue


def test_after_abandonment_the_unit_files_the_same_app_again(filer, provincial_reviewer, national_reviewer):  # type: ignore[no-untyped-def]
    from govapp.registry import services
    from govapp.registry.materials import Deficiency

    filing = complete_filing(filer, name="再次备案应用")
    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    services.filing_request_supplement(
        filing=filing, actor=national_reviewer, items=[Deficiency("om_rules", "o", "补充运维制度")]
    )
    filing.refresh_from_db()
    services.filings_abandon_overdue(today=filing.clock_due + dt.timedelta(days=1))
    app = App.objects.get(pk=filing.app_id)
    client = as_user(filer)
    url = reverse("registry:app_start_again", args=[app.pk])
    assert url in page(client.get(reverse("registry:app_detail", args=[app.pk])))

    response = client.post(url)

    assert response.status_code == 302
    again = Filing.objects.exclude(pk=filing.pk).get(app=app)
    assert response["Location"] == reverse("registry:filing_edit", args=[again.pk, "basic"])
    assert (
        again.state == FilingState.DRAFT
        and again.app_name == "再次备案应用"
        and again.om_team == filing.om_team
    )
    assert App.objects.filter(name="再次备案应用").count() == 1
    assert url not in page(client.get(reverse("registry:app_detail", args=[app.pk])))  # one draft at a time
    assert client.post(url).status_code == 400  # the service refuses a second draft, with its reason
    assert Filing.objects.filter(app=app).count() == 2
    assert as_user(provincial_reviewer).post(url).status_code == 403

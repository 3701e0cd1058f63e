"""Helpers for driving the registry UI through its real forms (no tests here; imported by test_views_*)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govapp.registry import services
from govapp.registry.choices import FilingState
from govapp.registry.models import Filing
from tests.conftest import pass_second_factor
from tests.factories import complete_filing

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def without_external_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The technical test's approval check is tested by the inspection app; these tests drive the registry."""
    monkeypatch.setattr(services, "APPROVAL_CHECKS", [])
    monkeypatch.setattr(services, "SUPPLEMENT_HOOKS", [])


def step_data(app_name: str = "浙里办事", app_kind: str = "app") -> dict[str, dict[str, Any]]:
    """What a filer types into each step of the filing form."""
    today = timezone.localdate()
    return {
        "basic": {
            "app_name": app_name, "app_kind": app_kind, "platforms": ["android", "harmonyos"],
            "android_package": "cn.gov.zj.banshi", "android_cert_sha256": "AB:" * 31 + "AB",
            "harmony_bundle": "cn.gov.zj.banshi", "ios_bundle": "", "miniprogram_appid": "", "quickapp_package": "",
            "responsible_name": "王明", "responsible_post": "信息中心主任", "responsible_phone": "0571-88888888",
            "responsible_email": "wangming@example.gov.cn",
        },
        "approval": {
            "approval_basis": "数字政府建设规划", "approval_content": "建设移动办事应用",
            "approval_result": "同意立项", "approval_doc_number": "浙发改信〔2026〕12号",
        },
        "functions": {
            "main_functions": "事项办理、通知公告、投诉建议", "grassroots_functions": "", "checkin_functions": "",
            "special_scenario": "", "special_scenario_justification": "",
        },
        "operations": {
            "om_team": "信息中心运维组", "om_rules": "运维管理制度", "technical_plan": "原生应用，后端部署于政务云",
            "security_testing": "第三方安全测试通过", "mlps_level": "2", "mlps_assessment": "二级测评通过",
            "security_rules": "数据安全管理办法",
        },
        "acceptance": {
            "acceptance_requirements": "功能完备", "acceptance_content": "全部功能", "acceptance_result": "通过",
            "acceptance_opinion": "同意上线",
        },
        "declarations": {
            "same_kind_apps": "无", "commitment_signed_by": "李华",
            "commitment_date": (today - dt.timedelta(days=1)).isoformat(), "commitment_confirmed": "on",
        },
    }  # fmt: skip


def as_user(user: Any) -> Client:
    """A client signed in as ``user`` (like client_for, without hashing a password per persona switch)."""
    client = Client()
    client.force_login(user)
    pass_second_factor(client, user)
    return client


def post_step(client: Client, pk: int, step: str, data: dict[str, Any]) -> Any:
    return client.post(reverse("registry:filing_edit", args=[pk, step]), data)


def fill_steps(client: Client, pk: int, **overrides: dict[str, Any]) -> None:
    for step, data in step_data().items():
        response = post_step(client, pk, step, {**data, **overrides.get(step, {})})
        assert response.status_code == 302, (step, response.content.decode()[-6000:])


def upload(
    client: Client, pk: int, *, kind: str = "commitment", name: str = "承诺书.pdf", content: bytes = PDF
) -> Any:
    return client.post(
        reverse("registry:filing_edit", args=[pk, "documents"]),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def upload_packages(client: Client, pk: int) -> None:
    """The unit uploads, on the filing page's panel, a package for each declared platform lacking one."""
    from govapp.inspection.completeness import package_requirement
    from tests.factories import workflow_package

    filing = Filing.objects.get(pk=pk)
    for need in package_requirement(filing).missing:
        name, content = workflow_package(filing, need.platform)
        response = client.post(
            reverse("inspection:upload", args=[pk]), {"package": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 302, response.content.decode()


def page(response: Any) -> str:
    return response.content.decode()


def filed_filing(filer, provincial_reviewer, national_reviewer, **materials) -> Filing:  # type: ignore[no-untyped-def]
    """A complete filing taken through submit, forward and approve by the real action views."""
    filing = complete_filing(filer, **materials)
    as_user(filer).post(reverse("registry:filing_submit", args=[filing.pk]))
    as_user(provincial_reviewer).post(reverse("registry:filing_forward", args=[filing.pk]), {})
    as_user(national_reviewer).post(reverse("registry:filing_approve", args=[filing.pk]), {})
    filing.refresh_from_db()
    assert filing.state == FilingState.FILED
    return filing

"""The app package is part of completeness: one per declared platform a package format covers, asked at
submission, in the provincial completeness review (forward) and with a supplement, and listed with the
other missing materials."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from govapp.inspection.models import FilingPackage
from govapp.registry import materials
from govapp.registry import services as registry_services
from govapp.registry.choices import AppKind, FilingState
from govapp.registry.materials import missing_materials
from govapp.registry.models import Filing
from govapp.registry.services import WorkflowError
from tests.factories import attach_packages, complete_filing
from tests.registry.test_views_helpers import upload_packages

pytestmark = pytest.mark.django_db


def package_items(filing: Filing) -> list[str]:
    with translation.override("en"):
        return [str(item.label) for item in missing_materials(filing) if item.field == "package"]


def chinese(client: Client) -> Client:
    client.cookies.pop("django_language", None)
    return client


def test_each_declared_platform_a_format_covers_needs_its_package(filer) -> None:  # type: ignore[no-untyped-def]
    filing = complete_filing(
        filer,
        packages=False,
        platforms=["android", "harmonyos", "ios", "other"],
        ios_bundle="cn.gov.zj.example",
    )
    # "other": no package format covers it, so none is asked for.
    assert package_items(filing) == [
        "App package for Android",
        "App package for HarmonyOS",
        "App package for iOS",
    ]
    with translation.override("en"), pytest.raises(WorkflowError) as refused:
        registry_services.filing_submit(filing=filing, actor=filer)
    assert [item.field for item in refused.value.items] == ["package", "package", "package"]
    assert "APK, APKS or XAPK" in refused.value.items[0].message
    attach_packages(filing)
    assert package_items(filing) == []
    assert registry_services.filing_submit(filing=filing, actor=filer).state == FilingState.PROVINCIAL_REVIEW


def test_one_package_tests_every_mini_program_platform(filer) -> None:  # type: ignore[no-untyped-def]
    filing = complete_filing(filer, packages=False, kind=AppKind.MINI_PROGRAM)
    filing.platforms = ["wechat", "alipay"]
    filing.save()
    assert package_items(filing) == ["App package for WeChat、Alipay"]
    attach_packages(filing)
    assert FilingPackage.objects.filter(filing=filing, is_current=True).count() == 1
    assert package_items(filing) == []


def test_a_platform_no_format_covers_needs_no_package(filer) -> None:  # type: ignore[no-untyped-def]
    filing = complete_filing(
        filer, packages=False, platforms=["other"], android_package="", android_cert_sha256="",
        harmony_bundle="", ios_bundle="cn.gov.zj.example",
    )  # fmt: skip
    assert missing_materials(filing) == []
    assert registry_services.filing_submit(filing=filing, actor=filer).state == FilingState.PROVINCIAL_REVIEW


def test_a_relaxed_installation_needs_one_package_of_any_covered_platform(filer, settings) -> None:  # type: ignore[no-untyped-def]
    settings.GOVAPP_REQUIRE_PACKAGE_PER_PLATFORM = False
    filing = complete_filing(filer, packages=False)
    assert len(package_items(filing)) == 2
    filing.platforms = ["android"]
    filing.save()
    attach_packages(filing)
    filing.platforms = ["android", "harmonyos"]
    filing.save()
    assert package_items(filing) == []


def test_the_review_step_lists_missing_packages_with_a_link_to_the_upload_panel(  # type: ignore[no-untyped-def]
    filer, client_for
) -> None:
    filing = complete_filing(filer, packages=False, platforms=["android", "harmonyos", "other"])
    client = chinese(client_for(filer))
    review = reverse("registry:filing_edit", args=[filing.pk, "review"])
    html = client.get(review).content.decode()
    panel = reverse("registry:filing_detail", args=[filing.pk]) + f"#inspection-panel-{filing.pk}"
    assert "安装包（Android）" in html and "安装包（鸿蒙）" in html
    assert f'href="{panel}"' in html
    assert 'data-package-status="missing"' in html
    assert "data-package-not-required" in html  # said on the page: no package for "other"
    assert "disabled" in html.split('action="' + reverse("registry:filing_submit", args=[filing.pk]))[1][:300]
    upload_packages(client, filing.pk)
    html = client.get(review).content.decode()
    assert "必需材料已齐全" in html and 'data-package-status="missing"' not in html
    detail = client.get(reverse("registry:filing_detail", args=[filing.pk])).content.decode()
    assert "不要求上传安装包" in detail  # the panel says so too


def test_the_completeness_review_returns_a_filing_without_packages_and_never_forwards_it(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, client_for, monkeypatch
) -> None:
    filing = complete_filing(filer, packages=False)
    with pytest.MonkeyPatch.context() as patch:  # submitted before the package was part of completeness
        patch.setattr(materials, "MATERIAL_CHECKS", [])
        registry_services.filing_submit(filing=filing, actor=filer)
    province = client_for(provincial_reviewer)
    province.cookies["django_language"] = "en"
    detail = province.get(reverse("registry:filing_detail", args=[filing.pk])).content.decode()
    assert "data-completeness-gaps" in detail and "App package for Android" in detail
    refused = province.post(reverse("registry:filing_forward", args=[filing.pk]), {"note": ""})
    assert refused.status_code == 400 and "cannot be forwarded" in refused.content.decode()
    assert "App package for HarmonyOS" in refused.content.decode()
    filing.refresh_from_db()
    assert filing.state == FilingState.PROVINCIAL_REVIEW
    # The return form is prefilled with the package items, under the item "app package".
    form = province.get(reverse("registry:filing_return", args=[filing.pk])).content.decode()
    assert '<option value="package" selected>' in form
    registry_services.filing_return_incomplete(
        filing=filing, actor=provincial_reviewer, items=missing_materials(filing)
    )
    unit = client_for(filer)
    unit.cookies["django_language"] = "en"
    page = unit.get(reverse("registry:filing_detail", args=[filing.pk])).content.decode()
    panel = reverse("registry:filing_detail", args=[filing.pk]) + f"#inspection-panel-{filing.pk}"
    assert "App package for Android" in page and f'href="{panel}"' in page
    upload_packages(unit, filing.pk)
    registry_services.filing_submit(filing=filing, actor=filer)
    forwarded = registry_services.filing_forward(filing=filing, actor=provincial_reviewer)
    assert forwarded.state == FilingState.NATIONAL_REVIEW


def test_a_supplement_needs_the_packages_too(filer, provincial_reviewer, national_reviewer) -> None:  # type: ignore[no-untyped-def]
    filing = complete_filing(filer)
    registry_services.filing_submit(filing=filing, actor=filer)
    registry_services.filing_forward(filing=filing, actor=provincial_reviewer)
    registry_services.filing_request_supplement(
        filing=filing, actor=national_reviewer, items=[materials.Deficiency("om_team", "", "写明运维人员")]
    )
    filing.platforms = ["android", "harmonyos", "quickapp"]
    filing.quickapp_package = "cn.gov.zj.quick"
    filing.save()
    with translation.override("en"), pytest.raises(WorkflowError) as refused:
        registry_services.filing_supplement(filing=filing, actor=filer, statement="已补充")
    assert [str(item.label) for item in refused.value.items] == ["App package for Quick app platform"]

"""The technical test in the platform: upload -> queued scan -> report, approval gate, contradictions,
re-scans, refusals. Scans really run (the engine's sandboxed child process) on django-tasks' immediate
backend when the upload's transaction commits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from govapp.inspection import approval, services
from govapp.inspection.checks import approval_checks
from govapp.inspection.models import FilingPackage, Package, Scan
from govapp.registry import materials
from govapp.registry import services as registry_services
from govapp.registry.choices import AppKind, FilingState
from govapp.registry.materials import Deficiency, missing_materials
from govapp.registry.models import Filing
from govapp.registry.services import WorkflowError
from tests.factories import complete_filing
from tests.inspection.builders import hap, info_plist, ipa, macho, project_zip, zip_bytes

# Scans run inside the test as soon as the enqueuing transaction's on_commit callbacks run.
pytestmark = pytest.mark.usefixtures("immediate_tasks")

CLEAN_PROJECT = {
    "project.config.json": json.dumps({"appid": "wx1234567890abcdef", "projectname": "办事指南"}),
    "app.json": json.dumps({"pages": ["pages/index/index"]}),
    "app.js": "App({})\n",
    "pages/index/index.wxml": "<view>办事指南 投诉建议</view>\n",
    "pages/index/index.js": "Page({ data: { notice: '欢迎使用' } })\n",
}
CHECKIN_PROJECT = {
    **CLEAN_PROJECT,
    "app.json": json.dumps({"pages": ["pages/index/index", "pages/checkin/checkin"]}),
    "pages/checkin/checkin.wxml": "<view><button bindtap='checkin'>每日打卡签到</button></view>\n",
    "pages/checkin/checkin.js": "Page({ checkin() { wx.request({ url: 'https://example.gov.cn/checkin' }) } })\n",
}
# Recognised as a .wxapkg by its marks, but its index claims 500 bytes of a 25-byte file.
BROKEN_WXAPKG = (
    bytes([0xBE]) + (0).to_bytes(4, "big") + (500).to_bytes(4, "big") + (9).to_bytes(4, "big") + bytes([0xED])
    + b"\x00\x00\x00\x05garbage"
)  # fmt: skip


@pytest.fixture
def english_client(client_for):  # type: ignore[no-untyped-def]
    def make(user: Any) -> Client:
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def mini_filing(filer) -> Filing:  # type: ignore[no-untyped-def]
    return complete_filing(filer, packages=False, name="社区网格通", kind=AppKind.MINI_PROGRAM)


def upload(client: Client, filing: Filing, data: bytes, name: str = "project.zip", **headers: str) -> Any:
    return client.post(
        reverse("inspection:upload", args=[filing.pk]), {"package": SimpleUploadedFile(name, data)}, **headers
    )


def to_national(filing: Filing, filer: Any, reviewer: Any) -> Filing:
    registry_services.filing_submit(filing=filing, actor=filer)
    return registry_services.filing_forward(filing=filing, actor=reviewer)


def panel_html(client: Client, filing: Filing) -> str:
    response = client.get(reverse("inspection:panel", args=[filing.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


# ---------------------------------------------------------------- upload -> scan -> report


def test_upload_runs_the_scan_and_the_report_shows_the_findings(  # type: ignore[no-untyped-def]
    filer, national_reviewer, mini_filing, english_client, django_capture_on_commit_callbacks
):
    client = english_client(filer)
    data = project_zip(CHECKIN_PROJECT)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, mini_filing, data, name="grid.zip")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:filing_detail", args=[mini_filing.pk])

    link = FilingPackage.objects.get(filing=mini_filing)
    assert (link.platform, link.is_current, link.original_name, link.uploaded_by) == (
        "miniprogram",
        True,
        "grid.zip",
        filer,
    )
    assert link.package.kind == "miniprogram"
    stored = Path(settings.MEDIA_ROOT) / "packages" / link.package.sha256[:2] / link.package.sha256
    assert stored.read_bytes() == data
    scan = Scan.objects.get(filing=mini_filing)
    assert (scan.status, scan.verdict, scan.violation_count, scan.reason) == (
        "done",
        "violation",
        1,
        "upload",
    )
    assert scan.engine_version and scan.rules_version == scan.report["rules_version"]
    assert scan.declarations == [] and scan.filing_number == ""

    report_url = reverse("inspection:report", args=[scan.pk])
    # A scan of a draft is the unit's own; the reviewers see it once the filing is submitted.
    assert english_client(national_reviewer).get(report_url).status_code == 404
    registry_services.filing_submit(filing=mini_filing, actor=filer)
    page = english_client(national_reviewer).get(report_url).content.decode()
    assert 'data-verdict="violation"' in page
    assert 'data-rule="FORM-CHECKIN-001"' in page
    assert "pages/checkin/checkin.wxml" in page  # the evidence table names the file
    assert "每日打卡签到" in page  # ... and shows the snippet
    assert scan.rules_version in page and scan.engine_version in page
    assert 'data-kind="undeclared"' in page and "declares no" in page


def test_report_downloads_are_the_stored_json_and_the_engines_html(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, mini_filing, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(filer), mini_filing, project_zip(CHECKIN_PROJECT))
    scan = Scan.objects.get()
    client = client_for(provincial_reviewer)  # same province: may see the submitted filing and its report
    assert client.get(reverse("inspection:report_json", args=[scan.pk])).status_code == 404
    registry_services.filing_submit(filing=mini_filing, actor=filer)
    response = client.get(reverse("inspection:report_json", args=[scan.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content) == scan.report
    response = client.get(reverse("inspection:report_html", args=[scan.pk]))
    assert response.status_code == 200
    assert "default-src 'none'" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert body.lstrip().lower().startswith("<!doctype html") and "FORM-CHECKIN-001" in body


def test_htmx_panel_polls_while_the_scan_is_queued_and_stops_when_done(  # type: ignore[no-untyped-def]
    filer, mini_filing, client_for, django_capture_on_commit_callbacks
):
    client = client_for(filer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, mini_filing, project_zip(CLEAN_PROJECT), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert (
        "<html" not in fragment and 'hx-trigger="every 2s"' in fragment and 'data-status="queued"' in fragment
    )
    assert Scan.objects.get().status == "queued"
    for callback in callbacks:
        callback()
    fragment = panel_html(client, mini_filing)
    assert 'hx-trigger="every 2s"' not in fragment
    assert 'data-status="done"' in fragment and 'data-verdict="pass"' in fragment


# ---------------------------------------------------------------- approval gate


def test_national_approval_waits_for_a_completed_scan(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, client_for, django_capture_on_commit_callbacks
):
    filing = complete_filing(filer, packages=False, name="办事指南", kind=AppKind.MINI_PROGRAM)
    bare = complete_filing(
        filer,
        packages=False,
        name="无安装包",
        kind=AppKind.MINI_PROGRAM,
        miniprogram_appid="wx00000000000000bb",
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload(client_for(filer), filing, project_zip(CLEAN_PROJECT))
    to_national(filing, filer, provincial_reviewer)
    # Forwarded before the package was part of completeness: approval still refuses it.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(materials, "MATERIAL_CHECKS", [])
        to_national(bare, filer, provincial_reviewer)

    with translation.override("en"), pytest.raises(WorkflowError, match="No app package has been uploaded"):
        registry_services.filing_approve(filing=bare, actor=national_reviewer)
    with translation.override("en"), pytest.raises(WorkflowError, match="is still Queued"):
        registry_services.filing_approve(filing=filing, actor=national_reviewer)
    assert 'data-approval="blocked"' in panel_html(client_for(national_reviewer), filing)

    for callback in callbacks:  # the worker picks the scan up
        callback()
    assert 'data-approval="ready"' in panel_html(client_for(national_reviewer), filing)
    approved = registry_services.filing_approve(filing=filing, actor=national_reviewer)
    assert approved.state == FilingState.FILED


def test_an_analysis_error_is_shown_and_keeps_approval_blocked(  # type: ignore[no-untyped-def]
    filer,
    provincial_reviewer,
    national_reviewer,
    mini_filing,
    english_client,
    client_for,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(english_client(filer), mini_filing, BROKEN_WXAPKG, name="app.wxapkg")
    assert response.status_code == 302
    scan = Scan.objects.get()
    assert scan.status == "failed" and scan.verdict == "error" and scan.error_kind == "malformed"
    assert "does not fit" in scan.error
    to_national(mini_filing, filer, provincial_reviewer)
    fragment = panel_html(english_client(national_reviewer), mini_filing)
    assert "Could not analyse:" in fragment and "The package is damaged or malformed" in fragment
    assert scan.error in fragment
    # The reviewer's language says what went wrong; the engine's detail follows in English.
    chinese = panel_html(client_for(national_reviewer), mini_filing)
    assert "无法检测：" in chinese and "安装包已损坏或结构异常" in chinese
    report_page = client_for(national_reviewer).get(reverse("inspection:report", args=[scan.pk]))
    assert "安装包已损坏或结构异常" in report_page.content.decode()
    with (
        translation.override("en"),
        pytest.raises(
            WorkflowError, match="could not analyse app.wxapkg: The package is damaged.*does not fit"
        ),
    ):
        registry_services.filing_approve(filing=mini_filing, actor=national_reviewer)


# ---------------------------------------------------------------- contradictions


def test_undeclared_check_in_is_highlighted_and_declared_features_are_exceptions(  # type: ignore[no-untyped-def]
    filer, national_reviewer, client_for, django_capture_on_commit_callbacks
):
    plain = complete_filing(filer, packages=False, name="平常应用", kind=AppKind.MINI_PROGRAM)
    declared = complete_filing(
        filer, packages=False, name="应急值守", kind=AppKind.MINI_PROGRAM, special_scenario="emergency",
        special_scenario_justification="防汛应急值守需要签到", declared_categories=["checkin", "online_time"],
    )  # fmt: skip
    explained = complete_filing(
        filer,
        packages=False,
        name="会议签到",
        kind=AppKind.MINI_PROGRAM,
        checkin_functions="会议签到，依据会议管理办法第五条",
    )
    client = client_for(filer)
    with django_capture_on_commit_callbacks(execute=True):
        for filing in (plain, declared, explained):
            upload(client, filing, project_zip(CHECKIN_PROJECT))

    scan = Scan.objects.get(filing=plain)
    found = approval.contradictions(plain, scan)
    assert [(c.category, c.kind, c.highlight) for c in found] == [("checkin", "undeclared", True)]
    registry_services.filing_submit(filing=plain, actor=filer)
    assert 'data-kind="undeclared" data-category="checkin"' in panel_html(
        client_for(national_reviewer), plain
    )

    scan = Scan.objects.get(filing=declared)
    assert scan.declarations == ["checkin", "online_time"]
    assert [f["status"] for f in scan.report["findings"] if f["category"] == "checkin"] == [
        "declared_exception"
    ]
    found = approval.contradictions(declared, scan)
    assert [(c.category, c.kind, c.highlight) for c in found] == [("online_time", "not_found", False)]

    scan = Scan.objects.get(filing=explained)
    found = approval.contradictions(explained, scan)
    assert [(c.category, c.kind, c.highlight) for c in found] == [("checkin", "explained", False)]
    assert "会议签到" in found[0].message


# ---------------------------------------------------------------- re-scans


def test_a_supplement_rescans_the_current_package_automatically(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, national_reviewer, mini_filing, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(filer), mini_filing, project_zip(CHECKIN_PROJECT))
    to_national(mini_filing, filer, provincial_reviewer)
    registry_services.filing_request_supplement(
        filing=mini_filing,
        actor=national_reviewer,
        items=[Deficiency("package", "package", "去掉打卡功能")],
        test_failed=True,
    )
    first = Scan.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        registry_services.filing_supplement(filing=mini_filing, actor=filer, statement="已说明")
    again = Scan.objects.exclude(pk=first.pk).get()
    # Same package, engine, rules and declarations: the stored result is reused and says so.
    assert (again.reason, again.status, again.reused_from, again.verdict) == (
        "supplement",
        "done",
        first,
        "violation",
    )
    assert again.report == first.report

    # A new package uploaded with the next supplement is scanned once, not twice.
    registry_services.filing_request_supplement(
        filing=mini_filing, actor=national_reviewer, items=[Deficiency("package", "package", "仍有打卡")]
    )
    with django_capture_on_commit_callbacks(execute=False) as upload_callbacks:
        upload(client_for(filer), mini_filing, project_zip(CLEAN_PROJECT))
    with django_capture_on_commit_callbacks(execute=True):  # the new package's scan is still queued
        registry_services.filing_supplement(filing=mini_filing, actor=filer, statement="已删除打卡功能")
    for callback in upload_callbacks:
        callback()
    current = FilingPackage.objects.get(filing=mini_filing, is_current=True)
    scans = Scan.objects.filter(filing=mini_filing, package=current.package)
    assert [(s.reason, s.status, s.verdict) for s in scans] == [("upload", "done", "pass")]
    assert FilingPackage.objects.filter(filing=mini_filing, is_current=False).count() == 1
    assert approval.approval_blocker(mini_filing) is None


def test_national_reviewer_can_request_a_fresh_scan(  # type: ignore[no-untyped-def]
    filer, national_reviewer, inspector, mini_filing, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(filer), mini_filing, project_zip(CLEAN_PROJECT))
    url = reverse("inspection:rescan", args=[mini_filing.pk])
    assert client_for(filer).post(url).status_code == 403
    # A never-submitted filing's package is the unit's own: not even there for a re-scan.
    assert client_for(national_reviewer).post(url).status_code == 404
    assert not Scan.objects.filter(reason="rescan").exists()
    registry_services.filing_submit(filing=mini_filing, actor=filer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client_for(national_reviewer).post(url).status_code == 302
        # While that scan is queued another request is refused with the reason.
        response = client_for(inspector).post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "inspection-panel" in response.content.decode()
    rescan = Scan.objects.filter(reason="rescan").get()
    assert (rescan.status, rescan.reused_from, rescan.requested_by) == ("queued", None, national_reviewer)
    for callback in callbacks:
        callback()
    rescan.refresh_from_db()
    assert (rescan.status, rescan.verdict) == ("done", "pass")


def test_same_package_twice_is_stored_once_and_its_result_reused(  # type: ignore[no-untyped-def]
    filer, client_for, django_capture_on_commit_callbacks
):
    first = complete_filing(filer, packages=False, name="应用甲", kind=AppKind.MINI_PROGRAM)
    second = complete_filing(filer, packages=False, name="应用乙", kind=AppKind.MINI_PROGRAM)
    data = project_zip(CLEAN_PROJECT)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(filer), first, data, name="a.zip")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(filer), second, data, name="b.zip")
    package = Package.objects.get()
    assert package.size == len(data)
    assert (
        len(list((Path(settings.MEDIA_ROOT) / "packages").rglob("*"))) == 2
    )  # aa/, aa/<sha256>: no scratch copy
    original, reused = Scan.objects.order_by("id")
    assert reused.reused_from == original and reused.filing == second
    assert FilingPackage.objects.get(filing=second).original_name == "b.zip"


# ---------------------------------------------------------------- upload errors


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.apk", b"", "the file is empty"),
        ("report.pdf", b"%PDF-1.4\n" + b"x" * 200, "not a package format we recognise"),
        ("notes.zip", None, "not a package format we recognise"),
        ("cache.wxapkg", b"V1MMWX" + bytes(200), "encrypted WeChat PC-cache package"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(  # type: ignore[no-untyped-def]
    name, data, message, filer, mini_filing, english_client, django_capture_on_commit_callbacks
):
    if data is None:
        data = project_zip({"readme.txt": "not an app"})
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(english_client(filer), mini_filing, data, name=name, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Package.objects.exists() and not Scan.objects.exists()
    assert not [p for p in (Path(settings.MEDIA_ROOT) / "packages").rglob("*") if p.is_file()]


def test_oversized_and_missing_uploads_are_refused(  # type: ignore[no-untyped-def]
    filer, mini_filing, english_client, settings
):
    settings.GOVAPP_MAX_PACKAGE_BYTES = 1000
    client = english_client(filer)
    response = upload(client, mini_filing, project_zip(CHECKIN_PROJECT) + bytes(2000))
    assert response.status_code == 400
    assert "larger than the limit of 1000 bytes" in response.content.decode()
    response = client.post(reverse("inspection:upload", args=[mini_filing.pk]), {})
    assert response.status_code == 400 and "Choose the app package file" in response.content.decode()
    assert not Package.objects.exists()


def test_no_upload_once_the_filing_is_with_the_reviewers(  # type: ignore[no-untyped-def]
    filer, provincial_reviewer, english_client
):
    submitted = complete_filing(filer, name="社区网格通", kind=AppKind.MINI_PROGRAM)
    registry_services.filing_submit(filing=submitted, actor=filer)
    uploaded = list(FilingPackage.objects.values_list("pk", "is_current"))
    response = upload(english_client(filer), submitted, project_zip(CLEAN_PROJECT))
    assert response.status_code == 400 and "only while the filing is a draft" in response.content.decode()
    # Reviewers see the filing but never upload for the unit.
    assert (
        upload(english_client(provincial_reviewer), submitted, project_zip(CLEAN_PROJECT)).status_code == 403
    )
    assert list(FilingPackage.objects.values_list("pk", "is_current")) == uploaded


# ---------------------------------------------------------------- deny by default


@pytest.fixture
def scanned(filer, mini_filing, client_for, django_capture_on_commit_callbacks) -> Scan:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(filer), mini_filing, project_zip(CLEAN_PROJECT))
    return Scan.objects.get()


@pytest.mark.parametrize("outsider", ["other_filer", "far_filer", "other_provincial_reviewer", "sysadmin"])
def test_outsiders_get_404_everywhere(outsider, scanned, client_for, request):  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(outsider))
    filing_pk = scanned.filing_id
    for name in ("report", "report_json", "report_html"):
        assert client.get(reverse(f"inspection:{name}", args=[scanned.pk])).status_code == 404
    assert client.get(reverse("inspection:panel", args=[filing_pk])).status_code == 404
    for name in ("upload", "rescan"):
        assert client.post(reverse(f"inspection:{name}", args=[filing_pk])).status_code == 404
    assert Scan.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(scanned):  # type: ignore[no-untyped-def]
    client = Client()
    for url in (
        reverse("inspection:report", args=[scanned.pk]),
        reverse("inspection:panel", args=[scanned.filing_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert client.post(reverse("inspection:upload", args=[scanned.filing_id])).status_code == 302


def test_the_filing_page_includes_the_panel(filer, scanned, english_client):  # type: ignore[no-untyped-def]
    response = english_client(filer).get(reverse("registry:filing_detail", args=[scanned.filing_id]))
    assert response.status_code == 200
    assert f'id="inspection-panel-{scanned.filing_id}"' in response.content.decode()


def test_each_platform_keeps_its_own_current_package(  # type: ignore[no-untyped-def]
    filer, filing_for_two_platforms, client_for, django_capture_on_commit_callbacks
):
    filing = filing_for_two_platforms
    client = client_for(filer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, filing, hap(abc_strings=["通知公告"]), name="entry-1.hap")
        upload(client, filing, project_zip(CLEAN_PROJECT), name="mini.zip")
        upload(client, filing, hap(abc_strings=["办事指南"]), name="entry-2.hap")
    current = {
        link.platform: link.original_name
        for link in FilingPackage.objects.filter(filing=filing, is_current=True)
    }
    assert current == {"harmonyos": "entry-2.hap", "miniprogram": "mini.zip"}
    replaced = FilingPackage.objects.get(filing=filing, is_current=False)
    assert replaced.original_name == "entry-1.hap"
    assert Scan.objects.get(filing=filing, package=replaced.package).status == "done"
    assert approval.approval_blocker(filing) is None


@pytest.fixture
def filing_for_two_platforms(filer) -> Filing:  # type: ignore[no-untyped-def]
    return complete_filing(
        filer, packages=False, name="掌上办事", kind=AppKind.APP, platforms=["harmonyos", "wechat"],
        harmony_bundle="gov.example.attendance", miniprogram_appid="wx1234567890abcdef",
    )  # fmt: skip


def test_a_spot_check_scan_outside_any_filing_is_for_the_national_side_only(  # type: ignore[no-untyped-def]
    filer, inspector, national_reviewer, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        package = services.package_store(
            uploaded_file=SimpleUploadedFile("store.zip", project_zip(CHECKIN_PROJECT))
        )
        scan = services.scan_create(
            package=package,
            filing=None,
            actor=inspector,
            reason=Scan.Reason.SPOT_CHECK,
            filing_number="浙政备2026000001X",
        )
    scan.refresh_from_db()
    assert (scan.status, scan.filing_number) == ("done", "浙政备2026000001X")
    assert scan.report["filing_number"] == "浙政备2026000001X"
    url = reverse("inspection:report", args=[scan.pk])
    assert client_for(inspector).get(url).status_code == 200
    assert client_for(national_reviewer).get(url).status_code == 200
    assert client_for(filer).get(url).status_code == 404


def test_the_panel_names_declared_platforms_the_test_does_not_cover(  # type: ignore[no-untyped-def]
    filer, english_client, django_capture_on_commit_callbacks
):
    filing = complete_filing(
        filer, packages=False, name="掌上办事", kind=AppKind.APP, platforms=["harmonyos", "wechat", "other"]
    )
    client = english_client(filer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, filing, hap(abc_strings=["通知公告"]), name="entry.hap")
    fragment = panel_html(client, filing)
    # No mini-program package yet: the WeChat side is untested; "other" has no package format at all.
    assert 'data-coverage="untested"' in fragment and "WeChat" in fragment
    assert 'data-coverage="untestable"' in fragment and "Other" in fragment
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, filing, project_zip(CLEAN_PROJECT), name="mini.zip")
    fragment = panel_html(client, filing)
    assert 'data-coverage="untested"' not in fragment
    assert 'data-coverage="untestable"' in fragment


def test_the_stored_report_names_the_upload_never_a_server_path(  # type: ignore[no-untyped-def]
    filer, mini_filing, client_for, django_capture_on_commit_callbacks
):
    import json
    import tempfile

    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(filer), mini_filing, project_zip(CLEAN_PROJECT), name="clean.zip")
    scan = Scan.objects.get(filing=mini_filing)
    text = json.dumps(scan.report, ensure_ascii=False)
    assert scan.report["package"]["path"] == "clean.zip"
    assert str(settings.MEDIA_ROOT) not in text and tempfile.gettempdir() not in text


# ---------------------------------------------------------------- iOS and H5 packages


def test_an_ios_package_is_tested_and_bound_to_the_declared_bundle(  # type: ignore[no-untyped-def]
    filer, english_client, django_capture_on_commit_callbacks
):
    filing = complete_filing(
        filer, packages=False, name="掌上办事", kind=AppKind.APP, platforms=["ios"], android_package="",
        android_cert_sha256="", harmony_bundle="", ios_bundle="cn.gov.example.grid",
    )  # fmt: skip
    client = english_client(filer)
    resources = {"zh-Hans.lproj/Localizable.strings": '"t" = "办事指南";'}
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, filing, ipa(executable=macho(), resources=resources), name="grid.ipa")
    link = FilingPackage.objects.get(filing=filing)
    assert (link.platform, link.package.kind) == ("ios", "ipa")
    scan = Scan.objects.get(filing=filing)
    assert (scan.status, scan.verdict, scan.expected_identity) == (
        "done",
        "pass",
        {"bundle": "cn.gov.example.grid"},
    )
    fragment = panel_html(client, filing)
    assert "iOS app (.ipa)" in fragment and 'data-coverage="untested"' not in fragment
    # An IPA of another app is refused by the identity binding.
    other = ipa(info=info_plist(bundle_id="cn.gov.other.app"), executable=macho())
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, filing, other, name="other.ipa")
    scan = Scan.objects.filter(filing=filing).latest("pk")
    assert scan.verdict == "violation"
    assert [f["category"] for f in scan.report["findings"]][0] == "identity_mismatch"


def test_an_ipa_whose_executable_was_not_analysed_is_flagged_to_the_reviewer(  # type: ignore[no-untyped-def]
    filer, national_reviewer, english_client, client_for, django_capture_on_commit_callbacks
):
    filing = complete_filing(
        filer, packages=False, name="掌上办事", kind=AppKind.APP, platforms=["ios"], android_package="",
        android_cert_sha256="", harmony_bundle="", ios_bundle="cn.gov.example.grid",
    )  # fmt: skip
    client = english_client(filer)
    with django_capture_on_commit_callbacks(execute=True):
        upload(
            client,
            filing,
            ipa(executable=macho(cstrings=["请完成每日打卡签到"], encrypted=True)),
            name="store.ipa",
        )
    scan = Scan.objects.get(filing=filing)
    # The encrypted code says nothing, so nothing was found; the clean result covers the resources only.
    assert (scan.status, scan.verdict) == ("done", "pass")
    fragment = panel_html(client, filing)
    assert 'data-check="coverage" data-blocking="false" data-attention="true"' in fragment
    assert (
        "store.ipa: the executable was not analysed (an encrypted App Store build), so the technical test covers "
        "only its resources: submit a development or ad-hoc build."
    ) in fragment
    chinese = panel_html(client_for(filer), filing)
    assert "store.ipa：可执行文件未经检测（应用商店版本，已加密），技术检测只覆盖了其资源文件" in chinese
    assert "请提交开发版本或临时分发版本的安装包" in chinese
    # The approval page shows the same block, this item first: it informs, it does not block approval.
    assert approval.approval_blocker(filing) is None
    assert [(c.kind, c.blocking, c.attention) for c in approval_checks(filing)][0] == (
        "coverage",
        False,
        True,
    )
    # A build whose executable is read carries no such flag.
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, filing, ipa(executable=macho()), name="adhoc.ipa")
    assert 'data-attention="true"' not in panel_html(client, filing)
    registry_services.filing_submit(filing=filing, actor=filer)
    page = (
        english_client(national_reviewer).get(reverse("inspection:report", args=[scan.pk])).content.decode()
    )
    assert "Executable not analysed" in page and "Submit a development or ad-hoc build" in page


def test_an_h5_zip_is_accepted_for_a_filing_declaring_h5(  # type: ignore[no-untyped-def]
    filer, national_reviewer, english_client, django_capture_on_commit_callbacks
):
    filing = complete_filing(
        filer, packages=False, name="网上办事大厅", kind=AppKind.APP, platforms=["h5"], android_package="",
        android_cert_sha256="", harmony_bundle="", ios_bundle="",
    )  # fmt: skip
    # A web-only app has no store identifier to declare; its package is the only material missing.
    assert [item.field for item in missing_materials(filing)] == ["package"]
    client = english_client(filer)
    web = zip_bytes(
        {
            "hall/package.json": json.dumps({"name": "online-hall", "version": "3.0.1"}),
            "hall/index.html": "<div id='app'></div><script src='./main.js'></script>",
            "hall/main.js": "document.title = '网上办事大厅'; render('<h2>本周办件量排行榜</h2>')\n",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, filing, web, name="hall.zip")
    link = FilingPackage.objects.get(filing=filing)
    assert (link.platform, link.package.kind) == ("web", "h5")
    scan = Scan.objects.get(filing=filing)
    assert scan.status == "done" and scan.report["package"]["name"] == "online-hall"
    fragment = panel_html(client, filing)
    assert "H5 web app (zip)" in fragment and 'data-coverage="untested"' not in fragment
    registry_services.filing_submit(filing=filing, actor=filer)
    page = (
        english_client(national_reviewer).get(reverse("inspection:report", args=[scan.pk])).content.decode()
    )
    assert 'data-format="h5"' in page and "H5 web app (zip)" in page

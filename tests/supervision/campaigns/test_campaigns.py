"""Spot-check campaigns through the real pages: draw, package requests, uploads, batch technical test on the
immediate task backend, report, rectification orders; the deadline rule; refusals and bad input."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govapp.core.models import Notification
from govapp.core.scheduler import time_rules
from govapp.registry import services as registry
from govapp.registry.choices import AppKind
from govapp.registry.models import App
from govapp.supervision.campaigns import report as spot_report
from govapp.supervision.campaigns import spot_check as spot
from govapp.supervision.campaigns.models import CampaignEvent, SpotCheckCampaign, SpotCheckItem
from govapp.supervision.models import RectificationOrder
from tests.factories import complete_filing
from tests.inspection.builders import hap, project_zip

pytestmark = pytest.mark.usefixtures("immediate_tasks")  # scans run at once, in the test

CLEAN = {
    "project.config.json": json.dumps({"appid": "wx0123456789abcdef", "projectname": "办事指南"}),
    "app.json": json.dumps({"pages": ["pages/index/index"]}),
    "app.js": "App({})\n",
    "pages/index/index.wxml": "<view>办事指南 投诉建议</view>\n",
    "pages/index/index.js": "Page({ data: { notice: '欢迎使用' } })\n",
}
CHECKIN = {
    **CLEAN,
    "app.json": json.dumps({"pages": ["pages/index/index", "pages/checkin/checkin"]}),
    "pages/checkin/checkin.wxml": "<view><button bindtap='checkin'>每日打卡签到</button></view>\n",
    "pages/checkin/checkin.js": "Page({ checkin() { wx.request({ url: 'https://example.gov.cn/checkin' }) } })\n",
}
TUESDAY = dt.date(2026, 9, 29)  # 5 working days run across the National Day holiday (Oct 1–7)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def file_app(
    filer: Any, provincial: Any, national: Any, name: str, n: int, kind: str = AppKind.MINI_PROGRAM
) -> App:
    extra = {"miniprogram_appid": f"wx00000000000000{n:02d}"} if kind == AppKind.MINI_PROGRAM else {}
    filing = complete_filing(filer, name=name, kind=kind, **extra)
    registry.filing_submit(filing=filing, actor=filer)
    if not filing.app.unit.is_central:
        registry.filing_forward(filing=filing, actor=provincial)
    registry.filing_approve(filing=filing, actor=national)
    return App.objects.get(pk=filing.app_id)


@pytest.fixture
def two_apps(filer, other_filer, provincial_reviewer, national_reviewer, without_technical_test) -> list[App]:  # type: ignore[no-untyped-def]
    """Two filed mini-programs of two Zhejiang units (approved without a scanned package)."""
    return [
        file_app(filer, provincial_reviewer, national_reviewer, "社区网格通", 1),
        file_app(other_filer, provincial_reviewer, national_reviewer, "宁波办事", 2),
    ]


def create(national: Any, **overrides: Any) -> SpotCheckCampaign:
    kwargs: dict[str, Any] = {"actor": national, "title": "2026年第三季度抽查", "size": 2, "method": "random",
                              "seed": "42", "app_kinds": ["mini_program"]}  # fmt: skip
    kwargs.update(overrides)
    return spot.campaign_create(**kwargs)


def own(app: App, files: dict[str, str]) -> dict[str, str]:
    """The project files as the app's own package: its filed appid (a spot check compares it)."""
    return {
        **files,
        "project.config.json": json.dumps({"appid": app.miniprogram_appid, "projectname": app.name}),
    }


def displaying_number(app: App, files: dict[str, str] = CLEAN) -> bytes:
    """A package that shows the unit and the app's filing number, as filed apps must (Art. 8)."""
    number = app.current_number.number if app.current_number else ""
    return project_zip(
        {
            **own(app, files),
            "pages/about/about.wxml": f"<view>主办单位：{app.unit.name} 备案号：{number}</view>\n",
        }
    )


def upload(client: Client, item: SpotCheckItem, data: bytes, name: str = "project.zip") -> Any:
    return client.post(reverse("supervision:campaign_item_upload", args=[item.pk]),
                       {"package": SimpleUploadedFile(name, data)})  # fmt: skip


def test_small_campaign_end_to_end(  # type: ignore[no-untyped-def]
    two_apps, filer, other_filer, national_reviewer, client_for, django_capture_on_commit_callbacks
):
    national = english(client_for(national_reviewer))
    response = national.post(reverse("supervision:campaign_new"), {
        "title": "2026年第三季度抽查", "method": "random", "size": "2", "seed": "", "app_kinds": ["mini_program"],
    })  # fmt: skip
    campaign = SpotCheckCampaign.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supervision:campaign_detail",
                                                                           args=[campaign.pk])  # fmt: skip
    assert campaign.seed.isdigit() and len(campaign.seed) == 9  # generated, recorded and shown
    assert sorted(row["id"] for row in campaign.population) == sorted(a.pk for a in two_apps)
    page = national.get(response["Location"]).content.decode()
    assert campaign.seed in page and "0 of 2 scanned" in page and "same apps" in page

    items = {item.app_id: item for item in campaign.items.all()}
    first, second = items[two_apps[0].pk], items[two_apps[1].pk]
    request = Notification.objects.get(recipient=filer, subject__contains="Spot check")
    assert (
        request.url == reverse("supervision:campaign_item", args=[first.pk]) and request.due == campaign.due
    )

    # Each unit sends its package through its own page; the technical test starts on arrival, unasked.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            upload(
                english(client_for(filer)), first, project_zip(own(two_apps[0], CHECKIN)), "grid.zip"
            ).status_code
            == 302
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            upload(english(client_for(other_filer)), second, displaying_number(two_apps[1])).status_code
            == 302
        )
    first.refresh_from_db()
    assert first.package is not None and first.package_name == "grid.zip" and first.scan is not None
    assert (
        "run-scans"
        not in national.get(reverse("supervision:campaign_detail", args=[campaign.pk])).content.decode()
    )
    progress = national.get(
        reverse("supervision:campaign_progress", args=[campaign.pk]), HTTP_HX_REQUEST="true"
    )
    html = progress.content.decode()
    assert "2 of 2 scanned" in html and 'data-pending="0"' in html and "hx-trigger" not in html
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.outcome, second.outcome) == ("violation", "pass")
    assert first.scan is not None and first.scan.reason == "spot_check"
    assert first.scan.filing_number == two_apps[0].current_number.number

    report = national.get(reverse("supervision:campaign_report", args=[campaign.pk]))
    text = report.content.decode()
    assert report.status_code == 200
    assert 'data-category="checkin"' in text and "pages/checkin/checkin" in text
    assert reverse("inspection:report", args=[first.scan_id]) in text
    assert "社区网格通" in text and "None overdue." in text

    # Violations become rectification orders in one step.
    response = national.post(reverse("supervision:campaign_report", args=[campaign.pk]), {
        "items": [str(first.pk)], "required_actions": "删除打卡功能，提交整改说明和新安装包", "workdays": "",
    })  # fmt: skip
    assert response.status_code == 302
    first.refresh_from_db()
    order = RectificationOrder.objects.get()
    assert first.order == order and order.source == "spot_check" and order.scan_id == first.scan_id
    assert order.findings[0]["category"] == "checkin" and order.findings[0]["evidence"]["file"]
    assert App.objects.get(pk=two_apps[0].pk).state == App.State.RECTIFYING
    assert (
        order.reference
        in national.get(reverse("supervision:campaign_report", args=[campaign.pk])).content.decode()
    )
    actions = list(CampaignEvent.objects.filter(spot_check=campaign).values_list("action", flat=True))
    assert actions == ["draw", "upload", "scan", "upload", "scan", "order"]

    # Ordering twice for the same violation is refused, nothing changes.
    response = national.post(reverse("supervision:campaign_report", args=[campaign.pk]), {
        "items": [str(first.pk)], "required_actions": "x",
    })  # fmt: skip
    assert response.status_code == 400 and RectificationOrder.objects.count() == 1


def test_the_sample_is_reproducible_from_the_recorded_seed_and_population(
    two_apps, national_reviewer
) -> None:  # type: ignore[no-untyped-def]
    a = create(national_reviewer, size=1, seed="777")
    b = create(national_reviewer, size=1, seed="777")
    assert [i.app_id for i in a.items.all()] == [i.app_id for i in b.items.all()]
    assert spot.sample_reproduces(a)


def test_risk_based_campaign_draws_the_app_with_open_complaints_first(two_apps, national_reviewer) -> None:  # type: ignore[no-untyped-def]
    from govapp.complaints.services import complaint_submit

    target = two_apps[1]
    complaint_submit(
        category="checkin",
        description="每天必须打卡签到，否则通报批评。",
        filing_number=target.current_number.number,
    )
    campaign = create(national_reviewer, size=1, method="risk", seed="1")
    item = campaign.items.get()
    assert item.app_id == target.pk
    assert item.risk_detail["complaints"] == 1 and item.risk_score > 2


def test_stratified_campaign_covers_every_province(  # type: ignore[no-untyped-def]
    two_apps, far_filer, other_provincial_reviewer, national_reviewer
):
    file_app(far_filer, other_provincial_reviewer, national_reviewer, "南京办事", 3)
    campaign = create(national_reviewer, size=2, method="stratified", seed="5")
    assert sorted(campaign.items.values_list("province", flat=True)) == ["32", "33"]


def test_package_deadline_rule_marks_overdue_once_across_national_day(  # type: ignore[no-untyped-def]
    two_apps, filer, national_reviewer, monkeypatch
):
    monkeypatch.setattr(spot, "_today", lambda: TUESDAY)
    campaign = create(national_reviewer, size=2)
    # Sep 30, Oct 8, 9, 10 (make-up Saturday), 12: five working days.
    assert campaign.due == dt.date(2026, 10, 12)
    rule = time_rules()["campaign_deadlines"]
    assert rule(today=dt.date(2026, 10, 7)) == 0  # a week later but only one working day has passed
    assert rule(today=dt.date(2026, 10, 12)) == 2  # the last working day: one reminder per app
    assert rule(today=dt.date(2026, 10, 12)) == 0
    assert rule(today=dt.date(2026, 10, 13)) == 2  # overdue, marked once
    assert rule(today=dt.date(2026, 10, 14)) == 0
    item = campaign.items.get(app=two_apps[0])
    assert item.overdue and item.overdue_on == dt.date(2026, 10, 13) and item.outcome == "overdue"
    urls = [spot.item_url(i) for i in campaign.items.all()]
    # The filer: the request, one reminder, one overdue notice; the national office: one notice per app.
    assert Notification.objects.filter(recipient=filer, url=spot.item_url(item)).count() == 3
    assert Notification.objects.filter(recipient=national_reviewer, url__in=urls).count() == 2
    report = spot_report.campaign_report(campaign)
    assert {i.app_id for i in report.overdue} == {a.pk for a in two_apps}


def test_time_rule_queues_the_test_of_received_packages(  # type: ignore[no-untyped-def]
    two_apps, filer, national_reviewer, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    """The safety net: a package received while its test could not be queued is queued by the time rule."""
    campaign = create(national_reviewer, size=2)
    item = campaign.items.get(app=two_apps[0])
    with monkeypatch.context() as patched:
        patched.setattr(spot, "_start_scan", lambda item, actor: False)  # the queue was unreachable at upload
        assert upload(client_for(filer), item, displaying_number(two_apps[0])).status_code == 302
    item.refresh_from_db()
    assert item.scan is None
    with django_capture_on_commit_callbacks(execute=True):
        assert spot.spot_check_deadlines(today=campaign.started_on) >= 1
    item.refresh_from_db()
    assert item.outcome == "pass"
    assert spot.spot_check_deadlines(today=campaign.started_on) == 0


# ---------------------------------------------------------------- refusals and bad input


def test_outsiders_are_refused(  # type: ignore[no-untyped-def]
    two_apps, filer, far_filer, other_filer, provincial_reviewer, inspector, national_reviewer, client_for
):
    campaign = create(national_reviewer, size=2)
    item = campaign.items.get(app=two_apps[0])
    detail = reverse("supervision:campaign_detail", args=[campaign.pk])
    assert client_for(filer).get(reverse("supervision:campaign_list")).status_code == 403
    assert client_for(filer).get(detail).status_code == 404
    assert client_for(provincial_reviewer).get(detail).status_code == 404
    assert client_for(inspector).get(detail).status_code == 200
    assert client_for(inspector).get(reverse("supervision:campaign_new")).status_code == 403
    item_url = reverse("supervision:campaign_item", args=[item.pk])
    assert client_for(far_filer).get(item_url).status_code == 404
    assert client_for(other_filer).get(item_url).status_code == 404
    assert client_for(provincial_reviewer).get(item_url).status_code == 200
    assert upload(client_for(provincial_reviewer), item, project_zip(CLEAN)).status_code == 403
    assert upload(client_for(far_filer), item, project_zip(CLEAN)).status_code == 404
    export = reverse("supervision:campaign_export", args=[campaign.pk, "items", "xlsx"])
    assert client_for(filer).get(export).status_code == 404
    response = client_for(inspector).post(reverse("supervision:campaign_report", args=[campaign.pk]),
                                          {"items": [str(item.pk)], "required_actions": "x"})  # fmt: skip
    assert response.status_code == 403
    assert Client().get(detail).status_code == 302
    item.refresh_from_db()
    assert item.package is None and not RectificationOrder.objects.exists()


def test_bad_campaign_input_names_the_field(two_apps, national_reviewer, client_for) -> None:  # type: ignore[no-untyped-def]
    national = english(client_for(national_reviewer))
    url = reverse("supervision:campaign_new")
    response = national.post(url, {"title": "", "method": "random", "size": "0"})
    text = response.content.decode()
    assert (
        response.status_code == 400
        and "Give the campaign a title" in text
        and "Draw at least one app." in text
    )
    response = national.post(url, {"title": "抽查", "method": "random", "size": "5"})
    assert (
        response.status_code == 400 and "larger than the 2 filed apps in scope" in response.content.decode()
    )
    response = national.post(url, {"title": "抽查", "method": "stratified", "size": "1", "provinces": ["99"]})
    assert response.status_code == 400 and "not a province code" in response.content.decode()
    response = national.post(
        url, {"title": "抽查", "method": "random", "size": "1", "app_kinds": ["quick_app"]}
    )
    assert response.status_code == 400 and "No filed app matches the scope" in response.content.decode()
    assert not SpotCheckCampaign.objects.exists()


def test_bad_packages_are_refused_and_nothing_is_recorded(
    two_apps, filer, national_reviewer, client_for
) -> None:  # type: ignore[no-untyped-def]
    campaign = create(national_reviewer, size=2)
    item = campaign.items.get(app=two_apps[0])
    client = english(client_for(filer))
    response = upload(client, item, hap(), "app.hap")
    assert response.status_code == 400 and "upload the package of this app" in response.content.decode()
    response = upload(client, item, b"", "empty.zip")
    assert response.status_code == 400 and "empty" in response.content.decode()
    response = upload(client, item, b"not a package at all", "notes.txt")
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.package is None and item.scan is None
    assert not CampaignEvent.objects.filter(action="scan").exists()


def test_a_closed_campaign_accepts_no_package(two_apps, filer, national_reviewer, client_for) -> None:  # type: ignore[no-untyped-def]
    campaign = create(national_reviewer, size=2)
    spot.campaign_close(campaign=campaign, actor=national_reviewer)
    item = campaign.items.get(app=two_apps[0])
    assert client_for(filer).get(reverse("supervision:campaign_item", args=[item.pk])).status_code == 200
    response = upload(english(client_for(filer)), item, project_zip(CLEAN))
    assert response.status_code == 400 and "closed" in response.content.decode()


def test_filer_sees_the_requests_of_its_unit_only(two_apps, filer, national_reviewer, client_for) -> None:  # type: ignore[no-untyped-def]
    create(national_reviewer, size=2)
    page = client_for(filer).get(reverse("supervision:campaign_mine")).content.decode()
    assert "社区网格通" in page and "宁波办事" not in page
    assert client_for(national_reviewer).get(reverse("supervision:campaign_mine")).status_code == 403


def test_central_units_form_their_own_stratum(  # type: ignore[no-untyped-def]
    ministry_filer, filer, provincial_reviewer, national_reviewer, without_technical_test
):
    file_app(filer, provincial_reviewer, national_reviewer, "社区网格通", 1)
    file_app(ministry_filer, provincial_reviewer, national_reviewer, "水利通", 4)
    campaign = create(national_reviewer, size=2, method="stratified")
    assert sorted(campaign.items.values_list("stratum", flat=True)) == ["33", "central"]


@pytest.fixture
def national_population(units, filer, ministry_filer) -> list[int]:  # type: ignore[no-untyped-def]
    """2,500 filed mini-programs of two units (a Zhejiang unit and a ministry), written in bulk."""
    apps = [
        App(unit=(filer.unit if n % 5 else ministry_filer.unit), name=f"应用{n:04d}", kind=AppKind.MINI_PROGRAM,
            state=App.State.FILED)
        for n in range(2500)
    ]  # fmt: skip
    return [a.pk for a in App.objects.bulk_create(apps)]


def test_a_national_campaign_of_thousands_is_one_reproducible_campaign(  # type: ignore[no-untyped-def]
    national_population, filer, ministry_filer, national_reviewer, django_assert_max_num_queries
):
    # A bounded number of queries, whatever the sample size (none per drawn app).
    with django_assert_max_num_queries(70):
        campaign = create(national_reviewer, size=2000, method="stratified", seed="2026-national")
    assert SpotCheckCampaign.objects.count() == 1 and campaign.items.count() == 2000
    assert spot.sample_reproduces(campaign)
    drawn = list(campaign.items.order_by("position").values_list("app_id", flat=True))
    again = create(national_reviewer, size=2000, method="stratified", seed="2026-national", title="复核")
    assert list(again.items.order_by("position").values_list("app_id", flat=True)) == drawn
    # Every drawn app's unit was asked, once per app.
    assert (
        Notification.objects.filter(recipient=filer, url__contains="/campaigns/items/").count()
        == sum(1 for item in campaign.items.select_related("app__unit") if item.app.unit_id == filer.unit_id)
        * 2
    )


def test_the_campaign_form_accepts_a_national_sample(national_population, national_reviewer, client_for):  # type: ignore[no-untyped-def]
    national = english(client_for(national_reviewer))
    response = national.post(reverse("supervision:campaign_new"), {
        "title": "2026年全国抽查", "method": "random", "size": "2500", "seed": "7", "app_kinds": ["mini_program"],
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = SpotCheckCampaign.objects.get()
    assert campaign.items.count() == 2500
    page = national.get(reverse("supervision:campaign_detail", args=[campaign.pk])).content.decode()
    assert page.count("/supervision/campaigns/items/") <= 250 and "page=2" in page


def test_items_and_report_export_as_excel_and_csv_in_chinese(  # type: ignore[no-untyped-def]
    two_apps, filer, national_reviewer, client_for, django_capture_on_commit_callbacks
):
    import csv
    import io

    from openpyxl import load_workbook

    campaign = create(national_reviewer, size=2, method="stratified")
    item = campaign.items.get(app=two_apps[0])
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            upload(client_for(filer), item, project_zip(own(two_apps[0], CHECKIN)), "grid.zip").status_code
            == 302
        )
    national = english(client_for(national_reviewer))
    response = national.get(reverse("supervision:campaign_export", args=[campaign.pk, "items", "xlsx"]))
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("抽取顺序", "省份", "抽样层", "主办单位", "应用")
    assert len(rows) == 3 and {r[2] for r in rows[1:]} == {"浙江省"}  # the stratum by name, not "33"
    received = next(r for r in rows[1:] if r[4] == "社区网格通")
    column = rows[0].index("安装包接收时间")
    assert isinstance(received[column], dt.datetime | dt.date)  # a date cell, not text
    assert received[rows[0].index("结果")] == "违规"
    csv_response = national.get(reverse("supervision:campaign_export", args=[campaign.pk, "items", "csv"]))
    table = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert table[0][:2] == ["抽取顺序", "省份"] and len(table) == 3

    report = national.get(reverse("supervision:campaign_export", args=[campaign.pk, "report", "xlsx"]))
    workbook = load_workbook(io.BytesIO(report.content))
    assert workbook.sheetnames == ["按省份", "按问题类别", "违规明细"]
    violations = list(workbook["违规明细"].iter_rows(values_only=True))
    assert len(violations) >= 2 and violations[1][2] == "社区网格通"
    assert "强制" in str(violations[1][3]) or "打卡" in str(violations[1][3])
    assert (
        national.get(reverse("supervision:campaign_export", args=[campaign.pk, "other", "xlsx"])).status_code
        == 404
    )

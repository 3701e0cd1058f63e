"""A province's consolidation plan: inventory and clusters, a merge decided, done on deregistration,
overdue items reported to the O&M funding authority."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from govapp.consolidation import plans
from govapp.consolidation.models import ConsolidationEvent, ConsolidationPlan, EventKind, PlanItem
from govapp.core.models import Notification
from govapp.registry.models import App
from tests.factories import complete_filing
from tests.public.builders import approve

from .conftest import as_user, page

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_grid_app(other_filer, provincial_reviewer, national_reviewer, without_technical_test) -> App:  # type: ignore[no-untyped-def]
    return approve(
        complete_filing(other_filer, name="宁波市网格巡查", main_functions="网格员巡查、事件上报、随手拍",
                        android_package="cn.gov.nb.wgxc"),
        filer=other_filer, provincial_reviewer=provincial_reviewer, national_reviewer=national_reviewer,
    )  # fmt: skip


def _start(office) -> None:  # type: ignore[no-untyped-def]
    response = office.post(
        reverse("consolidation:plan_start", args=["33"]), {"title": "浙江省政务应用瘦身方案"}
    )
    assert response.status_code == 302


def test_merge_planned_then_done_when_the_unit_deregisters(  # type: ignore[no-untyped-def]
    grid_app, county_grid_app, provincial_reviewer, other_filer
):
    office = as_user(provincial_reviewer)
    _start(office)
    html = page(office.get(reverse("consolidation:plan_detail", args=["33"])))
    assert "宁波市网格巡查" in html and "杭州市网格通" in html
    rows = {r.app.pk: r for r in plans.inventory(ConsolidationPlan.objects.get(), "33")}
    assert rows[grid_app.pk].cluster == rows[county_grid_app.pk].cluster == "C1"
    deadline = timezone.localdate() + dt.timedelta(days=60)
    response = office.post(
        reverse("consolidation:plan_decide", args=["33"]),
        {"app": county_grid_app.pk, "decision": "merge", "target": grid_app.pk, "deadline": deadline.isoformat(),
         "reason": "功能与杭州市网格通重复，并入后关停。"},
    )  # fmt: skip
    assert response.status_code == 302
    item = PlanItem.objects.get()
    assert item.target == grid_app and ConsolidationEvent.objects.filter(kind=EventKind.DECISION).count() == 1
    assert Notification.objects.filter(recipient=other_filer, subject__contains="宁波市网格巡查").exists()
    unit = as_user(other_filer)
    assert "杭州市网格通" in page(unit.get(reverse("consolidation:obligations")))
    figures = {f["level"]: f for f in plans.figures(ConsolidationPlan.objects.get(), "33")}
    assert figures["city"]["start"] == 2 and figures["city"]["planned"] == 1

    # The unit closes the app through the existing shutdown → deregistration procedure.
    unit.post(
        reverse("registry:app_shutdown", args=[county_grid_app.pk]),
        {"notice": "本应用并入杭州市网格通，今日下线。", "offline_date": timezone.localdate().isoformat(),
         "document": SimpleUploadedFile("公告.pdf", b"%PDF-1.4 notice")},
    )  # fmt: skip
    unit.post(reverse("registry:app_deregister", args=[county_grid_app.pk]), {"report": "已下线。"})
    assert App.objects.get(pk=county_grid_app.pk).state == App.State.DEREGISTERED
    html = page(office.get(reverse("consolidation:plan_detail", args=["33"])))
    assert 'badge-ok">done' in html
    figures = {f["level"]: f for f in plans.figures(ConsolidationPlan.objects.get(), "33")}
    assert figures["city"] == {**figures["city"], "start": 2, "now": 1, "planned": 1}


def test_merge_target_must_be_filed_and_outsiders_are_refused(  # type: ignore[no-untyped-def]
    county_grid_app, provincial_reviewer, other_provincial_reviewer, other_filer, filer
):
    office = as_user(provincial_reviewer)
    _start(office)
    draft = complete_filing(filer, name="杭州草稿应用")
    response = office.post(
        reverse("consolidation:plan_decide", args=["33"]),
        {"app": county_grid_app.pk, "decision": "merge", "target": draft.app_id,
         "deadline": "2027-03-01", "reason": "并入"},
    )  # fmt: skip
    assert response.status_code == 400 and not PlanItem.objects.exists()
    assert "Select a valid choice" in page(response)
    assert (
        as_user(other_provincial_reviewer).get(reverse("consolidation:plan_detail", args=["33"])).status_code
        == 403
    )
    assert as_user(other_filer).get(reverse("consolidation:plan_detail", args=["33"])).status_code == 403
    assert (
        as_user(other_provincial_reviewer)
        .post(reverse("consolidation:plan_start", args=["33"]), {"title": "x"})
        .status_code
        == 403
    )


def test_overdue_item_reaches_the_funding_authority(  # type: ignore[no-untyped-def]
    grid_app, county_grid_app, provincial_reviewer, funding_authority
):
    office = as_user(provincial_reviewer)
    _start(office)
    plan = ConsolidationPlan.objects.get()
    office.post(
        reverse("consolidation:plan_decide", args=["33"]),
        {"app": county_grid_app.pk, "decision": "close", "deadline": timezone.localdate().isoformat(),
         "reason": "使用率低，关停。"},
    )  # fmt: skip
    office.post(reverse("consolidation:plan_settings", args=["33"]), {"notify_funding": "on"})
    later = timezone.localdate() + dt.timedelta(days=1)
    assert [i.app for i in plans.overdue_items(plan, later)] == [county_grid_app]
    from govapp.core.scheduler import time_rules

    assert time_rules()["consolidation_overdue"](today=later) == 1
    assert time_rules()["consolidation_overdue"](today=later) == 0  # once per decision
    assert Notification.objects.filter(
        recipient=funding_authority, subject__contains="宁波市网格巡查"
    ).exists()
    html = page(as_user(funding_authority).get(reverse("consolidation:funding_inbox")))
    assert "宁波市网格巡查" in html and "Close" in html
    assert as_user(provincial_reviewer).get(reverse("consolidation:funding_inbox")).status_code == 403


def test_office_edits_a_cluster(grid_app, county_grid_app, provincial_reviewer):  # type: ignore[no-untyped-def]
    office = as_user(provincial_reviewer)
    _start(office)
    office.post(reverse("consolidation:plan_cluster", args=["33"]),
                {"app": county_grid_app.pk, "cluster": "C7", "reason": "不同业务"})  # fmt: skip
    rows = {r.app.pk: r for r in plans.inventory(ConsolidationPlan.objects.get(), "33")}
    assert rows[county_grid_app.pk].cluster == "C7" and rows[grid_app.pk].cluster == "C1"
    assert ConsolidationEvent.objects.filter(kind=EventKind.CLUSTER).count() == 1

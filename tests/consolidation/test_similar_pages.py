"""Similar apps where people work: the unit's new filing, the reviewer's filing page, the page and the API."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from govapp.registry import services
from govapp.registry.models import Filing
from tests.factories import complete_filing

from .conftest import as_user as login
from .conftest import page

pytestmark = pytest.mark.django_db


def test_a_unit_starting_a_filing_is_shown_the_existing_app(grid_app, other_filer):  # type: ignore[no-untyped-def]
    client = login(other_filer)
    response = client.post(reverse("registry:filing_create"), {"app_name": "宁波网格通", "app_kind": "app"})
    filing = Filing.objects.get(app_name="宁波网格通")
    client.post(
        reverse("registry:filing_edit", args=[filing.pk, "functions"]),
        {"main_functions": "网格巡检、拍照上报、事件上报"},
    )
    html = page(client.get(reverse("registry:filing_edit", args=[filing.pk, "functions"])))
    assert response.status_code == 302
    assert "Apps like this already exist" in html and "杭州市网格通" in html
    assert "could yours be a module of one of them" in html.lower() or "Could yours be a module" in html
    assert "Shared functions" in html


def test_the_reviewer_sees_a_declared_none_flagged(grid_app, other_filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    filing = complete_filing(other_filer, name="宁波网格通", main_functions="网格员巡查、事件上报、随手拍",
                             android_package="cn.gov.nb.wgt", same_kind_apps="无")  # fmt: skip
    services.filing_submit(filing=filing, actor=other_filer)
    html = page(login(provincial_reviewer).get(reverse("registry:filing_detail", args=[filing.pk])))
    assert "Similar apps (duplication check)" in html and "杭州市网格通" in html
    assert "The unit declared no same-kind app, but the apps below are strongly similar" in html


def test_a_named_same_kind_app_is_not_flagged(grid_app, other_filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    filing = complete_filing(other_filer, name="宁波网格通", main_functions="网格员巡查、事件上报、随手拍",
                             android_package="cn.gov.nb.wgt", same_kind_apps="杭州市网格通：仅限杭州使用")  # fmt: skip
    services.filing_submit(filing=filing, actor=other_filer)
    html = page(login(provincial_reviewer).get(reverse("registry:filing_detail", args=[filing.pk])))
    assert "杭州市网格通" in html and "strongly similar" not in html


def test_search_page_and_api_for_reviewers_only(grid_app, provincial_reviewer, filer):  # type: ignore[no-untyped-def]
    reviewer = login(provincial_reviewer)
    html = page(reviewer.get(reverse("consolidation:similar"), {"name": "网格通", "functions": "网格巡查"}))
    assert "杭州市网格通" in html
    answer = reviewer.get(
        "/api/v1/similar", {"name": "网格通", "functions": "网格巡查 事件上报", "kind": "app"}
    )
    assert answer.status_code == 200
    rows = answer.json()
    assert rows[0]["key"] == f"app:{grid_app.pk}" and rows[0]["kind"] == "app" and rows[0]["reasons"]
    assert {"code", "text", "detail"} <= rows[0]["reasons"][0].keys()
    assert login(filer).get(reverse("consolidation:similar")).status_code == 403
    assert login(filer).get("/api/v1/similar", {"name": "网格通"}).status_code == 403
    from django.test import Client

    assert Client().get("/api/v1/similar", {"name": "网格通"}).status_code == 401
    assert reviewer.get("/api/v1/similar", {"name": "网格通", "province": "99"}).status_code == 400


def test_an_in_review_app_of_another_unit_is_hidden_from_a_filer(other_filer, filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    hidden = complete_filing(filer, name="杭州网格巡查", main_functions="网格员巡查、事件上报")
    services.filing_submit(filing=hidden, actor=filer)
    mine = complete_filing(other_filer, name="宁波网格巡查", main_functions="网格员巡查、事件上报",
                           android_package="cn.gov.nb.wgxc")  # fmt: skip
    html = page(login(other_filer).get(reverse("registry:filing_edit", args=[mine.pk, "functions"])))
    assert "杭州网格巡查" not in html
    html = page(login(provincial_reviewer).get(reverse("consolidation:similar"), {"name": "网格巡查"}))
    assert "杭州网格巡查" in html


def test_index_follows_a_filing_change(grid_app, provincial_reviewer, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from govapp.consolidation import service

    assert service.similar_apps(user=None, name="网格通", functions="网格巡查")  # builds the index
    filing = complete_filing(grid_app.unit.user_set.first() or provincial_reviewer, name="西湖健康码",
                             main_functions="健康码、疫苗接种", android_package="cn.gov.hz.jkm")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.filing_submit(filing=filing, actor=filing.created_by)
    assert (
        service.similar_apps(user=None, name="健康码", functions="疫苗接种")[0].document.name == "西湖健康码"
    )


def test_cli_json_and_bad_arguments(grid_app, capsys):  # type: ignore[no-untyped-def]
    call_command("similar", "--name", "网格通", "--functions", "网格巡查、事件上报", "--province", "33",
                 "--kind", "app", "--json")  # fmt: skip
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["name"] == "杭州市网格通" and rows[0]["score"] > 0.5
    assert set(rows[0]) == {"key", "name", "kind", "unit", "province", "state", "score", "reasons"}
    call_command("similar", "--name", "网格通", "--lang", "en")
    assert "Same name once place and suffix are left out" in capsys.readouterr().out
    from django.core.management.base import CommandError

    for bad in (["--name", " "], ["--name", "x", "--province", "99"], ["--name", "x", "--limit", "0"]):
        with pytest.raises(CommandError) as error:
            call_command("similar", *bad)
        assert error.value.returncode == 2


def test_legacy_and_unfiled_apps_are_candidates(filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    import datetime as dt

    from govapp.complaints import services as complaints
    from govapp.consolidation import service
    from govapp.supervision.legacy.models import LegacyApp

    LegacyApp.objects.create(unit=filer.unit, name="杭州老网格通", kind="app", android_package="cn.gov.hz.old",
                             online_since=dt.date(2025, 5, 1), created_by=filer)  # fmt: skip
    complaints.complaint_submit(category="unfiled_app", app_name="萧山网格打卡",
                                description="街道要求网格员每天用萧山网格打卡签到巡查", complainant_province="33")  # fmt: skip
    keys = {m.document.key.split(":")[0]: m for m in
            service.similar_apps(user=provincial_reviewer, name="网格通", functions="网格巡查 打卡")}  # fmt: skip
    assert {"legacy", "unfiled"} <= keys.keys()
    assert keys["legacy"].document.state == "legacy"
    assert service.similar_apps(user=filer.__class__.objects.get(pk=filer.pk), name="萧山网格打卡") == []

"""Legacy-app pages: lists by province and unit, exports, single entry, the legacy app page, start filing;
every page refuses outsiders."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from govapp.registry.models import Filing
from govapp.supervision.legacy.models import LegacyApp
from tests.conftest import login
from tests.supervision.legacy.test_legacy import make_legacy, submit_started


def english_client(user: Any) -> Client:
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def entries(filer, other_filer, far_filer, ministry_filer) -> dict[str, LegacyApp]:  # type: ignore[no-untyped-def]
    return {
        "hz": make_legacy(filer.unit, filer),
        "nb": make_legacy(other_filer.unit, other_filer, name="甬派政务", package="cn.gov.nb.app"),
        "nj": make_legacy(far_filer.unit, far_filer, name="宁聚", package="cn.gov.nj.app"),
        "central": make_legacy(
            ministry_filer.unit, ministry_filer, name="水利一张图", package="cn.gov.mwr.map"
        ),
    }


def english_errors(response: Any, field: str) -> str:
    """The form's messages for ``field``, read in English (lazy messages render in the active language)."""
    with translation.override("en"):
        return " ".join(str(message) for message in response.context["form"].errors[field])


def listed(response: Any) -> set[str]:
    return {entry.name for entry in response.context["page"].object_list}


def test_lists_by_role(entries, filer, provincial_reviewer, other_provincial_reviewer, national_reviewer):
    assert listed(english_client(filer).get(reverse("supervision:legacy_list"))) == {"浙里办事"}
    zj = english_client(provincial_reviewer).get(reverse("supervision:legacy_list"))
    assert listed(zj) == {"浙里办事", "甬派政务"}
    assert zj.context["summary_by"] == "unit"
    assert {row["unit__name"] for row in zj.context["summary"]} == {
        "杭州市数据资源管理局",
        "宁波市大数据发展管理局",
    }
    assert listed(english_client(other_provincial_reviewer).get(reverse("supervision:legacy_list"))) == {
        "宁聚"
    }

    national = english_client(national_reviewer).get(reverse("supervision:legacy_list"))
    assert listed(national) == {"浙里办事", "甬派政务", "宁聚", "水利一张图"}
    assert national.context["summary_by"] == "province"
    by_province = {row["province_code"]: row["not_started"] for row in national.context["summary"]}
    assert by_province == {"33": 2, "32": 1, "central": 1}
    only_zj = english_client(national_reviewer).get(reverse("supervision:legacy_list") + "?province=33")
    assert listed(only_zj) == {"浙里办事", "甬派政务"} and only_zj.context["summary_by"] == "unit"
    central = english_client(national_reviewer).get(reverse("supervision:legacy_list") + "?province=central")
    assert listed(central) == {"水利一张图"}


def test_list_filters_by_status_and_shows_days_overdue(entries, filer, provincial_reviewer):
    client = english_client(filer)
    client.post(reverse("supervision:legacy_start", args=[entries["hz"].pk]))
    submit_started(Filing.objects.get(), filer)

    reviewer = english_client(provincial_reviewer)
    assert listed(reviewer.get(reverse("supervision:legacy_list") + "?status=in_progress")) == {"浙里办事"}
    response = reviewer.get(reverse("supervision:legacy_list") + "?status=not_started")
    assert listed(response) == {"甬派政务"}
    assert "Overdue since 2026-07-25" in response.content.decode()
    assert reviewer.get(reverse("supervision:legacy_list") + "?status=bogus").status_code == 400


def test_exports_hold_the_visible_rows_with_days_overdue(entries, provincial_reviewer, national_reviewer):
    response = english_client(provincial_reviewer).get(reverse("supervision:legacy_export_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["Province", "Sponsoring unit", "App name"]
    assert {line[2] for line in table[1:]} == {"浙里办事", "甬派政务"}
    days = table[1][table[0].index("Days overdue")]
    assert int(days) == (timezone.localdate() - dt.date(2026, 7, 25)).days

    xlsx = english_client(national_reviewer).get(reverse("supervision:legacy_export_xlsx") + "?province=32")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    names = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["宁聚"]


def test_filer_registers_a_legacy_app_with_field_errors_first(filer):
    client = english_client(filer)
    bad = client.post(reverse("supervision:legacy_new"), {
        "name": "浙里办事", "kind": "app", "online_since": "2026-03-01",
    })  # fmt: skip
    assert bad.status_code == 400
    assert "before 2026-01-25" in english_errors(bad, "online_since")
    assert "at least one identifier" in english_errors(bad, "android_package")

    good = client.post(reverse("supervision:legacy_new"), {
        "name": "浙里办事", "kind": "app", "platforms": ["android"], "android_package": "cn.gov.zj.banshi",
        "online_since": "2024年6月1日", "contact": "王明",
    })  # fmt: skip
    entry = LegacyApp.objects.get()
    assert good.status_code == 302 and good["Location"] == reverse(
        "supervision:legacy_detail", args=[entry.pk]
    )
    assert (entry.unit, entry.online_since, entry.created_by) == (filer.unit, dt.date(2024, 6, 1), filer)

    again = client.post(reverse("supervision:legacy_new"), {
        "name": "重复", "kind": "app", "android_package": "cn.gov.zj.banshi", "online_since": "2024-06-01",
    })  # fmt: skip
    assert again.status_code == 400 and "already has this identifier" in english_errors(
        again, "android_package"
    )


def test_provincial_staff_register_only_for_units_of_their_province(provincial_reviewer, units):
    client = english_client(provincial_reviewer)
    data = {
        "name": "甬派政务",
        "kind": "app",
        "android_package": "cn.gov.nb.app",
        "online_since": "2024-06-01",
    }

    refused = client.post(reverse("supervision:legacy_new"), {**data, "unit": units["nj"].pk})
    assert refused.status_code == 400 and "unit" in refused.context["form"].errors
    assert client.post(reverse("supervision:legacy_new"), {**data, "unit": units["nb"].pk}).status_code == 302
    assert LegacyApp.objects.get().unit == units["nb"]


def test_detail_and_edit_deny_outsiders(entries, filer, other_filer, far_filer, provincial_reviewer,
                                        other_provincial_reviewer, national_reviewer, sysadmin):  # fmt: skip
    hz = entries["hz"]
    detail = reverse("supervision:legacy_detail", args=[hz.pk])
    edit = reverse("supervision:legacy_edit", args=[hz.pk])
    for outsider in (other_filer, far_filer, other_provincial_reviewer, sysadmin):
        assert english_client(outsider).get(detail).status_code == 404
        assert english_client(outsider).get(edit).status_code == 404
    assert english_client(filer).get(detail).status_code == 200
    assert english_client(provincial_reviewer).get(edit).status_code == 200
    assert english_client(national_reviewer).get(detail).status_code == 200
    assert english_client(national_reviewer).get(edit).status_code == 403
    assert Client().get(detail).status_code == 302

    changed = english_client(provincial_reviewer).post(edit, {
        "unit": hz.unit_id, "name": "浙里办事2", "kind": "app", "android_package": "cn.gov.zj.banshi",
        "online_since": "2023-05-18",
    })  # fmt: skip
    assert changed.status_code == 302 and LegacyApp.objects.get(pk=hz.pk).name == "浙里办事2"


def test_start_filing_from_the_legacy_page(entries, filer, other_filer, provincial_reviewer):
    hz = entries["hz"]
    start = reverse("supervision:legacy_start", args=[hz.pk])
    page = english_client(filer).get(reverse("supervision:legacy_detail", args=[hz.pk])).content.decode()
    assert start in page and "Start filing" in page

    assert english_client(filer).get(start).status_code == 405
    assert english_client(other_filer).post(start).status_code == 404
    assert english_client(provincial_reviewer).post(start).status_code == 403
    assert not Filing.objects.exists()

    response = english_client(filer).post(start)
    filing = Filing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:filing_edit", args=[filing.pk, "basic"])
    assert (filing.app_name, filing.android_package) == ("浙里办事", "cn.gov.zj.banshi")
    assert LegacyApp.objects.get(pk=hz.pk).app_id == filing.app_id

    twice = english_client(filer).post(start, follow=True)
    assert "already in progress" in twice.content.decode() and Filing.objects.count() == 1


def test_a_started_but_unsubmitted_filing_is_the_units_own(entries, filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    hz = entries["hz"]
    english_client(filer).post(reverse("supervision:legacy_start", args=[hz.pk]))
    filing = Filing.objects.get()
    detail = reverse("supervision:legacy_detail", args=[hz.pk])
    draft_link = reverse("registry:filing_detail", args=[filing.pk])
    app_link = reverse("registry:app_detail", args=[filing.app_id])
    unit = english_client(filer).get(detail)
    assert unit.context["entry"].status == "in_progress"
    assert draft_link in unit.content.decode() and app_link in unit.content.decode()
    office = english_client(provincial_reviewer)
    seen = office.get(detail)
    assert seen.context["entry"].status == "not_started"
    assert draft_link not in seen.content.decode() and app_link not in seen.content.decode()
    in_progress = {"status": "in_progress"}
    assert listed(office.get(reverse("supervision:legacy_list"), in_progress)) == set()
    assert listed(english_client(filer).get(reverse("supervision:legacy_list"), in_progress)) == {hz.name}


def test_list_and_exports_refuse_outsiders(entries, sysadmin, client):
    for name in ("supervision:legacy_list", "supervision:legacy_export_csv", "supervision:legacy_export_xlsx",
                 "supervision:legacy_new", "supervision:legacy_import"):  # fmt: skip
        assert english_client(sysadmin).get(reverse(name)).status_code == 403
        assert client.get(reverse(name)).status_code == 302

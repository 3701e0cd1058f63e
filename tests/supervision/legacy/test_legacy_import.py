"""Importing legacy apps from Excel through the real upload page: row-level reports, idempotent re-import,
provincial imports for the units of the province, and bad files refused with a clear message."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from govapp.supervision.legacy import excel as legacy_excel
from govapp.supervision.legacy.models import LegacyApp
from tests.conftest import login

ZH = [c.zh for c in legacy_excel.COLUMNS]
EN = [c.en for c in legacy_excel.COLUMNS]


def english_client(user: Any) -> Client:
    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def workbook(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers or ZH)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(name: str = "浙里办事", kind: Any = "原生应用", package: str = "cn.gov.zj.banshi", online: Any = None,
        unit: str = "", platforms: str = "安卓、鸿蒙", users: Any = None) -> list[Any]:  # fmt: skip
    online = dt.date(2023, 5, 18) if online is None else online
    #        A     B     C          D        E   F   G   H   I       J      K     L
    return [name, kind, platforms, package, "", "", "", "", online, users, unit, "王明 0571-88888888"]


def upload(client: Client, data: bytes, name: str = "legacy.xlsx") -> Any:
    return client.post(reverse("supervision:legacy_import"), {"file": SimpleUploadedFile(name, data)})


def test_bad_rows_are_reported_by_row_and_column_and_good_rows_kept(filer):
    client = english_client(filer)
    data = workbook([
        row(),
        row(name="坏行", kind="网页", package="cn.gov.zj.bad", online="去年春天"),
        row(name="文字日期", package="cn.gov.zj.text", online="2025年3月1日", users="1.2万"),
        row(name="太新", package="cn.gov.zj.new", online="2026-02-01"),
        row(name="无标识", package=""),
    ])  # fmt: skip

    response = upload(client, data)

    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.updated, result.error_rows) == (2, 0, 3)
    errors = {(e.row, e.column): e.message for e in result.errors}
    assert "not a kind of app" in errors[(3, "B (应用类型)")] and "小程序" in errors[(3, "B (应用类型)")]
    assert "2025年3月1日" in errors[(3, "I (上线时间)")]
    assert "before 2026-01-25" in errors[(5, "I (上线时间)")]
    assert "at least one identifier" in errors[(6, "D (安卓包名)")]
    page = response.content.decode()
    assert "B (应用类型)" in page and "3 rows not imported" in page
    kept = LegacyApp.objects.get(android_package="cn.gov.zj.text")
    assert kept.online_since == dt.date(2025, 3, 1) and kept.monthly_active_users == 12000
    assert kept.unit == filer.unit and kept.source == LegacyApp.Source.IMPORT and kept.created_by == filer
    assert LegacyApp.objects.get(android_package="cn.gov.zj.banshi").platforms == ["android", "harmonyos"]
    assert not LegacyApp.objects.filter(name__in=["坏行", "太新", "无标识"]).exists()


def test_reimport_updates_and_never_duplicates(filer):
    client = english_client(filer)
    upload(client, workbook([row(), row(name="第二个", package="cn.gov.zj.two")]))
    assert LegacyApp.objects.count() == 2

    response = upload(
        client,
        workbook([row(name="浙里办事（新版）", users=5000), row(name="第二个", package="cn.gov.zj.two")]),
    )

    result = response.context["result"]
    assert (result.created, result.updated, result.errors) == (0, 2, [])
    assert LegacyApp.objects.count() == 2
    assert LegacyApp.objects.get(android_package="cn.gov.zj.banshi").name == "浙里办事（新版）"
    # The same identifier twice in one sheet: the second row updates the first.
    upload(client, workbook([row(package="cn.gov.zj.three"), row(name="改名", package="cn.gov.zj.three")]))
    assert LegacyApp.objects.get(android_package="cn.gov.zj.three").name == "改名"


def test_english_headers_excel_dates_and_serial_numbers(filer):
    client = english_client(filer)
    data = workbook(
        [row(kind="mini_program", package="", platforms="WeChat", online=dt.datetime(2024, 1, 2)),
         row(name="序号日期", package="cn.gov.zj.serial", online=45000)],
        headers=EN,
    )  # fmt: skip
    # A mini-program is recognised by its appid (column F).
    book = load_workbook(io.BytesIO(data))
    book.active["F2"] = "wx1234567890abcdef"
    buffer = io.BytesIO()
    book.save(buffer)

    response = upload(client, buffer.getvalue())

    assert response.context["result"].errors == []
    mini = LegacyApp.objects.get(miniprogram_appid="wx1234567890abcdef")
    assert (mini.kind, mini.platforms, mini.online_since) == ("mini_program", ["wechat"], dt.date(2024, 1, 2))
    assert LegacyApp.objects.get(android_package="cn.gov.zj.serial").online_since == dt.date(2023, 3, 15)


def test_provincial_import_needs_units_of_its_own_province(provincial_reviewer, units):
    client = english_client(provincial_reviewer)
    data = workbook([
        row(unit="杭州市数据资源管理局"),
        row(name="宁波", package="cn.gov.nb.app", unit="宁波市大数据发展管理局"),
        row(name="南京", package="cn.gov.nj.app", unit="南京市政务服务管理办公室"),
        row(name="无名", package="cn.gov.x.app", unit="不存在的单位"),
        row(name="空", package="cn.gov.y.app", unit=""),
    ])  # fmt: skip

    result = upload(client, data).context["result"]

    assert (result.created, result.error_rows) == (2, 3)
    errors = {(e.row, e.column): e.message for e in result.errors}
    assert "not a unit of your province" in errors[(4, "K (主办单位)")]
    assert "No unit is named" in errors[(5, "K (主办单位)")]
    assert "exact name" in errors[(6, "K (主办单位)")]
    assert set(LegacyApp.objects.values_list("unit__name", flat=True)) == {
        "杭州市数据资源管理局",
        "宁波市大数据发展管理局",
    }


def test_a_unit_imports_only_its_own_apps(filer):
    result = upload(english_client(filer), workbook([row(unit="宁波市大数据发展管理局")])).context["result"]

    assert result.created == 0 and "only its own apps" in result.errors[0].message
    assert result.errors[0].column == "K (主办单位)"


def test_the_template_downloads_and_imports_as_it_is(filer):
    client = english_client(filer)
    response = client.get(reverse("supervision:legacy_template"))
    assert response.status_code == 200 and response["Content-Type"] == legacy_excel.XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ZH
    english = load_workbook(
        io.BytesIO(client.get(reverse("supervision:legacy_template") + "?headers=en").content)
    )
    assert [cell.value for cell in english.worksheets[0][1]] == EN
    assert len(english.worksheets) == 2  # the instructions sheet

    # The example row names the filer's own unit (杭州市数据资源管理局): it imports cleanly.
    result = upload(client, response.content).context["result"]
    assert (result.created, result.errors) == (1, [])


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.xlsx", "The submitted file is empty"),
        (b"name,kind\nA,app\n", "list.csv", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls", "not an Excel workbook"),
        (b"PK\x03\x04" + b"\0" * 100, "broken.xlsx", "not an Excel workbook"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(filer, content, name, message):
    response = upload(english_client(filer), content, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LegacyApp.objects.exists()


def test_a_zip_that_is_not_a_workbook_and_a_damaged_workbook_are_refused(filer):
    client = english_client(filer)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not an Excel workbook" in upload(client, buffer.getvalue()).content.decode()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-xml")
    response = upload(client, buffer.getvalue())
    assert response.status_code == 400 and "damaged" in response.content.decode()


def test_huge_files_and_too_many_rows_are_refused(filer, monkeypatch):
    client = english_client(filer)
    response = upload(client, b"PK\x03\x04" + b"\0" * (legacy_excel.MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 400 and "the limit is 5 MB" in response.content.decode()

    monkeypatch.setattr(legacy_excel, "MAX_ROWS", 3)
    rows = [row(name=f"应用{n}", package=f"cn.gov.zj.app{n}") for n in range(5)]
    response = upload(client, workbook(rows))
    assert response.status_code == 400 and "more than 3 rows" in response.content.decode()


def test_sheets_without_headers_rows_or_required_columns_are_refused(filer):
    client = english_client(filer)
    assert "no header row" in upload(client, workbook([], headers=[""])).content.decode()
    assert "no apps" in upload(client, workbook([])).content.decode()
    response = upload(client, workbook([["浙里办事", "原生应用"]], headers=["应用名称", "应用类型"]))
    assert response.status_code == 400 and "上线时间 / Online since" in response.content.decode()


def test_zip_bombs_are_refused_before_they_are_inflated(filer, monkeypatch):
    monkeypatch.setattr(legacy_excel, "MAX_UNCOMPRESSED_BYTES", 1000)

    response = upload(english_client(filer), workbook([row()]))

    assert response.status_code == 400 and "unpacks to more than" in response.content.decode()


def test_outsiders_cannot_import(client_for, national_reviewer, sysadmin, client):
    for user in (national_reviewer, sysadmin):
        assert upload(client_for(user), workbook([row()])).status_code == 403
        assert client_for(user).get(reverse("supervision:legacy_template")).status_code == 403
    assert upload(client, workbook([row()])).status_code == 302
    assert not LegacyApp.objects.exists()

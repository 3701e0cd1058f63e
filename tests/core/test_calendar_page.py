"""The calendar page: preview and import of a State Council notice, CSV import, who may use it."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govapp.core import calendar
from govapp.core.models import CalendarYear

NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月6日（周六）至12日（周五）放假调休，共7天。2月20日（周六）上班。
三、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""


def test_preview_then_import_a_notice(client_for, sysadmin):  # type: ignore[no-untyped-def]
    client = client_for(sysadmin)
    url = reverse("core:calendar")
    assert client.get(url).status_code == 200
    preview = client.post(url, {"action": "preview", "text": NOTICE_2027})
    assert preview.status_code == 200
    assert "2027-02-20" in preview.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()  # a preview stores nothing

    done = client.post(url, {"action": "import", "text": NOTICE_2027})
    assert done.status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()
    assert calendar.is_workday(dt.date(2027, 2, 20))  # a make-up working Saturday
    assert not calendar.is_workday(dt.date(2027, 2, 8))


def test_a_malformed_notice_names_the_problem_and_stores_nothing(client_for, sysadmin):  # type: ignore[no-untyped-def]
    client = client_for(sysadmin)
    response = client.post(
        reverse("core:calendar"),
        {"action": "import", "text": "国务院办公厅关于2027年部分节假日安排的通知\n一、春节：2月30日放假。"},
    )
    assert response.status_code == 400
    assert "无法读取该通知：" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_csv_import_and_bad_csv(client_for, national_reviewer):  # type: ignore[no-untyped-def]
    client = client_for(national_reviewer)
    url = reverse("core:calendar")
    good = SimpleUploadedFile(
        "2028.csv", "date,is_workday,name,source\n2028-01-03,false,元旦,测试数据\n".encode(), "text/csv"
    )
    assert client.post(url, {"action": "csv", "file": good}).status_code == 302
    assert CalendarYear.objects.filter(year=2028).exists()
    bad = SimpleUploadedFile("x.csv", b"\xff\xfe\x00garbage", "text/csv")
    assert client.post(url, {"action": "csv", "file": bad}).status_code == 400


def test_only_managers_use_the_page(client, client_for, filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    url = reverse("core:calendar")
    assert client.get(url).status_code == 302  # to the login page
    assert client_for(filer).get(url).status_code == 403
    assert (
        client_for(provincial_reviewer).post(url, {"action": "import", "text": NOTICE_2027}).status_code
        == 403
    )
    assert not CalendarYear.objects.filter(year=2027).exists()

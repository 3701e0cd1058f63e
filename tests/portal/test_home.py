"""The work queue of each role and the notification inbox."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govapp.core.models import Notification
from govapp.registry import services
from govapp.registry.models import Filing
from tests.conftest import pass_second_factor
from tests.factories import complete_filing


@pytest.fixture(autouse=True)
def _registry_only(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "APPROVAL_CHECKS", [])
    monkeypatch.setattr(services, "SUPPLEMENT_HOOKS", [])


def _as(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    pass_second_factor(client, user)
    return client


def _text(client: Client, name: str = "portal:home") -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def test_filer_sees_drafts_and_the_running_clock(filer):
    draft = complete_filing(filer, name="草稿应用")
    submitted = complete_filing(filer, name="已提交应用")
    services.filing_submit(filing=submitted, actor=filer)
    text = _text(_as(filer))
    assert "草稿应用" in text and "已提交应用" in text
    assert "省级完备性审核：10 个工作日" in text and "N1" not in text
    assert reverse("registry:filing_detail", args=[draft.pk]) in text


def test_overdue_and_provisional_clocks_are_marked(filer, provincial_reviewer):
    filing = complete_filing(filer, name="逾期应用")
    services.filing_submit(filing=filing, actor=filer)
    past = timezone.localdate() - dt.timedelta(days=30)
    Filing.objects.filter(pk=filing.pk).update(clock_due=past, clock_provisional=True)
    text = _text(_as(provincial_reviewer))
    assert re.search(r"逾期 \d+ 个工作日", text)
    assert 'class="clock overdue"' in text
    assert "provisional" in text


def test_provincial_queue_is_oldest_due_first_and_flags_below_county(filer, township_filer, provincial_reviewer,
                                                                     other_provincial_reviewer):  # fmt: skip
    later = complete_filing(filer, name="后到期")
    sooner = complete_filing(township_filer, name="先到期", below_county_justification="街道应急值守需要")
    services.filing_submit(filing=later, actor=filer)
    services.filing_submit(filing=sooner, actor=township_filer)
    today = timezone.localdate()
    Filing.objects.filter(pk=later.pk).update(clock_due=today + dt.timedelta(days=9))
    Filing.objects.filter(pk=sooner.pk).update(clock_due=today + dt.timedelta(days=2))
    text = _text(_as(provincial_reviewer))
    assert text.index("先到期") < text.index("后到期")
    assert "县级以下" in text
    assert "先到期" not in _text(_as(other_provincial_reviewer))


def test_national_queue_has_review_supplements_and_rectifications(filer, provincial_reviewer, national_reviewer,
                                                                  inspector):  # fmt: skip
    review = complete_filing(filer, name="待审应用")
    services.filing_submit(filing=review, actor=filer)
    services.filing_forward(filing=review, actor=provincial_reviewer)
    waiting = complete_filing(filer, name="待补正应用", android_package="cn.gov.zj.other")
    services.filing_submit(filing=waiting, actor=filer)
    services.filing_forward(filing=waiting, actor=provincial_reviewer)
    from govapp.registry.materials import Deficiency

    services.filing_request_supplement(
        filing=waiting, actor=national_reviewer, items=[Deficiency("om_team", "O&M team", "补充")]
    )
    text = _text(_as(national_reviewer))
    assert (
        "待审应用" in text
        and "待补正应用" in text
        and "国家网信办审核：20 个工作日" in text
        and "补正：10 个工作日" in text
    )
    assert "待审应用" in _text(_as(inspector))
    assert "待补正应用" not in _text(_as(inspector))


def test_the_national_list_of_apps_under_rectification_is_cut_with_a_link_to_all(filer, national_reviewer):  # type: ignore[no-untyped-def]
    from govapp.registry.models import App

    for i in range(12):
        App.objects.create(
            unit=filer.unit, name=f"整改应用{i:02d}", kind="native", state=App.State.RECTIFYING
        )
    html = _as(national_reviewer).get(reverse("portal:home")).content.decode()
    assert html.count("整改应用") == 10 and "整改应用11" not in html
    assert f"{reverse('registry:filing_list')}?state=rectifying" in html and "全部 12 个整改中的应用" in html


def test_admin_gets_links(sysadmin):
    home = _text(_as(sysadmin))
    assert reverse("public:list") in home
    assert reverse("registry:phrase_list") in home  # the offices' standard phrases are administered here


def test_inbox_lists_and_marks_read(filer, other_filer):
    note = Notification.objects.create(
        recipient=filer, subject="请补正", body="两项", url="/filings/", due=None
    )
    client = _as(filer)
    assert "请补正" in _text(client, "portal:inbox")
    assert _as(other_filer).post(reverse("portal:inbox_read", args=[note.pk])).status_code == 404
    response = client.post(reverse("portal:inbox_read", args=[note.pk]), {"next": "/filings/"})
    assert response.status_code == 302 and response.url == "/filings/"
    note.refresh_from_db()
    assert note.read_at is not None
    evil = client.post(reverse("portal:inbox_read", args=[note.pk]), {"next": "https://evil.example/"})
    assert evil.url == reverse("portal:inbox")
    Notification.objects.create(recipient=filer, subject="另一条")
    client.post(reverse("portal:inbox_read_all"))
    assert not filer.notifications.filter(read_at__isnull=True).exists()
    assert client.get(reverse("portal:inbox_read_all")).status_code == 405


def test_inbox_shows_the_due_date_of_a_notification(filer):
    due = timezone.localdate() + dt.timedelta(days=20)
    Notification.objects.create(recipient=filer, subject="有期限", due=due)
    assert due.isoformat() in _text(_as(filer), "portal:inbox")


def test_notifications_are_shown_in_the_readers_language(filer, provincial_reviewer):
    from django.utils import translation

    filing = complete_filing(filer, name="浙里办")
    with translation.override("zh-hans"):
        services.filing_submit(filing=filing, actor=filer)
    client = _as(provincial_reviewer)
    english = client.get(reverse("portal:inbox"), data={"lang": "en"}).content.decode()
    assert "New filing to review: 浙里办" in english and "working days" in english
    chinese = client.get(reverse("portal:inbox"), data={"lang": "zh-hans"}).content.decode()
    assert "New filing to review" not in chinese and "浙里办" in chinese and "个工作日" in chinese
    assert "N1" not in chinese and "N1" not in english


def test_notifications_written_before_stay_readable(filer):
    Notification.objects.create(recipient=filer, subject="请补正：浙里办", body="两项材料")
    page = _as(filer).get(reverse("portal:inbox"), data={"lang": "en"}).content.decode()
    assert "请补正：浙里办" in page and "两项材料" in page


def test_the_spot_check_section_speaks_of_spot_checks(national_reviewer):
    text = _text(_as(national_reviewer))
    section = text.split('id="campaigns"')[1].split("</section>")[0]
    assert "没有逾期的整改通知" not in section and "没有正在进行的抽查检测" in section

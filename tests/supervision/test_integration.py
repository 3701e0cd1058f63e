"""Supervision and complaints tied into the product: home queues by role, navigation, the app page's orders,
the unit never seeing a complaint's receipt code or case number, and scan findings turned into order findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from govapp.accounts.models import Role, UnitFunction, UnitLevel
from govapp.complaints import services as complaints
from govapp.registry import services as registry
from govapp.registry.models import App
from govapp.supervision.campaigns import selfcheck, spot_check
from govapp.supervision.enforcement import suspension
from govapp.supervision.enforcement.findings import findings_from_scan
from govapp.supervision.enforcement.rectification import rectification_answer, rectification_order_issue
from govapp.supervision.legacy.models import LegacyApp
from govapp.supervision.models import RectificationOrder, TypicalProblemNotice
from tests.conftest import pass_second_factor
from tests.factories import complete_filing, make_unit, make_user

ONLINE = dt.date(2023, 5, 18)
FINDING = [{"category": "checkin", "description": "每日强制打卡签到"}]


@pytest.fixture(autouse=True)
def _registry_only(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(registry, "APPROVAL_CHECKS", [])
    monkeypatch.setattr(registry, "SUPPLEMENT_HOOKS", [])


@pytest.fixture
def en(settings):  # type: ignore[no-untyped-def]
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        pass_second_factor(client, user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def filed_app(filer, provincial_reviewer, national_reviewer) -> App:  # type: ignore[no-untyped-def]
    filing = complete_filing(filer, name="浙里打卡")
    registry.filing_submit(filing=filing, actor=filer)
    registry.filing_forward(filing=filing, actor=provincial_reviewer)
    registry.filing_approve(filing=filing, actor=national_reviewer)
    return App.objects.get(pk=filing.app_id)


def _order(app: App, actor: Any, **kwargs: Any) -> RectificationOrder:
    return rectification_order_issue(app=app, actor=actor, source="reviewer", findings=FINDING,
                                     required_actions="删除打卡功能", article="第十三条", **kwargs)  # fmt: skip


def _home(client: Client) -> str:
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_filer_queue_lists_orders_requests_questionnaires_and_legacy(  # type: ignore[no-untyped-def]
    filed_app, filer, other_filer, national_reviewer, en
):
    order = _order(filed_app, national_reviewer)
    spot = spot_check.campaign_create(
        actor=national_reviewer, title="抽查", size=1, method="random", seed="1"
    )
    inspection = selfcheck.selfcheck_launch(actor=national_reviewer, title="自查")
    legacy = LegacyApp.objects.create(unit=filer.unit, name="老应用", android_package="cn.gov.zj.old",
                                      kind="app", platforms=["android"], online_since=ONLINE, created_by=filer)  # fmt: skip

    page = _home(en(filer))

    assert f'data-order="{order.pk}"' in page and order.reference in page
    assert "rectification: 15 working days" in page  # the countdown, as filing rows show theirs
    assert f'data-spot-item="{spot.items.get().pk}"' in page
    assert f'data-selfcheck-return="{inspection.returns.get().pk}"' in page
    assert f'data-legacy="{legacy.pk}"' in page
    assert reverse("supervision:campaign_mine") in page
    other = _home(en(other_filer))
    assert order.reference not in other and "老应用" not in other


def test_provincial_queue_has_province_complaints_orders_and_legacy(  # type: ignore[no-untyped-def]
    filed_app, filer, provincial_reviewer, other_provincial_reviewer, national_reviewer, en
):
    order = _order(filed_app, provincial_reviewer)
    complaint = complaints.complaint_submit(category="checkin", description="每天早上必须打卡",
                                            app_name=filed_app.name)  # fmt: skip
    assert complaint.province == "33"
    LegacyApp.objects.create(unit=filer.unit, name="老应用", android_package="cn.gov.zj.old", kind="app",
                             platforms=["android"], online_since=ONLINE, created_by=filer)  # fmt: skip

    page = _home(en(provincial_reviewer))

    assert f'data-complaint="{complaint.pk}"' in page and "1 open complaint" in page
    assert f'data-order="{order.pk}"' in page
    assert 'data-legacy-unfiled="1"' in page
    assert reverse("supervision:selfcheck_list") in page
    far = _home(en(other_provincial_reviewer))
    assert complaint.case_number not in far and order.reference not in far
    # Complaints routed to a province are not on the national office's queue.
    assert f'data-complaint="{complaint.pk}"' not in _home(en(national_reviewer))


def test_national_queue_has_answered_orders_campaigns_and_notice_drafts(  # type: ignore[no-untyped-def]
    filed_app, filer, national_reviewer, en
):
    order = _order(filed_app, national_reviewer)
    rectification_answer(order=order, actor=filer, statement="已删除打卡")
    spot = spot_check.campaign_create(actor=national_reviewer, title="春季抽查", size=1, method="random",
                                             seed="7")  # fmt: skip
    draft = TypicalProblemNotice.objects.create(
        title="典型问题通报草稿", body="…", created_by=national_reviewer
    )
    national = complaints.complaint_submit(
        category="other", description="某应用强制下载", app_name="不存在的应用"
    )

    page = _home(en(national_reviewer))

    assert f'data-order="{order.pk}"' in page
    assert f'data-campaign="{spot.pk}"' in page
    assert draft.title in page and reverse("supervision:notice_edit", args=[draft.pk]) in page
    assert f'data-complaint="{national.pk}"' in page


def test_authority_sees_its_suspension_inbox_and_filers_do_not(  # type: ignore[no-untyped-def]
    filed_app, filer, national_reviewer, en
):
    approval = make_unit("浙江省发展和改革委员会", level=UnitLevel.PROVINCIAL, province="33",
                         function=UnitFunction.IT_APPROVAL_AUTHORITY)  # fmt: skip
    officer = make_user("fgw", role=Role.FILER, unit=approval)
    suspension.revocation_with_consequences(
        app=filed_app, actor=national_reviewer, reason="以虚假材料取得备案", basis="false_materials"
    )
    notice = filed_app.suspension_notices.get(addressee=approval)

    page = _home(en(officer))

    assert f'data-suspension="{notice.pk}"' in page
    assert reverse("supervision:suspension_inbox") in page
    assert "data-suspension=" not in _home(en(filer))


def test_admin_sees_calendar_coverage(sysadmin, en):  # type: ignore[no-untyped-def]
    page = _home(en(sysadmin))
    assert 'data-calendar-years="' in page and "2026" in page


def test_navigation_public_links_and_staff_areas(client, filer, provincial_reviewer, en):  # type: ignore[no-untyped-def]
    public = client.get(reverse("public:home")).content.decode()
    assert reverse("complaints:new") in public and reverse("supervision:notice_list") in public
    assert "投诉举报" in public and "通报" in public  # Chinese by default
    assert reverse("supervision:order_list") not in public
    reviewer = _home(en(provincial_reviewer))
    for name in ("registry:filing_list", "supervision:order_list", "supervision:selfcheck_list",
                 "supervision:legacy_list", "complaints:list"):  # fmt: skip
        assert f'href="{reverse(name)}" class="nav-area"' in reviewer
    unit = _home(en(filer))
    assert f'href="{reverse("complaints:list")}" class="nav-area"' not in unit
    assert f'href="{reverse("supervision:campaign_mine")}" class="nav-area"' in unit


def test_app_page_links_the_order_form_and_lists_orders(  # type: ignore[no-untyped-def]
    filed_app, filer, provincial_reviewer, en
):
    form = reverse("supervision:order_new", args=[filed_app.pk])
    page = en(provincial_reviewer).get(reverse("registry:app_detail", args=[filed_app.pk])).content.decode()
    assert f'href="{form}"' in page and "Order rectification" in page
    assert form not in en(filer).get(reverse("registry:app_detail", args=[filed_app.pk])).content.decode()

    order = _order(filed_app, provincial_reviewer)
    page = en(provincial_reviewer).get(reverse("registry:app_detail", args=[filed_app.pk])).content.decode()
    assert f'data-order="{order.pk}"' in page and f'href="{form}"' in page  # a further order is possible
    assert (
        f'data-order="{order.pk}"'
        in en(filer).get(reverse("registry:app_detail", args=[filed_app.pk])).content.decode()
    )


def test_unit_never_sees_the_complaint_case_on_an_order(  # type: ignore[no-untyped-def]
    filed_app, filer, provincial_reviewer, en
):
    complaint = complaints.complaint_submit(
        category="checkin", description="每天必须打卡", app_name=filed_app.name, anonymous=False,
        contact_name="李四", contact_phone="13800000000",
    )  # fmt: skip
    order = rectification_order_issue(
        app=filed_app, actor=provincial_reviewer, source="complaint", complaint=complaint, required_actions="删除打卡",
        article="第十三条",
        findings=[{"category": "checkin", "description": "强制打卡", "evidence": {"complaint": complaint.case_number}}],
    )  # fmt: skip
    assert order.complaint_case == complaint.case_number
    url = reverse("supervision:order_detail", args=[order.pk])

    unit_page = en(filer).get(url).content.decode()
    reviewer_page = en(provincial_reviewer).get(url).content.decode()

    assert "强制打卡" in unit_page
    for secret in (complaint.receipt, complaint.case_number, "李四", "13800000000"):
        assert secret not in unit_page
    assert complaint.case_number in reviewer_page and complaint.receipt not in reviewer_page


def _report(scan_pk: int) -> Any:
    """A scan as the engine reports it: a formalism violation, a technical violation, an advisory finding."""

    class Scan:
        pk = scan_pk
        report_data = {
            "schema": "govapp.scan/1",
            "verdict": "violation",
            "findings": [
                {"rule": "FORM-CHECKIN-001", "category": "checkin", "article": "第十三条", "article_en": "Art. 13",
                 "severity": "high", "status": "violation",
                 "title": {"zh": "强制打卡签到", "en": "Compulsory check-in"},
                 "evidence": [{"file": "pages/checkin/checkin.wxml", "location": "3", "snippet": "每日打卡签到",
                               "caller": ""}]},
                {"rule": "TECH-FILING-001", "category": "filing_number_missing", "article": "第八条",
                 "article_en": "Art. 8", "severity": "medium", "status": "violation",
                 "title": {"zh": "未展示备案编号", "en": "Filing number not shown"}, "evidence": []},
                {"rule": "TECH-COMPLAINT-001", "category": "complaint_function_missing", "article": "第十六条",
                 "severity": "medium", "status": "advisory",
                 "title": {"zh": "未发现投诉建议功能入口", "en": "No complaint or suggestion entry found"},
                 "evidence": []},
            ],
        }  # fmt: skip

    return Scan()


def test_findings_from_scan_speak_the_active_language_and_keep_technical_categories():
    scan = _report(41)
    with translation.override("zh-hans"):
        zh = findings_from_scan(scan)
    english = findings_from_scan(scan)  # tests run in English outside requests

    assert [f["category"] for f in zh] == ["checkin", "other"]  # the advisory finding is not an order finding
    # The article is data, the same in both languages ("13"); pages render it 第十三条 / Art. 13.
    assert zh[0]["description"] == "强制打卡签到" and zh[0]["article"] == "13"
    assert english[0]["description"] == "Compulsory check-in" and english[0]["article"] == "13"
    assert english[1]["description"] == "Filing number not shown (TECH-FILING-001, filing_number_missing)"
    assert english[1]["evidence"] == {"scan": 41, "rule": "TECH-FILING-001",
                                      "technical_category": "filing_number_missing", "file": "", "location": "",
                                      "snippet": ""}  # fmt: skip
    assert english[0]["evidence"]["file"] == "pages/checkin/checkin.wxml"


def test_an_order_accepts_the_findings_of_a_scan_with_technical_categories(  # type: ignore[no-untyped-def]
    filed_app, national_reviewer
):
    order = rectification_order_issue(app=filed_app, actor=national_reviewer, source="spot_check",
                                      findings=findings_from_scan(_report(7)), required_actions="整改",
                                      article="第十三条")  # fmt: skip
    assert [f["category"] for f in order.findings] == ["checkin", "other"]
    assert order.findings[1]["evidence"]["technical_category"] == "filing_number_missing"

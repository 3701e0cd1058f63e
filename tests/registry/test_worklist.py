"""The reviewers' work lists: search, quick filters, verdicts, sorting and pages, through the real pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from govapp.inspection.models import FilingPackage, Scan
from govapp.registry import services
from govapp.registry.choices import AppKind
from govapp.registry.materials import Deficiency
from govapp.registry.models import Filing
from tests.factories import complete_filing
from tests.registry.test_views_helpers import as_user, page

pytestmark = pytest.mark.django_db


def names(html: str) -> list[str]:
    """App names in the order the work list shows them."""
    return re.findall(r'<td[^>]*><a href="/filings/\d+/">([^<]+)</a>', html)


def submitted(filer: Any, name: str, **materials: Any) -> Filing:
    return services.filing_submit(filing=complete_filing(filer, name=name, **materials), actor=filer)


def scanned(filing: Filing, *, status: str, verdict: str = "") -> None:
    """The technical test of each current package of the filing ended with ``status`` and ``verdict``."""
    for link in FilingPackage.objects.current().filter(filing=filing):
        Scan.objects.create(package=link.package, filing=filing, status=status, verdict=verdict)


@pytest.fixture
def queue(filer, township_filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    """Four filings in Zhejiang's completeness review: due dates, verdicts and histories apart."""
    late = submitted(filer, "甲逾期应用", responsible_name="赵六")
    Filing.objects.filter(pk=late.pk).update(clock_due=timezone.localdate() - dt.timedelta(days=3))
    scanned(late, status=Scan.Status.DONE, verdict="violation")
    clean = submitted(filer, "乙干净应用", android_package="cn.gov.zj.clean")
    scanned(clean, status=Scan.Status.DONE, verdict="pass")
    broken = submitted(
        township_filer,
        "丙街道小程序",
        kind=AppKind.MINI_PROGRAM,
        miniprogram_appid="wxstreet000001",
        below_county_justification="街道便民服务，经区政府批准",
    )
    scanned(broken, status=Scan.Status.FAILED)
    again = complete_filing(filer, name="丁退回重报")
    services.filing_submit(filing=again, actor=filer)
    services.filing_return_incomplete(
        filing=again, actor=provincial_reviewer, items=[Deficiency("om_team", "", "写明运维人员")]
    )
    services.filing_submit(filing=again, actor=filer)
    return {"late": late, "clean": clean, "broken": broken, "again": again}


def test_the_provincial_queue_filters_by_flag_verdict_platform_and_kind(queue, provincial_reviewer) -> None:  # type: ignore[no-untyped-def]
    client = as_user(provincial_reviewer)
    home = reverse("portal:home")
    html = page(client.get(home))
    assert "逾期" in html and "不属于县级以下" not in html  # Chinese first: the quick filters speak Chinese
    assert set(names(html)) == {"甲逾期应用", "乙干净应用", "丙街道小程序", "丁退回重报"}
    assert names(page(client.get(home, {"flag": "overdue"}))) == ["甲逾期应用"]
    assert names(page(client.get(home, {"flag": "resubmitted"}))) == ["丁退回重报"]
    assert names(page(client.get(home, {"flag": "below_county"}))) == ["丙街道小程序"]
    assert names(page(client.get(home, {"verdict": "violation"}))) == ["甲逾期应用"]
    assert names(page(client.get(home, {"verdict": "clean"}))) == ["乙干净应用"]
    assert names(page(client.get(home, {"verdict": "failed"}))) == ["丙街道小程序"]
    assert names(page(client.get(home, {"verdict": "unscanned"}))) == ["丁退回重报"]
    assert names(page(client.get(home, {"platform": "wechat"}))) == ["丙街道小程序"]
    assert names(page(client.get(home, {"kind": "mini_program"}))) == ["丙街道小程序"]
    # Filters combine: overdue and clean match nothing.
    assert names(page(client.get(home, {"flag": "overdue", "verdict": "clean"}))) == []
    english = page(client.get(home, {"lang": "en"}))
    assert "Due within 3 working days" in english and "Not yet scanned" in english


def test_due_within_three_working_days(queue, provincial_reviewer) -> None:  # type: ignore[no-untyped-def]
    from govapp.core.calendar import add_workdays

    today = timezone.localdate()
    Filing.objects.filter(pk=queue["clean"].pk).update(clock_due=add_workdays(today, 3))
    Filing.objects.filter(pk=queue["broken"].pk).update(clock_due=add_workdays(today, 4))
    Filing.objects.filter(pk=queue["again"].pk).update(clock_due=today)
    html = page(as_user(provincial_reviewer).get(reverse("portal:home"), {"flag": "due_soon"}))
    assert sorted(names(html)) == ["丁退回重报", "乙干净应用"]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("cn.gov.zj.clean", "乙干净应用"),  # package name
        ("wxstreet", "丙街道小程序"),  # appid
        ("赵六", "甲逾期应用"),  # responsible person
        ("街道办事处", "丙街道小程序"),  # unit
        ("丁退回", "丁退回重报"),  # app
    ],
)
def test_search_by_identifier_unit_and_person(queue, provincial_reviewer, q: str, found: str) -> None:  # type: ignore[no-untyped-def]
    html = page(as_user(provincial_reviewer).get(reverse("registry:filing_list"), {"q": q}))
    assert names(html) == [found]


def test_search_by_certificate_and_filing_number(
    filer, provincial_reviewer, national_reviewer, without_technical_test
) -> None:  # type: ignore[no-untyped-def]
    filing = submitted(filer, "戊已备案", android_cert_sha256="c" * 64)
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    services.filing_approve(filing=filing, actor=national_reviewer)
    number = Filing.objects.get(pk=filing.pk).app.current_number.number
    client = as_user(national_reviewer)
    assert names(page(client.get(reverse("registry:filing_list"), {"q": "CC:" * 31 + "CC"}))) == ["戊已备案"]
    html = page(client.get(reverse("registry:filing_list"), {"q": number}))
    assert names(html) == ["戊已备案"] and number in html


def test_every_column_sorts_both_ways_with_a_stable_tie(queue, provincial_reviewer) -> None:  # type: ignore[no-untyped-def]
    client = as_user(provincial_reviewer)
    home = reverse("portal:home")
    by_name = names(page(client.get(home, {"sort": "app"})))
    assert by_name == sorted(by_name)
    assert names(page(client.get(home, {"sort": "-app"}))) == by_name[::-1]
    by_due = names(page(client.get(home)))
    assert by_due[0] == "甲逾期应用"  # oldest due first by default
    for column in ("unit", "number", "procedure", "status", "verdict", "submitted", "due"):
        up = names(page(client.get(home, {"sort": column})))
        down = names(page(client.get(home, {"sort": f"-{column}"})))
        assert sorted(up) == sorted(down) == sorted(by_name)
    # Equal values (every procedure is "new") fall back to the primary key: the same order each time.
    assert names(page(client.get(home, {"sort": "procedure"}))) == names(
        page(client.get(home, {"sort": "procedure"}))
    )
    html = page(client.get(home, {"sort": "-app", "flag": "overdue"}))
    assert 'aria-sort="descending"' in html
    # The header links keep the filters and turn the active column around.
    assert 'href="?flag=overdue&amp;sort=app"' in html


def test_filters_survive_pagination(filer, provincial_reviewer) -> None:  # type: ignore[no-untyped-def]
    for i in range(30):
        submitted(filer, f"批量应用{i:02d}")
    client = as_user(provincial_reviewer)
    first = page(client.get(reverse("portal:home"), {"q": "批量", "sort": "-app"}))
    assert len(names(first)) == 25
    assert "q=%E6%89%B9%E9%87%8F&amp;sort=-app&amp;page=2" in first
    second = page(client.get(reverse("portal:home"), {"q": "批量", "sort": "-app", "page": "2"}))
    assert names(second) == [f"批量应用{i:02d}" for i in range(4, -1, -1)]


def test_unknown_values_are_ignored(queue, provincial_reviewer) -> None:  # type: ignore[no-untyped-def]
    client = as_user(provincial_reviewer)
    response = client.get(
        reverse("portal:home"), {"sort": "password", "flag": "x", "verdict": "y", "platform": "z"}
    )
    assert response.status_code == 200 and len(names(page(response))) == 4


@pytest.mark.parametrize("count", [3, 30])
def test_queue_pages_cost_a_bounded_number_of_queries(
    filer, provincial_reviewer, national_reviewer, django_assert_max_num_queries, count: int
) -> None:  # type: ignore[no-untyped-def]
    for i in range(count):
        filing = submitted(filer, f"计数{i:02d}")
        scanned(filing, status=Scan.Status.DONE, verdict="pass")
    client = as_user(provincial_reviewer)
    params = {"flag": ["resubmitted", "below_county"], "verdict": "clean", "q": "计数", "sort": "-verdict"}
    # The working-day calendar is read once per process and cached: warm it before counting.
    client.get(reverse("portal:home"))
    # Home: the session and user, the work list's count and rows, then the province's complaint, order,
    # self-inspection and legacy blocks, the workload, the colleagues and the inbox badge.
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get(reverse("portal:home"), params).status_code == 200
    # The filings list: session, user, its unit, the colleagues to filter by, count, rows, inbox badge and navigation.
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(reverse("registry:filing_list"), params).status_code == 200
    national = as_user(national_reviewer)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert national.get(reverse("registry:filing_list"), {"sort": "verdict"}).status_code == 200
    with django_assert_max_num_queries(NATIONAL_HOME_QUERIES):
        assert national.get(reverse("portal:home")).status_code == 200


HOME_QUERIES = 17
LIST_QUERIES = 10
NATIONAL_HOME_QUERIES = 22


def test_next_case_after_a_decision_is_the_first_of_the_queue(queue, provincial_reviewer) -> None:  # type: ignore[no-untyped-def]
    client = as_user(provincial_reviewer)
    clean = queue["clean"]
    response = client.post(reverse("registry:filing_forward", args=[clean.pk]), {"note": ""}, follow=True)
    html = page(response)
    first = names(page(client.get(reverse("portal:home"))))[0]
    assert "下一件" in html  # Chinese first
    assert re.search(rf'data-next-case="\d+">[^<]*{first}', html)
    assert "Next case" in page(client.get(reverse("registry:filing_detail", args=[clean.pk]), {"lang": "en"}))


def test_a_filer_has_no_next_case(queue, filer) -> None:  # type: ignore[no-untyped-def]
    html = page(as_user(filer).get(reverse("registry:filing_detail", args=[queue["clean"].pk])))
    assert "data-next-case" not in html


def test_the_print_view_has_materials_test_summary_and_history(queue, provincial_reviewer, far_filer) -> None:  # type: ignore[no-untyped-def]
    late = queue["late"]
    url = reverse("registry:filing_print", args=[late.pk])
    html = page(as_user(provincial_reviewer).get(url))
    assert "@page { size: A4" in html
    assert "发现违规" in html and "赵六" in html and "提交" in html  # verdict, materials, history in Chinese
    assert 'data-verdict="violation"' in html
    assert "Violation found" in page(as_user(provincial_reviewer).get(url, {"lang": "en"}))
    assert as_user(far_filer).get(url).status_code == 404

"""立项审核: an approval authority checks a project, records its opinion; the later filing carries it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govapp.consolidation.models import ConsolidationEvent, Opinion, ProjectReview
from govapp.core.models import Notification
from govapp.registry import services
from tests.factories import complete_filing

from .conftest import as_user, page

pytestmark = pytest.mark.django_db


def test_opinion_recorded_and_carried_by_the_later_filing(  # type: ignore[no-untyped-def]
    grid_app, approval_authority, other_filer, provincial_reviewer
):
    authority = as_user(approval_authority)
    facts = {"unit": other_filer.unit_id, "project_name": "宁波市网格通", "functions": "网格巡查、事件上报、随手拍",
             "kind": "app", "budget_line": "2027年信息化专项"}  # fmt: skip
    check = authority.get(reverse("consolidation:review_new"), facts)
    assert check.status_code == 200 and "杭州市网格通" in page(check) and "Shared functions" in page(check)
    response = authority.post(
        reverse("consolidation:review_new"),
        {
            **facts,
            "opinion": Opinion.MODULE,
            "target_app": grid_app.pk,
            "reason": "与杭州市网格通功能重复，作为其模块建设。",
        },
    )
    review = ProjectReview.objects.get()
    assert response.status_code == 302 and review.opinion == Opinion.MODULE and review.target_app == grid_app
    assert review.similar[0]["key"] == f"app:{grid_app.pk}"
    assert ConsolidationEvent.objects.get(review=review).data["opinion"] == "module"
    assert Notification.objects.filter(recipient=other_filer, subject__contains=review.number).exists()
    with pytest.raises(TypeError):
        review.save()  # append-only

    filing = complete_filing(other_filer, name="宁波市网格通", main_functions="网格巡查、事件上报",
                             android_package="cn.gov.nb.wgt", approval_doc_number=review.number)  # fmt: skip
    services.filing_submit(filing=filing, actor=other_filer)
    html = page(as_user(provincial_reviewer).get(reverse("registry:filing_detail", args=[filing.pk])))
    assert "Project review opinion" in html and review.number in html
    assert "Build as a module of an existing app" in html and "杭州市网格通" in html
    mine = page(as_user(other_filer).get(reverse("consolidation:obligations")))
    assert review.number in mine


def test_merge_opinion_needs_a_filed_app_and_outsiders_are_refused(  # type: ignore[no-untyped-def]
    approval_authority, other_filer, provincial_reviewer, far_filer
):
    authority = as_user(approval_authority)
    response = authority.post(
        reverse("consolidation:review_new"),
        {"unit": other_filer.unit_id, "project_name": "宁波网格", "functions": "网格巡查", "opinion": Opinion.MERGE,
         "reason": "重复"},
    )  # fmt: skip
    assert response.status_code == 400 and not ProjectReview.objects.exists()
    assert "Name the existing app" in page(response)
    out_of_area = authority.post(
        reverse("consolidation:review_new"),
        {"unit": far_filer.unit_id, "project_name": "南京网格", "functions": "网格", "opinion": Opinion.APPROVE,
         "reason": "同意"},
    )  # fmt: skip
    assert out_of_area.status_code == 400 and not ProjectReview.objects.exists()
    assert as_user(other_filer).get(reverse("consolidation:review_new")).status_code == 403
    assert as_user(provincial_reviewer).get(reverse("consolidation:review_new")).status_code == 403


def test_authority_sees_its_reviews_and_the_zh_page(approval_authority, other_filer):  # type: ignore[no-untyped-def]
    authority = as_user(approval_authority, "zh-hans")
    authority.post(
        reverse("consolidation:review_new"),
        {"unit": other_filer.unit_id, "project_name": "宁波政务公开", "functions": "政务公开", "opinion": "approve",
         "reason": "无重复"},
    )  # fmt: skip
    review = ProjectReview.objects.get()
    html = page(authority.get(reverse("consolidation:review_list")))
    assert review.number in html and "立项审核" in html
    assert (
        as_user(other_filer).get(reverse("consolidation:review_detail", args=[review.pk])).status_code == 200
    )

"""The joint provincial completeness review: two departments' opinions, the cyberspace office decides."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govapp.registry.choices import FilingState
from govapp.registry.models import Filing, ReviewOpinion
from tests.registry.test_views_helpers import as_user, page
from tests.registry.test_worklist import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def joint(settings):  # type: ignore[no-untyped-def]
    settings.GOVAPP_JOINT_PROVINCIAL_REVIEW = "on"


def test_forward_waits_for_the_administrations_opinion(
    joint, filer, provincial_reviewer, provincial_coreviewer
) -> None:  # type: ignore[no-untyped-def]
    filing = submitted(filer, "联审应用")
    office = as_user(provincial_reviewer)
    refused = office.post(reverse("registry:filing_forward", args=[filing.pk]), {"note": ""})
    assert refused.status_code == 400 and "政务服务管理部门" in page(refused)  # Chinese first
    assert Filing.objects.get(pk=filing.pk).state == FilingState.PROVINCIAL_REVIEW
    # The administration cannot decide for the office; it gives its opinion.
    service = as_user(provincial_coreviewer)
    assert service.post(reverse("registry:filing_forward", args=[filing.pk]), {"note": ""}).status_code == 400
    service.post(
        reverse("registry:filing_opinion", args=[filing.pk]), {"verdict": "complete", "text": "无异议"}
    )
    detail = page(office.get(reverse("registry:filing_detail", args=[filing.pk]), {"lang": "en"}))
    assert "Government-service administration" in detail and "Materials complete" in detail
    assert office.post(reverse("registry:filing_forward", args=[filing.pk]), {"note": ""}).status_code == 302
    assert Filing.objects.get(pk=filing.pk).state == FilingState.NATIONAL_REVIEW
    # Both opinions are on record.
    assert set(ReviewOpinion.objects.filter(filing=filing).values_list("department", "verdict")) == {
        ("gov_service_admin", "complete"),
        ("cyberspace_office", "complete"),
    }


def test_a_resubmission_needs_fresh_opinions(
    joint, filer, provincial_reviewer, provincial_coreviewer
) -> None:  # type: ignore[no-untyped-def]
    from govapp.registry import joint_review, services
    from govapp.registry.materials import Deficiency

    filing = submitted(filer, "重审应用")
    joint_review.opinion_record(filing=filing, actor=provincial_coreviewer, verdict="incomplete")
    services.filing_return_incomplete(
        filing=filing, actor=provincial_reviewer, items=[Deficiency("om_team", "", "写明运维人员")]
    )
    services.filing_submit(filing=filing, actor=filer)
    assert joint_review.current_opinions(filing) == {}


def test_alone_the_office_forwards_and_its_opinion_is_recorded(filer, provincial_reviewer) -> None:  # type: ignore[no-untyped-def]
    filing = submitted(filer, "独审应用")
    assert (
        as_user(provincial_reviewer)
        .post(reverse("registry:filing_forward", args=[filing.pk]), {"note": ""})
        .status_code
        == 302
    )
    assert list(ReviewOpinion.objects.filter(filing=filing).values_list("department", flat=True)) == [
        "cyberspace_office"
    ]


def test_outsiders_give_no_opinion(filer, other_provincial_reviewer, national_reviewer) -> None:  # type: ignore[no-untyped-def]
    filing = submitted(filer, "外人应用")
    url = reverse("registry:filing_opinion", args=[filing.pk])
    assert as_user(other_provincial_reviewer).post(url, {"verdict": "complete"}).status_code == 404
    assert as_user(national_reviewer).post(url, {"verdict": "complete"}).status_code == 403
    assert as_user(filer).post(url, {"verdict": "complete"}).status_code == 403
    assert not ReviewOpinion.objects.exists()


def test_by_default_a_province_with_an_administration_account_reviews_jointly(
    filer, provincial_reviewer, provincial_coreviewer, other_provincial_reviewer
) -> None:  # type: ignore[no-untyped-def]
    from govapp.accounts.models import Role
    from govapp.registry import joint_review
    from tests.factories import complete_filing, make_user

    filing = submitted(filer, "自动联审")
    assert joint_review.is_joint(filing)  # Zhejiang has the administration's reviewer
    office = as_user(provincial_reviewer)
    refused = office.post(reverse("registry:filing_forward", args=[filing.pk]), {"note": ""})
    assert refused.status_code == 400 and "政务服务管理部门" in page(refused)
    # Without an active account of the administration, the office reviews alone.
    provincial_coreviewer.is_active = False
    provincial_coreviewer.save()
    assert not joint_review.is_joint(filing)
    assert office.post(reverse("registry:filing_forward", args=[filing.pk]), {"note": ""}).status_code == 302
    # Another province's administration account does not make Zhejiang's review joint.
    make_user("js_coreviewer", role=Role.PROVINCIAL_COREVIEWER, unit=other_provincial_reviewer.unit)
    assert not joint_review.is_joint(complete_filing(filer, name="另一应用"))


def test_the_setting_names_its_values(settings) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.DEBUG"],
        env={"GOVAPP_JOINT_PROVINCIAL_REVIEW": "maybe", "DJANGO_SETTINGS_MODULE": "govapp.settings",
             "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0 and "must be auto, on or off, got 'maybe'" in result.stderr

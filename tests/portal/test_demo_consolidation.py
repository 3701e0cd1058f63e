"""The demo's consolidation story shows something true at first sight: a cluster, a plan in progress."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govapp.consolidation import plans
from govapp.consolidation.models import ConsolidationPlan, ProjectReview
from govapp.core.models import Notification
from govapp.portal import demo
from govapp.registry.models import App

pytestmark = pytest.mark.slow


def _signed_in(username: str):  # type: ignore[no-untyped-def]
    """A demo login as a person signs in: the lockout backend needs the request, reviewers the second factor."""
    from django.http import HttpRequest
    from django.test import Client

    from govapp.accounts.models import User
    from tests.conftest import pass_second_factor

    client = Client()
    assert client.login(request=HttpRequest(), username=username, password=demo.DEMO_PASSWORD)
    pass_second_factor(client, User.objects.get(username=username))
    return client


@pytest.mark.django_db
def test_demo_plan_has_the_grid_cluster_with_its_provincial_target() -> None:  # type: ignore[no-untyped-def]
    counts = demo.load_demo()
    assert counts["plan_items"] == 5 and counts["reported"] == 1
    plan = ConsolidationPlan.objects.get(province="33")
    rows = {r.app.name: r for r in plans.inventory(plan, "33")}
    grid = {"浙江基层治理四平台", "临安区网格通", "桐庐县网格巡查", "淳安县智慧网格"} - {"淳安县智慧网格"}
    clusters = {rows[name].cluster for name in grid}
    assert len(clusters) == 1 and "" not in clusters
    assert rows["淳安县智慧网格"].done and rows["桐庐县网格巡查"].overdue
    assert App.objects.get(name="淳安县智慧网格").state == App.State.DEREGISTERED
    assert Notification.objects.filter(
        recipient__username="zj_fin_user", subject__contains="桐庐县网格巡查"
    ).exists()
    assert ProjectReview.objects.filter(authority__name="浙江省发展和改革委员会").exists()
    client = _signed_in("zj_reviewer")
    html = client.get(reverse("consolidation:plan_detail", args=["33"])).content.decode()
    assert "桐庐县网格巡查" in html and "浙江基层治理四平台" in html
    client = _signed_in("zj_drc_user")
    assert client.get(reverse("consolidation:review_new")).status_code == 200

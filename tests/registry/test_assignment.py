"""Claiming and assigning cases within an office, the workload, and the "assign" events."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from govapp.accounts.models import Role
from govapp.registry.models import Filing, FilingEvent
from tests.factories import make_user
from tests.registry.test_views_helpers import as_user, page
from tests.registry.test_worklist import names, submitted

pytestmark = pytest.mark.django_db


def test_claim_assign_release_with_an_event_each(filer, provincial_reviewer, provincial_coreviewer) -> None:  # type: ignore[no-untyped-def]
    filing = submitted(filer, "认领应用")
    submitted(filer, "无人认领")
    client = as_user(provincial_reviewer)
    detail = reverse("registry:filing_detail", args=[filing.pk])
    html = page(client.get(detail))
    assert "认领" in html and "未分配" in html  # Chinese first
    assign = reverse("registry:filing_assign", args=[filing.pk])
    assert client.post(assign, {"assignee": "me"}).status_code == 302
    assert Filing.objects.get(pk=filing.pk).assignee == provincial_reviewer
    home = page(client.get(reverse("portal:home"), {"assignee": "mine"}))
    assert names(home) == ["认领应用"]
    assert names(page(client.get(reverse("portal:home"), {"assignee": "unassigned"}))) == ["无人认领"]
    # The workload: one case for me, one unassigned, none for the colleague.
    assert re.search(rf'data-workload="{provincial_reviewer.pk}">[^<]*1</a>', home)
    assert re.search(r'data-workload="unassigned">[^<]*1</a>', home)
    client.post(assign, {"assignee": str(provincial_coreviewer.pk)})
    assert Filing.objects.get(pk=filing.pk).assignee == provincial_coreviewer
    client.post(assign, {"assignee": ""})
    assert Filing.objects.get(pk=filing.pk).assignee is None
    events = FilingEvent.objects.filter(filing=filing, action="assign").order_by("id")
    assert [e.data["assignee"] for e in events] == [provincial_reviewer.pk, provincial_coreviewer.pk, None]
    assert all(e.actor_id == provincial_reviewer.pk for e in events)
    assert "Case assigned" in page(client.get(detail, {"lang": "en"}))


def test_only_colleagues_of_the_office_holding_the_case(
    filer, provincial_reviewer, other_provincial_reviewer, national_reviewer
) -> None:  # type: ignore[no-untyped-def]
    filing = submitted(filer, "越权应用")
    assign = reverse("registry:filing_assign", args=[filing.pk])
    # A reviewer of another province does not see the case; the national office does not hold it yet.
    assert as_user(other_provincial_reviewer).post(assign, {"assignee": "me"}).status_code == 404
    assert as_user(national_reviewer).post(assign, {"assignee": "me"}).status_code == 403
    assert as_user(filer).post(assign, {"assignee": "me"}).status_code == 403
    # Not a colleague: refused, nothing recorded.
    as_user(provincial_reviewer).post(assign, {"assignee": str(other_provincial_reviewer.pk)})
    assert Filing.objects.get(pk=filing.pk).assignee is None
    assert not FilingEvent.objects.filter(filing=filing, action="assign").exists()


def test_national_reviewers_assign_among_themselves(
    filer, provincial_reviewer, national_reviewer, units
) -> None:  # type: ignore[no-untyped-def]
    from govapp.registry import services

    colleague = make_user("national2", role=Role.NATIONAL_REVIEWER, unit=units["national"])
    filing = submitted(filer, "国家分配")
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    client = as_user(national_reviewer)
    client.post(reverse("registry:filing_assign", args=[filing.pk]), {"assignee": str(colleague.pk)})
    assert Filing.objects.get(pk=filing.pk).assignee == colleague
    html = page(client.get(reverse("portal:home"), {"assignee": str(colleague.pk), "lang": "en"}))
    assert names(html) == ["国家分配"] and "Workload" in html

"""Inbox filters: unread only, by what a notification is about, by case; kept across pages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from govapp.core.models import Notification
from tests.registry.test_views_helpers import as_user, page

pytestmark = pytest.mark.django_db


def subjects(html: str) -> list[str]:
    return re.findall(r"<h2>(?:<span[^>]*>[^<]*</span> )?([^<]+)</h2>", html)


def test_unread_kind_and_case_filters(provincial_reviewer) -> None:  # type: ignore[no-untyped-def]
    make = Notification.objects.create
    make(recipient=provincial_reviewer, subject="备案一待审", url="/filings/1/")
    make(recipient=provincial_reviewer, subject="备案一已补正", url="/filings/1/", read_at=timezone.now())
    make(recipient=provincial_reviewer, subject="备案二待审", url="/filings/2/")
    make(recipient=provincial_reviewer, subject="投诉待办", url="/complaints/manage/3/")
    client = as_user(provincial_reviewer)
    inbox = reverse("portal:inbox")
    html = page(client.get(inbox))
    assert "仅看未读" in html  # Chinese first
    assert sorted(subjects(page(client.get(inbox, {"unread": "1"})))) == sorted(
        ["备案一待审", "备案二待审", "投诉待办"]
    )
    assert sorted(subjects(page(client.get(inbox, {"kind": "complaint"})))) == ["投诉待办"]
    assert sorted(subjects(page(client.get(inbox, {"case": "/filings/1/"})))) == sorted(
        ["备案一待审", "备案一已补正"]
    )
    combined = subjects(page(client.get(inbox, {"case": "/filings/1/", "unread": "1"})))
    assert combined == ["备案一待审"]
    english = page(client.get(inbox, {"lang": "en", "kind": "nonsense", "case": "http://evil"}))
    assert "Unread only" in english and len(subjects(english)) == 4


def test_filters_survive_pages(provincial_reviewer) -> None:  # type: ignore[no-untyped-def]
    for i in range(35):
        Notification.objects.create(recipient=provincial_reviewer, subject=f"消息{i}", url="/filings/9/")
    html = page(as_user(provincial_reviewer).get(reverse("portal:inbox"), {"unread": "1", "kind": "filing"}))
    assert "unread=1&amp;kind=filing&amp;page=2" in html

"""The filings list shows and filters on the app's standing as well as the procedure's state
(docs/decisions/0001-two-state-machines.md), and decision buttons look like what they decide."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from govapp.registry import services
from govapp.registry.models import Filing
from tests.factories import complete_filing
from tests.public.conftest import no_technical_test, register  # noqa: F401
from tests.registry.test_views_helpers import as_user, page

pytestmark = pytest.mark.django_db


def rows(client: Any, **params: str) -> dict[str, str]:
    """App name -> the status shown in its row (the last row of an app wins: the newest procedure is first)."""
    html = page(client.get(reverse("registry:filing_list"), {"lang": "en", **params}))
    found: dict[str, str] = {}
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", html, flags=re.S):
        name = re.search(r'<a href="/filings/\d+/">([^<]+)</a>', row)
        status = re.search(r'data-status="([a-z_]+)"', row)
        if name and status:
            found.setdefault(name.group(1), status.group(1))
    return found


@pytest.mark.parametrize("standing", ["revoked", "deregistered"])
def test_app_standings_are_found_and_shown(register, national_reviewer, standing: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    app = getattr(register, standing)
    shown = rows(as_user(national_reviewer), state=standing)
    assert shown == {app.name: standing}
    # Unfiltered, the procedure that put the app in the register says what became of it, not "filed".
    assert rows(as_user(national_reviewer))[app.name] == standing


def test_rectifying_and_shutdown_are_found(register, other_filer, national_reviewer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    services.app_order_rectification(app=register.filed, actor=national_reviewer, reason="发现强制打卡功能")
    services.shutdown_announce(
        app=register.mini, actor=other_filer, notice="https://nb.gov.cn/n",
        offline_date=timezone.localdate(),
    )  # fmt: skip
    national = as_user(national_reviewer)
    assert rows(national, state="rectifying") == {"浙里办": "rectifying"}
    assert rows(national, state="shutdown_noticed") == {"宁波随申码": "shutdown_noticed"}
    filed = rows(national, state="filed")
    assert "浙里办" not in filed and "宁波随申码" not in filed and "杭州打卡通" not in filed
    assert filed["水利一张图"] == "filed"


def test_procedure_states_still_filter_on_the_filing(register, national_reviewer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert rows(as_user(national_reviewer), state="provincial_review") == {"审核中应用": "provincial_review"}


def test_the_filter_groups_procedure_states_and_app_standings(register, national_reviewer) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    html = page(as_user(national_reviewer).get(reverse("registry:filing_list"), {"lang": "en"}))
    assert '<optgroup label="Procedure">' in html and '<optgroup label="App in the register">' in html


def _buttons(html: str) -> dict[str, str]:
    """Action label -> its button class."""
    return {
        label.strip(): cls
        for cls, label in re.findall(
            r'<a class="btn (btn-[a-z]+)" href="/filings/\d+/[a-z_-]+/">([^<]+)</a>', html
        )
    }


@pytest.mark.usefixtures("no_technical_test")
def test_approve_and_refuse_do_not_look_alike(filer, provincial_reviewer, national_reviewer) -> None:  # type: ignore[no-untyped-def]
    filing = complete_filing(filer, name="浙里审")
    services.filing_submit(filing=filing, actor=filer)
    provincial = as_user(provincial_reviewer)
    at_province = _buttons(
        page(provincial.get(reverse("registry:filing_detail", args=[filing.pk]), {"lang": "en"}))
    )
    assert at_province["Forward to the national office"] == "btn-primary"
    assert at_province["Return as incomplete"] == "btn-danger"
    services.filing_forward(filing=Filing.objects.get(pk=filing.pk), actor=provincial_reviewer)
    national = as_user(national_reviewer)
    at_national = _buttons(
        page(national.get(reverse("registry:filing_detail", args=[filing.pk]), {"lang": "en"}))
    )
    assert at_national["Request supplement"] == "btn-danger"
    assert at_national["Extend the review period"] == "btn-secondary"
    # The approve button itself is on the decision form.
    form = page(national.get(reverse("registry:filing_approve", args=[filing.pk]), {"lang": "en"}))
    assert re.search(r'<button type="submit" class="btn btn-primary"[^>]*>Approve and issue', form)
    refuse = page(
        national.get(reverse("registry:filing_request_supplement", args=[filing.pk]), {"lang": "en"})
    )
    assert re.search(r'<button type="submit" class="btn btn-danger"[^>]*>Request supplement', refuse)

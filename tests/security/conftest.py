"""Shared fixtures of the adversarial tests: a filed app, a filing in national review, no rate limit."""

from __future__ import annotations

from typing import Any

import pytest

from govapp.registry import services
from govapp.registry.models import App, Filing
from tests.factories import complete_filing
from tests.public.builders import approve


@pytest.fixture
def filed_app(filer, provincial_reviewer, national_reviewer, without_technical_test) -> App:  # type: ignore[no-untyped-def]
    return approve(
        complete_filing(filer), filer=filer, provincial_reviewer=provincial_reviewer,
        national_reviewer=national_reviewer,
    )  # fmt: skip


@pytest.fixture
def in_national_review(filer, provincial_reviewer) -> Filing:  # type: ignore[no-untyped-def]
    filing = complete_filing(filer, name="审核中应用", android_package="cn.gov.hz.review")
    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=Filing.objects.get(pk=filing.pk), actor=provincial_reviewer)
    return Filing.objects.get(pk=filing.pk)


def english(client: Any) -> Any:
    client.cookies["django_language"] = "en"
    return client

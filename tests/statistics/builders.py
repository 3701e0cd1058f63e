"""Hand-built histories: procedures driven through the real services at chosen moments."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from govapp.registry import services

from ..factories import complete_filing

SHANGHAI = ZoneInfo("Asia/Shanghai")


@contextlib.contextmanager
def at(day: dt.date, hour: int = 10) -> Iterator[None]:
    """Run as if it were ``day`` at ``hour`` o'clock in Beijing (events, clocks and 'today' all follow)."""
    moment = dt.datetime.combine(day, dt.time(hour), SHANGHAI).astimezone(dt.UTC)
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def submitted_on(filer: Any, day: dt.date, name: str) -> Any:
    with at(day):
        filing = complete_filing(filer, name=name)
        return services.filing_submit(filing=filing, actor=filer)


def forwarded_on(filing: Any, reviewer: Any, day: dt.date) -> Any:
    with at(day):
        return services.filing_forward(filing=filing, actor=reviewer)


def returned_on(filing: Any, reviewer: Any, day: dt.date) -> Any:
    from govapp.registry.materials import Deficiency

    with at(day):
        return services.filing_return_incomplete(
            filing=filing, actor=reviewer, items=[Deficiency("om_team", "O&M team", "Name the team.")]
        )


def approved_on(filing: Any, reviewer: Any, day: dt.date) -> Any:
    with at(day):
        return services.filing_approve(filing=filing, actor=reviewer)

"""Importing a year's notice recomputes every registered provisional clock and records each change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from govapp.core import calendar, clocks
from govapp.core.calendar_import import import_notice
from govapp.core.clocks import ClockChange, register_clock_owner
from govapp.core.models import DeadlineRevision

NOTICE_2027 = (Path(__file__).parent / "data" / "notice_2027.txt").read_text(encoding="utf-8")
D = dt.date

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def test_every_registered_owner_is_asked_and_each_change_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clocks, "_owners", {})
    asked: list[frozenset[int]] = []

    def owner(years: frozenset[int]) -> Iterable[ClockChange]:
        asked.append(years)
        # The clock is recounted on the data being imported (the cache was refreshed first).
        due = calendar.deadline_for("N1", D(2027, 2, 1))
        return [ClockChange("tests.Clock", 7, "N1", D(2027, 2, 19), due.due, due.provisional)]

    register_clock_owner("tests", owner)
    _arrangement, result = import_notice(NOTICE_2027)
    assert asked == [frozenset({2027})]
    assert result.clocks == [ClockChange("tests.Clock", 7, "N1", D(2027, 2, 19), D(2027, 2, 20), False)]
    revision = DeadlineRevision.objects.get()
    assert (revision.owner, revision.object_id, revision.old_due, revision.new_due) == (
        "tests.Clock", 7, D(2027, 2, 19), D(2027, 2, 20),
    )  # fmt: skip
    assert revision.years == "2027" and "2027年" in revision.source


def test_the_apps_register_their_clocks() -> None:
    assert {"registry", "complaints", "supervision"} <= set(clocks.clock_owners())


def test_an_owner_that_fails_rolls_the_import_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clocks, "_owners", {})

    def broken(years: frozenset[int]) -> Iterable[ClockChange]:
        raise RuntimeError("disk full")

    register_clock_owner("broken", broken)
    with pytest.raises(RuntimeError):
        import_notice(NOTICE_2027)
    assert 2027 not in calendar.covered_years()

"""The official working-day calendar (工作日, 调休) and the working-day deadlines of the Measures.

Every limit in the Measures is "within N working days from receipt" on the official Chinese calendar:
Monday to Friday, minus the public holidays, plus the make-up working weekends (调休上班) that the State
Council announces each year. Only those exceptions are stored (``CalendarDay``); a year counts only when a
``CalendarYear`` row says its official arrangement is loaded. The tables are read once per process and
re-read after an import (in this process at once, in other processes within ``RECHECK_SECONDS``).

The strict functions (``is_workday``, ``add_workdays``, ``subtract_workdays``, ``workdays_between``) refuse
a year that is not loaded (``CalendarGap``). Deadlines and countdowns (``deadline_for``, ``countdown``,
``latest_day_before``) estimate such a year from the statutory holidays (``statutory_holidays``) and say
so: ``provisional``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from govapp.core.calendar_data import load_seed
from govapp.core.statutory_holidays import LAST_LUNAR_YEAR, is_estimated_workday

from .translatable import Text

ONE_DAY = dt.timedelta(days=1)

# Web server and worker are separate processes: an import in one must reach the other without a restart.
RECHECK_SECONDS = 30.0

LIMIT_NAMES = {
    "N1": gettext_lazy("provincial completeness review"),
    "N2": gettext_lazy("national review"),
    "N3": gettext_lazy("supplement"),
    "N4": gettext_lazy("change filing notice"),
    "N5": gettext_lazy("deregistration report"),
    # Limits that the Measures leave to the system (settings.GOVAPP_LIMITS, defaults in settings.py).
    "COMPLAINT": gettext_lazy("complaint handling"),
    "RECTIFY": gettext_lazy("rectification"),
    "SPOT_PACKAGE": gettext_lazy("package for a spot check"),
    "SELF_INSPECTION": gettext_lazy("self-inspection"),
}


class CalendarGap(LookupError):
    """The official calendar has no data for a year that a computation needs."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"The official working-day calendar has no data for {year}. Import the State Council's "
            f"notice on the {year} holiday arrangement with `govapp calendar import-notice FILE --year {year}` "
            f"(or a CSV with `govapp calendar import-csv FILE`)."
        )


@dataclass(frozen=True)
class Deadline:
    """A working-day limit started on ``start``; ``provisional`` when part of it was estimated (a year not loaded)."""

    limit: str
    days: int
    start: dt.date
    due: dt.date
    provisional: bool
    missing_years: tuple[int, ...] = field(default=())

    def describe(self) -> str:
        return self.text().render()

    def text(self) -> Text:
        """The limit, its length and due date, for a message rendered later in the reader's language."""
        text = Text.ngettext(
            "%(name)s: %(days)d working day, due %(due)s",
            "%(name)s: %(days)d working days, due %(due)s",
            self.days,
            name=LIMIT_NAMES[self.limit], days=self.days, due=self.due.isoformat(),
        )  # fmt: skip
        if self.provisional:
            years = ", ".join(str(year) for year in self.missing_years)
            text += Text.ngettext(
                " (provisional: the official calendar for %(years)s is not loaded yet)",
                " (provisional: the official calendars for %(years)s are not loaded yet)",
                len(self.missing_years),
                years=years,
            )
        return text


@dataclass
class _Snapshot:
    exceptions: dict[dt.date, bool]
    years: frozenset[int]
    stamp: tuple[object, ...]
    checked_at: float


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def clear_cache() -> None:
    """Forget the cached calendar; the next call reads the tables again."""
    global _snapshot
    with _lock:
        _snapshot = None


def _stamp() -> tuple[object, ...]:
    from govapp.core.models import CalendarDay, CalendarYear

    years = CalendarYear.objects.aggregate(n=Count("id"), last_id=Max("id"), last_at=Max("imported_at"))
    days = CalendarDay.objects.aggregate(n=Count("id"), last_id=Max("id"))
    return (years["n"], years["last_id"], years["last_at"], days["n"], days["last_id"])


def _calendar() -> _Snapshot:
    global _snapshot
    from govapp.core.models import CalendarDay, CalendarYear

    with _lock:
        now = time.monotonic()
        current = _snapshot
        if current is not None and now - current.checked_at < RECHECK_SECONDS:
            return current
        stamp = _stamp()
        if current is not None and current.stamp == stamp:
            current.checked_at = now
            return current
        _snapshot = _Snapshot(
            exceptions=dict(CalendarDay.objects.values_list("date", "is_workday")),
            years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
            stamp=stamp,
            checked_at=now,
        )
        return _snapshot


def covered_years() -> frozenset[int]:
    """Years whose official holiday arrangement is loaded."""
    return _calendar().years


def _as_date(value: dt.date) -> dt.date:
    # A datetime is a date too; deadlines run on the local (Beijing) calendar day of the moment given.
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if not isinstance(value, dt.date):
        raise TypeError(f"Expected a date, got {type(value).__name__}: {value!r}")
    return value


def _as_count(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"The number of working days must be a whole number, got {n!r}")
    if n < 0:
        raise ValueError(f"The number of working days must not be negative, got {n}")
    return n


def _step(day: dt.date, delta: dt.timedelta) -> dt.date:
    try:
        return day + delta
    except OverflowError:
        raise ValueError(f"Counting working days from {day} runs past the end of the calendar") from None


def _is_workday(cal: _Snapshot, day: dt.date, missing: set[int] | None) -> bool:
    if day.year not in cal.years:
        if missing is None:
            raise CalendarGap(day.year)
        missing.add(day.year)
        if day.year > LAST_LUNAR_YEAR:
            return day.weekday() < 5  # beyond the lunar table: only dates typed far ahead get here
        return is_estimated_workday(day)
    return cal.exceptions.get(day, day.weekday() < 5)


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is an official working day; CalendarGap when its year is not loaded."""
    return _is_workday(_calendar(), _as_date(day), None)


def workday_or_estimate(day: dt.date) -> tuple[bool, bool]:
    """``(working, estimated)``: the official answer, or the statutory-holiday estimate for a year not loaded."""
    missing: set[int] = set()
    working = _is_workday(_calendar(), _as_date(day), missing)
    return working, bool(missing)


def _advance(start: dt.date, n: int, missing: set[int] | None) -> dt.date:
    cal = _calendar()
    day, left = start, n
    while left:
        day = _step(day, ONE_DAY)
        if _is_workday(cal, day, missing):
            left -= 1
    return day


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start`` (``start`` itself not counted; n=0 gives ``start``)."""
    return _advance(_as_date(start), _as_count(n), None)


def subtract_workdays(day: dt.date, n: int) -> dt.date:
    """The latest working day x with ``add_workdays(x, n) <= day``.

    The last day on which something due "at least n working days before ``day``" can still be done: for a
    working ``day``, the n-th working day before it; for a day off, the n-th working day before the last
    working day preceding it. n=0 gives the latest working day up to ``day``.
    """
    return _back(_as_date(day), _as_count(n), None)


def _back(day: dt.date, n: int, missing: set[int] | None) -> dt.date:
    cal = _calendar()
    current, left = day, n + 1
    while True:
        if _is_workday(cal, current, missing):
            left -= 1
            if not left:
                return current
        current = _step(current, -ONE_DAY)


def workdays_between(a: dt.date, b: dt.date) -> int:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

    ``workdays_between(today, due)`` is the number of working days left (negative: overdue by that many).
    """
    return _between(_as_date(a), _as_date(b), None)


def _between(a: dt.date, b: dt.date, missing: set[int] | None) -> int:
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    cal = _calendar()
    count, day = 0, a
    while day < b:
        day += ONE_DAY
        if _is_workday(cal, day, missing):
            count += 1
    return sign * count


def deadline_for(limit: str, start: dt.date, *, days: int | None = None) -> Deadline:
    """The due date of working-day limit ``limit`` (N1…N5, settings.GOVAPP_LIMITS) counted from ``start``.

    ``days`` replaces the configured number where a decision sets it (a rectification order's own limit).
    Where the official calendar lacks a year it needs, that part is estimated from the statutory holidays
    and the deadline is marked provisional (never silently).
    """
    limits = settings.GOVAPP_LIMITS
    if limit not in limits or limit not in LIMIT_NAMES:
        known = ", ".join(sorted(set(limits) & set(LIMIT_NAMES)))
        raise ValueError(f"Unknown working-day limit {limit!r}; known limits: {known}")
    if days is None:
        days = limits[limit]
        source = f"settings.GOVAPP_LIMITS[{limit!r}]"
    else:
        source = f"The number of working days of {limit}"
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"{source} must be a positive number of working days, got {days!r}")
    start = _as_date(start)
    missing: set[int] = set()
    due = _advance(start, days, missing)
    return Deadline(
        limit=limit,
        days=days,
        start=start,
        due=due,
        provisional=bool(missing),
        missing_years=tuple(sorted(missing)),
    )


@dataclass(frozen=True)
class Countdown:
    """Working days from ``today`` to ``due``: what a page shows beside a running deadline."""

    due: dt.date
    today: dt.date
    days_left: int  # negative: overdue by that many working days
    provisional: bool  # part of the count estimated for a year whose official calendar is not loaded

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def overdue_days(self) -> int:
        return max(0, -self.days_left)

    @property
    def urgent(self) -> bool:
        """Due today or within the next two working days."""
        return 0 <= self.days_left <= 2


def countdown(due: dt.date, *, today: dt.date | None = None, provisional: bool = False) -> Countdown:
    """The working days left until ``due`` (today: Beijing's), estimated where the calendar lacks a year.

    ``provisional``: the due date itself was estimated when it was set (the stored mark of the clock).
    """
    today = _as_date(today) if today is not None else timezone.localdate()
    due = _as_date(due)
    missing: set[int] = set()
    left = _between(today, due, missing)
    return Countdown(due=due, today=today, days_left=left, provisional=provisional or bool(missing))


@dataclass(frozen=True)
class LatestDay:
    """The last day to act so that ``n`` working days remain before a date (see ``subtract_workdays``)."""

    date: dt.date
    provisional: bool


def latest_day_before(day: dt.date, n: int) -> LatestDay:
    """``subtract_workdays(day, n)``, estimated (and marked provisional) where the calendar lacks a year."""
    missing: set[int] = set()
    latest = _back(_as_date(day), _as_count(n), missing)
    return LatestDay(date=latest, provisional=bool(missing))


def use_seed_without_database() -> None:
    """Answer from the shipped official data instead of the tables (a command run before ``migrate``)."""
    global _snapshot

    rows, years = load_seed()
    with _lock:
        _snapshot = _Snapshot(
            exceptions={row.date: row.is_workday for row in rows},
            years=frozenset(years),
            stamp=("seed",),
            checked_at=float("inf"),
        )

"""The period a statistics page covers: by default the last twelve months, whole months from the first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive

    @property
    def last_day(self) -> dt.date:
        return self.end - ONE_DAY


def last_twelve_months(today: dt.date) -> Period:
    year, month = today.year, today.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return Period(dt.date(year, month, 1), today + ONE_DAY)


def month_period(month: str) -> Period | None:
    """'2026-11' as [2026-11-01, 2026-12-01); None when it is not a month."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = dt.date(year, number, 1)
    except ValueError:
        return None
    end = dt.date(year + 1, 1, 1) if number == 12 else dt.date(year, number + 1, 1)
    return Period(start, end)


def period_from(query: Mapping[str, str], today: dt.date) -> Period:
    """``from``/``to`` (ISO dates, ``to`` inclusive) when both parse and make sense, else the last 12 months."""
    try:
        start = dt.date.fromisoformat(str(query.get("from", "")))
        last = dt.date.fromisoformat(str(query.get("to", "")))
    except ValueError:
        return last_twelve_months(today)
    if last < start or (last - start).days > 3 * 366:
        return last_twelve_months(today)
    return Period(start, last + ONE_DAY)

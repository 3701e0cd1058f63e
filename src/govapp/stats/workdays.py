"""Working-day ordinals: the number of working days up to each date, so that SQL can subtract two of them.

``ordinal(b) - ordinal(a)`` equals ``core.calendar.workdays_between(a, b)`` (working days after ``a`` up to
and including ``b``). Years whose official arrangement is not loaded are estimated from the statutory
holidays, and the figures built on them say so (``provisional``), as every deadline does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from govapp.core.calendar import workday_or_estimate

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Ordinals:
    first: dt.date
    values: tuple[tuple[dt.date, int], ...]
    provisional: bool

    def as_dict(self) -> dict[dt.date, int]:
        return dict(self.values)


def ordinals(first: dt.date, last: dt.date) -> Ordinals:
    """Working days counted from ``first`` (0) to every date up to ``last`` inclusive."""
    count, day, rows, provisional = 0, first, [], False
    while day <= last:
        if day != first:
            working, estimated = workday_or_estimate(day)
            provisional = provisional or estimated
            count += int(working)
        rows.append((day, count))
        day += ONE_DAY
    return Ordinals(first=first, values=tuple(rows), provisional=provisional)

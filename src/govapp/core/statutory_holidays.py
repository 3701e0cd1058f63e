"""The statutory holidays of 全国年节及纪念日放假办法, for years whose official arrangement is not loaded yet.

The State Council's annual notice decides the calendar; until it is out, the Measures' holidays are
certain and the make-up working weekends (调休上班) are not. The estimate is therefore the statutory days
plus the rule that a holiday lost to a weekend is made up on a following working day (补休), and nothing
else: it is always shown as provisional. Pure: no database, no Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from holidays.calendars.chinese import _ChineseLunisolar

ONE_DAY = dt.timedelta(days=1)
# The lunisolar table of the ``holidays`` package covers these years (a wrong table is caught by the
# comparison with chinesecalendar's official data in the tests).
FIRST_LUNAR_YEAR = 1901
LAST_LUNAR_YEAR = 2100

# Festival -> days, as (kind, month, day): "solar" a Gregorian date, "lunar" a lunar date (month 0 day 0
# is 除夕, the eve of the lunar new year), "qingming" the solar term.
_Day = tuple[str, int, int]
_NEW_YEAR: tuple[_Day, ...] = (("solar", 1, 1),)
_QINGMING: tuple[_Day, ...] = (("qingming", 0, 0),)
_DRAGON_BOAT: tuple[_Day, ...] = (("lunar", 5, 5),)
_MID_AUTUMN: tuple[_Day, ...] = (("lunar", 8, 15),)
_NATIONAL_DAY: tuple[_Day, ...] = (("solar", 10, 1), ("solar", 10, 2), ("solar", 10, 3))
_EVE: _Day = ("lunar", 0, 0)
_FIRST_DAYS: tuple[_Day, ...] = (("lunar", 1, 1), ("lunar", 1, 2), ("lunar", 1, 3))

# (first year in force, festivals): the editions of the Measures (国务院令第270号、第513号、第644号、第795号).
EDITIONS: tuple[tuple[int, dict[str, tuple[_Day, ...]]], ...] = (
    (
        1901,  # 1999 edition: also used for earlier years, which are all loaded anyway
        {
            "元旦": _NEW_YEAR,
            "春节": _FIRST_DAYS,
            "劳动节": (("solar", 5, 1), ("solar", 5, 2), ("solar", 5, 3)),
            "国庆节": _NATIONAL_DAY,
        },
    ),
    (
        2008,
        {
            "元旦": _NEW_YEAR,
            "春节": (_EVE, *_FIRST_DAYS[:2]),
            "清明节": _QINGMING,
            "劳动节": (("solar", 5, 1),),
            "端午节": _DRAGON_BOAT,
            "中秋节": _MID_AUTUMN,
            "国庆节": _NATIONAL_DAY,
        },
    ),
    (
        2014,
        {
            "元旦": _NEW_YEAR,
            "春节": _FIRST_DAYS,
            "清明节": _QINGMING,
            "劳动节": (("solar", 5, 1),),
            "端午节": _DRAGON_BOAT,
            "中秋节": _MID_AUTUMN,
            "国庆节": _NATIONAL_DAY,
        },
    ),
    (
        2025,
        {
            "元旦": _NEW_YEAR,
            "春节": (_EVE, *_FIRST_DAYS),
            "清明节": _QINGMING,
            "劳动节": (("solar", 5, 1), ("solar", 5, 2)),
            "端午节": _DRAGON_BOAT,
            "中秋节": _MID_AUTUMN,
            "国庆节": _NATIONAL_DAY,
        },
    ),
)


@dataclass(frozen=True)
class StatutoryHoliday:
    date: dt.date
    name: str


def _check_year(year: int) -> None:
    if not FIRST_LUNAR_YEAR <= year <= LAST_LUNAR_YEAR:
        raise ValueError(
            f"No estimate of the statutory holidays for {year}: the lunar calendar is known for "
            f"{FIRST_LUNAR_YEAR}–{LAST_LUNAR_YEAR}"
        )


def _resolve(year: int, day: _Day, lunar: _ChineseLunisolar) -> dt.date:
    kind, month, number = day
    if kind == "solar":
        return dt.date(year, month, number)
    if kind == "qingming":
        return lunar.qingming_date(year)[0]
    new_year = lunar.lunar_new_year_date(year)[0]
    assert new_year is not None  # inside FIRST_LUNAR_YEAR..LAST_LUNAR_YEAR
    if (month, number) == (0, 0):
        return new_year - ONE_DAY
    if month == 1:
        return new_year + (number - 1) * ONE_DAY
    found = {(5, 5): lunar.dragon_boat_date(year)[0], (8, 15): lunar.mid_autumn_date(year)[0]}[
        (month, number)
    ]
    assert found is not None
    return found


@lru_cache(maxsize=256)
def statutory_days(year: int) -> tuple[StatutoryHoliday, ...]:
    """The Measures' holidays of ``year`` in date order (a day two festivals share appears twice)."""
    _check_year(year)
    # Imported when first needed: the holidays package takes over half a second to load.
    from holidays.calendars.chinese import _ChineseLunisolar

    festivals = next(festivals for first, festivals in reversed(EDITIONS) if year >= first)
    lunar = _ChineseLunisolar()
    days = [
        StatutoryHoliday(_resolve(year, day, lunar), name) for name, spec in festivals.items() for day in spec
    ]
    return tuple(sorted(days, key=lambda holiday: holiday.date))


@lru_cache(maxsize=256)
def days_off(year: int) -> frozenset[dt.date]:
    """The statutory days of ``year`` plus one following working day for each lost to a weekend or shared.

    Weekends stay days off; the make-up working weekends of the real notice are unknowable in advance.
    """
    off: set[dt.date] = set()
    for holiday in statutory_days(year):
        lost = holiday.date.weekday() >= 5 or holiday.date in off
        off.add(holiday.date)
        if not lost:
            continue
        make_up = holiday.date + ONE_DAY
        while make_up.weekday() >= 5 or make_up in off or make_up in _later_statutory(year, holiday.date):
            make_up += ONE_DAY
        off.add(make_up)
    return frozenset(off)


def _later_statutory(year: int, after: dt.date) -> frozenset[dt.date]:
    return frozenset(holiday.date for holiday in statutory_days(year) if holiday.date > after)


def is_estimated_workday(day: dt.date) -> bool:
    """Monday–Friday minus the statutory days off and their make-up days (the provisional estimate)."""
    return day.weekday() < 5 and day not in days_off(day.year)

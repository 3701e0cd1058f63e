"""The statutory holidays (全国年节及纪念日放假办法) that a provisional deadline skips."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from govapp.core.statutory_holidays import days_off, statutory_days

D = dt.date

# Days off that a separate, one-off notice added (not the Measures' statutory holidays).
ONE_OFF_DAYS_OFF = {
    D(2015, 9, 3),  # 70th anniversary of the victory of the War of Resistance
    D(2015, 9, 4),
    D(2020, 1, 31),  # Spring Festival extended (COVID-19)
}
FIRST_YEAR = min(chinese_calendar.holidays).year
LAST_YEAR = max(chinese_calendar.holidays).year


def test_2027_estimate_is_the_measures_with_weekend_holidays_made_up() -> None:
    assert sorted(days_off(2027)) == [
        D(2027, 1, 1),
        D(2027, 2, 5),  # 除夕
        D(2027, 2, 6),  # 初一, Saturday
        D(2027, 2, 7),  # 初二, Sunday
        D(2027, 2, 8),  # 初三
        D(2027, 2, 9),  # made up for the Saturday
        D(2027, 2, 10),  # made up for the Sunday
        D(2027, 4, 5),  # 清明
        D(2027, 5, 1),  # Saturday
        D(2027, 5, 2),  # Sunday
        D(2027, 5, 3),
        D(2027, 5, 4),
        D(2027, 6, 9),  # 端午
        D(2027, 9, 15),  # 中秋
        D(2027, 10, 1),
        D(2027, 10, 2),  # Saturday
        D(2027, 10, 3),  # Sunday
        D(2027, 10, 4),
        D(2027, 10, 5),
    ]


# Years whose notice made a lost holiday up on another weekday than the next free one (a 补休 before the
# festival, or 除夕 given off in exchange); their statutory days are still all days off.
MADE_UP_ELSEWHERE = {2006, 2012, 2015, 2017, 2018, 2020, 2021, 2022}


@pytest.mark.parametrize("year", range(FIRST_YEAR, LAST_YEAR + 1))
def test_every_statutory_day_is_an_official_day_off(year: int) -> None:
    for holiday in statutory_days(year):
        assert chinese_calendar.is_holiday(holiday.date), holiday


@pytest.mark.parametrize("year", sorted(set(range(FIRST_YEAR, LAST_YEAR + 1)) - MADE_UP_ELSEWHERE))
def test_estimate_equals_the_official_holidays_make_up_days_aside(year: int) -> None:
    """On weekdays, the official days off minus the swapped ones (调休) are the statutory days plus 补休."""
    official = {
        day
        for day in chinese_calendar.holidays
        if day.year == year
        and day.weekday() < 5
        and not chinese_calendar.is_in_lieu(day)
        and day not in ONE_OFF_DAYS_OFF
    }
    estimate = {day for day in days_off(year) if day.weekday() < 5}
    assert estimate == official


years = st.integers(min_value=1901, max_value=2100)


@given(years)
def test_every_statutory_day_is_off_and_each_lost_one_is_made_up_once(year: int) -> None:
    statutory = statutory_days(year)
    off = days_off(year)
    assert {holiday.date for holiday in statutory} <= off
    # One weekday off per statutory day: a holiday on a weekend or on another holiday's day is made up.
    assert len({day for day in off if day.weekday() < 5}) == len(statutory)
    assert all(day.year == year for day in off)


@given(st.integers(min_value=2025, max_value=2100))
def test_the_2024_amendment_gives_thirteen_days(year: int) -> None:
    days = [holiday.date for holiday in statutory_days(year)]
    assert len(days) == 13
    assert D(year, 1, 1) in days and D(year, 5, 2) in days and D(year, 10, 3) in days


def test_years_outside_the_lunar_table_are_refused() -> None:
    with pytest.raises(ValueError, match="2101"):
        days_off(2101)

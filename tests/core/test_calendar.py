"""The official working-day calendar: 2026 golden days, properties, provisional deadlines, the seed data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import chinese_calendar
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govapp.core import calendar
from govapp.core.calendar import (
    CalendarGap,
    add_workdays,
    countdown,
    deadline_for,
    is_workday,
    subtract_workdays,
    workdays_between,
)
from govapp.core.models import CalendarDay, CalendarYear
from govapp.core.statutory_holidays import days_off

D = dt.date

# The 2026 arrangement (国务院办公厅关于2026年部分节假日安排的通知) as the brief and the notice give it.
DAYS_OFF_2026 = [
    (D(2026, 1, 1), D(2026, 1, 3)),
    (D(2026, 2, 15), D(2026, 2, 23)),
    (D(2026, 4, 4), D(2026, 4, 6)),
    (D(2026, 5, 1), D(2026, 5, 5)),
    (D(2026, 6, 19), D(2026, 6, 21)),
    (D(2026, 9, 25), D(2026, 9, 27)),
    (D(2026, 10, 1), D(2026, 10, 7)),
]
MAKE_UP_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]

# Where chinesecalendar disagrees with the official notice (see core/data/README.md).
KNOWN_CHINESECALENDAR_ERRORS = {
    # 国务院办公厅关于2006年部分节假日安排的通知: "12月31日（星期六）上班".
    D(2005, 12, 31): True,
}

pytestmark = pytest.mark.django_db

hypothesis_settings = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Far enough from the end of the seed (2026) that 120 working days never leave it.
starts = st.dates(min_value=D(2001, 2, 1), max_value=D(2026, 6, 1))


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def test_acceptance_check_counts_the_october_make_up_saturday() -> None:
    assert add_workdays(D(2026, 9, 28), 10) == D(2026, 10, 16)


def test_2026_days_off_and_make_up_days_are_exactly_the_notice() -> None:
    off = {day for first, last in DAYS_OFF_2026 for day in _days(first, last)}
    for day in _days(D(2026, 1, 1), D(2026, 12, 31)):
        expected = day in MAKE_UP_2026 or (day.weekday() < 5 and day not in off)
        assert is_workday(day) is expected, day


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2025, 12, 31), 1, D(2026, 1, 4)),  # New Year: Jan 1-3 off, Sunday Jan 4 works
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Saturday before the Spring Festival works
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # then nine days off
        (D(2026, 2, 27), 1, D(2026, 2, 28)),  # and Saturday Feb 28 works
        (D(2026, 4, 3), 1, D(2026, 4, 7)),  # Qingming
        (D(2026, 4, 30), 1, D(2026, 5, 6)),  # Labour Day
        (D(2026, 5, 8), 1, D(2026, 5, 9)),
        (D(2026, 6, 18), 1, D(2026, 6, 22)),  # Dragon Boat
        (D(2026, 9, 19), 1, D(2026, 9, 20)),  # Sunday Sep 20 works
        (D(2026, 9, 24), 1, D(2026, 9, 28)),  # Mid-Autumn
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # National Day
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        (D(2026, 1, 5), 20, D(2026, 2, 2)),
        (D(2026, 9, 28), 0, D(2026, 9, 28)),
    ],
)
def test_2026_golden_deadlines(start: dt.date, n: int, due: dt.date) -> None:
    assert add_workdays(start, n) == due


def test_workdays_between_counts_days_left_and_overdue() -> None:
    assert workdays_between(D(2026, 9, 28), D(2026, 10, 16)) == 10
    assert workdays_between(D(2026, 10, 16), D(2026, 9, 28)) == -10
    assert workdays_between(D(2026, 10, 1), D(2026, 10, 7)) == 0
    assert workdays_between(D(2026, 10, 9), D(2026, 10, 10)) == 1


def test_subtract_workdays_gives_the_last_working_day_for_a_change_filing() -> None:
    # A change taking effect Monday Oct 19 must be filed 10 working days before: by Tuesday Sep 29.
    assert subtract_workdays(D(2026, 10, 19), 10) == D(2026, 9, 29)
    assert add_workdays(D(2026, 9, 29), 10) == D(2026, 10, 19)
    assert add_workdays(D(2026, 9, 30), 10) > D(2026, 10, 19)
    assert subtract_workdays(D(2026, 10, 10), 1) == D(2026, 10, 9)  # the make-up Saturday is a working day
    assert subtract_workdays(D(2026, 10, 11), 1) == D(2026, 10, 9)  # a Sunday: Saturday must lie between
    assert subtract_workdays(D(2026, 10, 4), 0) == D(2026, 9, 30)


def test_uncovered_years_raise_calendar_gap_naming_the_year() -> None:
    with pytest.raises(CalendarGap) as excinfo:
        add_workdays(D(2026, 12, 20), 20)
    assert excinfo.value.year == 2027
    assert "2027" in str(excinfo.value) and "import-notice" in str(excinfo.value)
    with pytest.raises(CalendarGap):
        is_workday(D(2000, 6, 1))
    with pytest.raises(CalendarGap):
        subtract_workdays(D(2001, 1, 3), 5)
    with pytest.raises(CalendarGap):
        workdays_between(D(2026, 12, 1), D(2027, 1, 10))


def test_bad_arguments_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        add_workdays(D(2026, 1, 5), -1)
    with pytest.raises(TypeError, match="whole number"):
        add_workdays(D(2026, 1, 5), 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Expected a date"):
        is_workday("2026-01-05")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Unknown working-day limit 'N9'"):
        deadline_for("N9", D(2026, 1, 5))


def test_deadline_for_uses_the_configured_limit_and_describes_itself() -> None:
    deadline = deadline_for("N1", D(2026, 9, 28))
    assert (deadline.limit, deadline.days, deadline.start, deadline.due) == (
        "N1",
        10,
        D(2026, 9, 28),
        D(2026, 10, 16),
    )
    assert deadline.provisional is False
    with translation.override("en"):
        assert deadline.describe() == "provincial completeness review: 10 working days, due 2026-10-16"


def test_deadline_for_follows_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.GOVAPP_LIMITS = {**settings.GOVAPP_LIMITS, "N3": 1}
    deadline = deadline_for("N3", D(2026, 9, 30))
    assert (deadline.days, deadline.due) == (1, D(2026, 10, 8))
    with translation.override("en"):
        assert deadline.describe() == "supplement: 1 working day, due 2026-10-08"
    settings.GOVAPP_LIMITS = {**settings.GOVAPP_LIMITS, "N3": 0}
    with pytest.raises(ValueError, match="positive number of working days"):
        deadline_for("N3", D(2026, 9, 30))


def test_deadline_for_an_uncovered_year_is_provisional_and_skips_the_statutory_holidays() -> None:
    deadline = deadline_for("N2", D(2028, 3, 1))
    assert deadline.due == D(2028, 3, 29)  # four plain weeks: no statutory holiday in March
    assert deadline.provisional is True
    assert deadline.missing_years == (2028,)
    with translation.override("en"):
        assert deadline.describe() == (
            "national review: 20 working days, due 2028-03-29 "
            "(provisional: the official calendar for 2028 is not loaded yet)"
        )
    # 清明 2028 is Tuesday April 4: an estimate Monday–Friday would land on it.
    assert deadline_for("N1", D(2028, 3, 21)).due == D(2028, 4, 5)


def test_a_provisional_deadline_never_lands_on_new_years_day() -> None:
    # From Dec 17 the tenth working day is Dec 31 (official); one day later it is Monday Jan 4, 2027.
    assert deadline_for("N1", D(2026, 12, 17)).due == D(2026, 12, 31)
    later = deadline_for("N1", D(2026, 12, 18))
    assert (later.due, later.provisional) == (D(2027, 1, 4), True)


def test_deadline_across_the_year_end_counts_the_known_part_officially() -> None:
    deadline = deadline_for("N2", D(2026, 9, 30))
    assert deadline.provisional is False
    late = deadline_for("N2", D(2026, 12, 20))
    # Dec 21-31 2026 officially (9 days), then Jan 2027 estimated: Jan 1 is New Year's Day.
    assert (late.due, late.provisional, late.missing_years) == (D(2027, 1, 18), True, (2027,))


def test_statistics_count_an_unloaded_year_as_the_deadlines_do() -> None:
    from govapp.stats.workdays import ordinals

    # The durations of the statistics use the same estimate: New Year's Day 2027 is no working day.
    counted = ordinals(D(2026, 12, 30), D(2027, 1, 5))
    assert counted.provisional and counted.as_dict()[D(2027, 1, 5)] == 3  # Dec 31, Jan 4, Jan 5
    assert calendar.workday_or_estimate(D(2027, 1, 1)) == (False, True)
    assert calendar.workday_or_estimate(D(2026, 12, 31)) == (True, False)


def test_an_explicit_number_of_days_overrides_the_setting() -> None:
    deadline = deadline_for("RECTIFY", D(2026, 9, 28), days=10)
    assert (deadline.days, deadline.due) == (10, D(2026, 10, 16))


def test_countdown_is_a_typed_value_with_overdue_apart_from_provisional() -> None:
    ahead = countdown(D(2026, 10, 16), today=D(2026, 9, 28))
    assert (ahead.days_left, ahead.overdue, ahead.provisional, ahead.urgent) == (10, False, False, False)
    late = countdown(D(2026, 9, 28), today=D(2026, 10, 16))
    assert (late.days_left, late.overdue, late.overdue_days) == (-10, True, 10)
    estimated = countdown(D(2027, 1, 29), today=D(2027, 1, 4))
    assert (estimated.days_left, estimated.overdue, estimated.provisional) == (19, False, True)
    assert countdown(D(2026, 9, 29), today=D(2026, 9, 28)).urgent
    with pytest.raises(TypeError):
        tuple(ahead)  # type: ignore[call-overload]


@given(st.dates(min_value=D(2026, 6, 1), max_value=D(2040, 12, 31)), st.integers(1, 60))
@hypothesis_settings
def test_provisional_deadlines_land_on_estimated_working_days(start: dt.date, n: int) -> None:
    deadline = deadline_for("N1", start, days=n)
    if deadline.due.year in calendar.covered_years():
        assert is_workday(deadline.due)
    else:
        assert deadline.provisional
        assert deadline.due.weekday() < 5 and deadline.due not in days_off(deadline.due.year)
    assert countdown(deadline.due, today=start).days_left == n


def test_deadline_from_a_moment_uses_the_beijing_calendar_day() -> None:
    late_evening_utc = dt.datetime(2026, 9, 27, 17, 0, tzinfo=dt.UTC)  # 01:00 on Sep 28 in Beijing
    assert deadline_for("N1", late_evening_utc).start == D(2026, 9, 28)


def test_other_processes_see_an_import_after_the_recheck_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    assert is_workday(D(2026, 10, 12)) is True
    CalendarDay.objects.create(date=D(2026, 10, 12), is_workday=False, name="test", source="test")
    assert is_workday(D(2026, 10, 12)) is True  # still cached: no query per call
    monkeypatch.setattr(calendar, "RECHECK_SECONDS", 0.0)
    assert is_workday(D(2026, 10, 12)) is False


def test_seed_covers_2001_to_2026_and_nothing_unofficial() -> None:
    assert set(CalendarYear.objects.values_list("year", flat=True)) == set(range(2001, 2027))
    assert calendar.covered_years() == frozenset(range(2001, 2027))
    for day in CalendarDay.objects.all():
        assert day.is_workday != (day.date.weekday() < 5), f"{day.date} repeats the Monday–Friday rule"
        assert day.source.startswith("国务院"), day


def test_every_day_agrees_with_chinesecalendar_where_both_have_data() -> None:
    disagreements = {}
    for day in _days(D(2004, 1, 1), D(2026, 12, 31)):
        try:
            theirs = chinese_calendar.is_workday(day)
        except NotImplementedError:
            continue
        ours = is_workday(day)
        if ours != theirs:
            disagreements[day] = ours
    assert disagreements == KNOWN_CHINESECALENDAR_ERRORS


@hypothesis_settings
@given(start=starts, n=st.integers(min_value=1, max_value=120))
def test_add_workdays_lands_on_a_working_day_after_start(start: dt.date, n: int) -> None:
    due = add_workdays(start, n)
    assert due > start
    assert is_workday(due)
    assert add_workdays(start, n - 1) < due


@hypothesis_settings
@given(start=starts, a=st.integers(min_value=0, max_value=60), b=st.integers(min_value=0, max_value=60))
def test_add_workdays_composes(start: dt.date, a: int, b: int) -> None:
    assert add_workdays(start, a + b) == add_workdays(add_workdays(start, a), b)


@hypothesis_settings
@given(start=starts, n=st.integers(min_value=0, max_value=120))
def test_workdays_between_inverts_add_workdays(start: dt.date, n: int) -> None:
    due = add_workdays(start, n)
    assert workdays_between(start, due) == n
    assert workdays_between(due, start) == -n


@hypothesis_settings
@given(a=starts, b=starts, c=starts)
def test_workdays_between_is_additive(a: dt.date, b: dt.date, c: dt.date) -> None:
    assert workdays_between(a, b) + workdays_between(b, c) == workdays_between(a, c)


@hypothesis_settings
@given(
    day=st.dates(min_value=D(2001, 9, 1), max_value=D(2026, 6, 1)), n=st.integers(min_value=1, max_value=120)
)
def test_subtract_workdays_is_the_latest_working_day_n_before(day: dt.date, n: int) -> None:
    latest = subtract_workdays(day, n)
    assert is_workday(latest)
    assert add_workdays(latest, n) <= day
    assert add_workdays(add_workdays(latest, 1), n) > day  # the next working day would be too late
    if is_workday(day):
        assert add_workdays(latest, n) == day


@hypothesis_settings
@given(start=starts, n=st.integers(min_value=1, max_value=120))
def test_subtract_undoes_add(start: dt.date, n: int) -> None:
    back = subtract_workdays(add_workdays(start, n), n)
    # From a day off, going back lands on the last working day before it.
    assert back == subtract_workdays(start, 0)
    assert back == start or not is_workday(start)


def test_a_deadline_reads_without_the_limit_code() -> None:
    """People read "整改时限 20 个工作日", not the settings key RECTIFY."""
    deadline = deadline_for("RECTIFY", D(2026, 9, 28))
    with translation.override("zh-hans"):
        text = deadline.describe()
    assert "RECTIFY" not in text and "=" not in text
    assert text.startswith("整改：") and "个工作日" in text

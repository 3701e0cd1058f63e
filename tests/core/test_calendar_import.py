"""Reading the State Council notice and calendar CSVs, and importing a year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govapp.core import calendar
from govapp.core.calendar import CalendarGap, add_workdays, deadline_for, is_workday
from govapp.core.calendar_data import CalendarImportError, CalendarRow, load_seed, read_csv, write_csv
from govapp.core.calendar_import import (
    import_csv,
    import_notice,
    install_seed,
    parse_notice,
    rows_from_holidays,
)
from govapp.core.models import CalendarDay, CalendarYear

D = dt.date
DATA = Path(__file__).parent / "data"
NOTICE_2026 = (DATA / "notice_2026.txt").read_text(encoding="utf-8")
NOTICE_2027 = (DATA / "notice_2027.txt").read_text(encoding="utf-8")

# The real 2023 notice's arrangement lines: a range across the year end and one across months.
NOTICE_2023 = """国务院办公厅关于2023年部分节假日安排的通知
一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。
二、春节：1月21日至27日放假调休，共7天。1月28日（星期六）、1月29日（星期日）上班。
三、清明节：4月5日放假，共1天。
四、劳动节：4月29日至5月3日放假调休，共5天。4月23日（星期日）、5月6日（星期六）上班。
五、端午节：6月22日至24日放假调休，共3天。6月25日（星期日）上班。
六、中秋节、国庆节：9月29日至10月6日放假调休，共8天。10月7日（星期六）、10月8日（星期日）上班。
"""


def _exceptions(rows: list[CalendarRow], year: int) -> set[tuple[dt.date, bool]]:
    return {(row.date, row.is_workday) for row in rows if row.date.year == year}


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    calendar.clear_cache()
    yield
    calendar.clear_cache()


# ------------------------------------------------------------------------------------------- parsing


def test_2026_notice_gives_exactly_the_seeded_2026_calendar() -> None:
    arrangement = parse_notice(NOTICE_2026)
    assert arrangement.year == 2026
    assert arrangement.title == "国务院办公厅关于2026年部分节假日安排的通知"
    seed, _ = load_seed()
    assert _exceptions(arrangement.rows("x"), 2026) == _exceptions(seed, 2026)


def test_2023_notice_with_year_end_and_month_crossing_ranges_matches_the_seed() -> None:
    arrangement = parse_notice(NOTICE_2023)
    seed, _ = load_seed()
    assert _exceptions(arrangement.rows("x"), 2023) == _exceptions(seed, 2023)
    assert D(2022, 12, 31) in {d.date for d in arrangement.days}  # a Saturday: named but not an exception
    merged = next(d for d in arrangement.days if d.date == D(2023, 10, 2))
    assert merged.name == "中秋节、国庆节" and merged.line == 7


def test_preview_lists_every_named_day_and_marks_weekends() -> None:
    preview = parse_notice(NOTICE_2026).preview()
    assert "2026-10-10 周六  上班 working day  国庆节" in preview
    assert "2026-10-03 周六  放假 day off  国庆节  (weekend anyway)" in preview
    assert len(preview) == 3 + 1 + 9 + 2 + 3 + 5 + 1 + 3 + 3 + 7 + 2


def test_year_comes_from_the_title_or_must_be_given() -> None:
    body = NOTICE_2026.split("\n", 1)[1].replace("2026年", "")
    with pytest.raises(CalendarImportError, match="give the year"):
        parse_notice(body)
    assert parse_notice(body, 2026).year == 2026
    with pytest.raises(CalendarImportError, match="title is about 2026, but --year 2027"):
        parse_notice(NOTICE_2026, 2027)


def test_single_days_and_old_style_dashes_and_weekday_words() -> None:
    text = (
        "国务院办公厅关于2011年部分节假日安排的通知\n"
        "一、元旦：1月1日—3日放假公休，共3天。\n"
        "二、春节：2月2日（星期三）至8日放假调休，共7天。1月30日（星期日）、2月12日（星期六）上班。\n"
        "三、清明节：4月3日至5日放假调休，共3天。4月2日（星期六）上班。\n"
        "四、劳动节：4月30日至5月2日放假公休，共3天。\n"
    )
    arrangement = parse_notice(text)
    seed, _ = load_seed()
    wanted = {row for row in _exceptions(seed, 2011) if row[0] < D(2011, 5, 31)}
    assert _exceptions(arrangement.rows("x"), 2011) == wanted


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "一、元旦：1月1日（周五）至3日（周六）放假调休，共3天。",
            r"line 2: .*2026-01-01 is a 周四, but the notice says 周五",
        ),
        (
            "一、元旦：1月1日至3日放假调休，共3天。1月5日（周一）上班。",
            r"line 2: 2026-01-05 .* must be a Saturday or Sunday",
        ),
        ("二、春节：2月23日至15日放假调休。", r"line 2: the range 2月23日至15日 ends before it starts"),
        (
            "二、春节：2月15日至23日放假调休，共8天。",
            r"line 2: the days off add up to 9, but the notice says 共8天",
        ),
        ("二、春节：2月30日放假。", r"line 2: '2月30日' is not a real date in 2026"),
        ("一、元旦：1日放假。", r"line 2: '1日' has no month"),
        ("一、元旦：1月1日至3日。", r"line 2: cannot tell whether '1月1日至3日'"),
        ("一、元旦1月1日至3日放假。", r"line 2: looks like a holiday arrangement but does not start like"),
        ("一、元旦：2024年12月31日放假。", r"line 2: 2024-12-31 is outside the 2026 arrangement"),
        ("一、元旦：1月1日至2月20日放假。", r"line 2: the range 2026-01-01 to 2026-02-20 is 51 days long"),
        ("一、元旦：与周末连休。", r"line 2: the item '元旦' names no day off"),
        ("一、元旦：共3天。", r"line 2: '共3天' follows no days off"),
        (
            "一、元旦：1月3日放假。\n二、春节：1月3日（周六）上班。",
            r"line 3: 2026-01-03 is a day off on line 2 and a working day on line 3",
        ),
        ("经国务院批准，现将安排通知如下。", r"no arrangement lines"),
    ],
)
def test_malformed_lines_are_refused_naming_the_line(line: str, message: str) -> None:
    with pytest.raises(CalendarImportError, match=message):
        parse_notice("国务院办公厅关于2026年部分节假日安排的通知\n" + line)


@settings(max_examples=300, deadline=None)
@given(
    cuts=st.lists(st.tuples(st.integers(0, len(NOTICE_2026)), st.integers(0, 8)), max_size=4),
    noise=st.text(alphabet="一二三、：:（）()至—上班放假共天月日年周六0123456789，。\n", max_size=30),
)
def test_damaged_notices_give_a_clear_error_or_a_sane_result(cuts: list[tuple[int, int]], noise: str) -> None:
    text = NOTICE_2026
    for position, length in cuts:
        text = text[:position] + noise + text[position + length :]
    try:
        arrangement = parse_notice(text, 2026)
    except CalendarImportError as error:
        assert str(error)
        return
    for day in arrangement.days:
        assert day.date.year in (2025, 2026)
        assert not day.is_workday or day.date.weekday() >= 5


# ------------------------------------------------------------------------------------------- CSV


def test_csv_round_trip_and_redundant_rows_are_skipped() -> None:
    text = (
        "date,is_workday,name,source\n"
        "2027-01-01,0,元旦,notice\n"
        "2027-01-02,0,元旦,notice\n"  # a Saturday off: nothing to store
        "2027-02-14,true,春节调休上班,\n"
    )
    rows, redundant = read_csv(text, default_source="fallback")
    assert redundant == 1
    assert rows == [
        CalendarRow(D(2027, 1, 1), False, "元旦", "notice"),
        CalendarRow(D(2027, 2, 14), True, "春节调休上班", "fallback"),
    ]
    assert read_csv(write_csv(rows))[0] == rows


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "day,flag\n2027-01-01,0\n",
            r"line 1: the CSV header must have the columns .* missing: date, is_workday",
        ),
        ("date,is_workday\n2027-13-01,0\n", r"line 2: '2027-13-01' is not a date like 2026-10-10"),
        ("date,is_workday\n2027-01-01,maybe\n", r"line 2: is_workday must be 1 or 0"),
        ("date,is_workday\n2027-01-01,0\n2027-01-01,0\n", r"line 3: 2027-01-01 already appears on line 2"),
    ],
)
def test_bad_csv_is_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(CalendarImportError, match=message):
        read_csv(text)


def test_seed_is_what_the_holidays_package_says() -> None:
    rows, years = load_seed()
    assert sorted(years) == list(range(2001, 2027))
    regenerated, regenerated_years = rows_from_holidays(2001, 2026)
    assert regenerated == rows
    assert regenerated_years.keys() == years.keys()


# ------------------------------------------------------------------------------------------- storing


@pytest.mark.django_db
def test_importing_the_2027_notice_extends_the_calendar() -> None:
    with pytest.raises(CalendarGap):
        add_workdays(D(2026, 12, 20), 20)
    assert deadline_for("N2", D(2026, 12, 20)).provisional is True

    arrangement, result = import_notice(NOTICE_2027)

    assert result.years == [2027]
    year = CalendarYear.objects.get(year=2027)
    assert year.source == "国务院办公厅关于2027年部分节假日安排的通知"
    assert is_workday(D(2027, 1, 1)) is False and is_workday(D(2027, 2, 14)) is True
    # Jan 1 2027 is now a day off, so the deadline moves one working day later and is official.
    deadline = deadline_for("N2", D(2026, 12, 20))
    assert (deadline.due, deadline.provisional) == (D(2027, 1, 18), False)
    assert CalendarDay.objects.filter(date__year=2027).count() == len(arrangement.rows("x")) == 24


@pytest.mark.django_db
def test_reimporting_a_year_replaces_its_rows() -> None:
    import_notice(NOTICE_2027)
    corrected = NOTICE_2027.replace(
        "六、中秋节：9月15日（周三）放假，共1天。", "六、中秋节：9月15日（周三）至17日（周五）放假，共3天。"
    )
    import_notice(corrected, source="corrected text")
    assert is_workday(D(2027, 9, 16)) is False
    assert CalendarDay.objects.filter(date__year=2027).count() == 26
    assert set(CalendarDay.objects.filter(date__year=2027).values_list("source", flat=True)) == {
        "corrected text"
    }
    assert CalendarYear.objects.filter(year=2027).count() == 1


@pytest.mark.django_db
def test_reimporting_a_year_keeps_the_days_that_the_next_years_notice_set() -> None:
    # The 2019 notice made Saturday 2018-12-29 a working day for the 2019 New Year.
    assert is_workday(D(2018, 12, 29)) is True
    import_notice(
        "国务院办公厅关于2018年部分节假日安排的通知\n"
        "二、春节：2月15日至21日放假调休，共7天。2月11日（星期日）、2月24日（星期六）上班。\n"
    )
    assert is_workday(D(2018, 12, 29)) is True
    assert is_workday(D(2018, 12, 31)) is False  # also set by the 2019 notice
    assert is_workday(D(2018, 10, 1)) is True  # the shortened 2018 text no longer has National Day


@pytest.mark.django_db
def test_a_notice_may_set_days_in_the_previous_december() -> None:
    import_notice(
        "国务院办公厅关于2027年部分节假日安排的通知\n"
        "一、元旦：2026年12月31日至2027年1月3日放假调休，共4天。2026年12月27日（周日）上班。\n"
    )
    assert is_workday(D(2026, 12, 31)) is False
    assert is_workday(D(2026, 12, 27)) is True
    assert CalendarYear.objects.filter(year=2026).exists()


@pytest.mark.django_db
def test_a_failed_import_changes_nothing() -> None:
    before = CalendarDay.objects.count()
    with pytest.raises(CalendarImportError, match="longer than 300"):
        import_notice(NOTICE_2027, source="x" * 301)
    assert CalendarDay.objects.count() == before
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_csv_import_covers_the_years_of_its_rows() -> None:
    arrangement = parse_notice(NOTICE_2027)
    text = write_csv(arrangement.rows(""))
    with pytest.raises(CalendarImportError, match="no source for 2027"):
        import_csv(text)
    result, redundant = import_csv(text, source="国务院办公厅关于2027年部分节假日安排的通知")
    assert (result.years, redundant) == ([2027], 0)
    assert add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 8)


@pytest.mark.django_db
def test_install_seed_restores_emptied_tables() -> None:
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    calendar.clear_cache()
    with pytest.raises(CalendarGap):
        add_workdays(D(2026, 9, 28), 10)
    install_seed()
    assert add_workdays(D(2026, 9, 28), 10) == D(2026, 10, 16)
    assert CalendarYear.objects.count() == 26

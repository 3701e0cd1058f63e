"""Importing the official calendar: a CSV (``calendar_data``), the State Council notice, the holidays export.

Each year the General Office of the State Council publishes 国务院办公厅关于YYYY年部分节假日安排的通知:
the days off of every festival and the weekend days that become working days (调休上班). The parser reads
the pasted text of that notice; ``store_calendar`` writes a year atomically and refreshes the cache.
Parsing and the holidays-package export are pure (no database), so migrations can use them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from govapp.core.calendar import clear_cache
from govapp.core.calendar_data import (
    MAX_DAY_SOURCE,
    MAX_NAME,
    CalendarImportError,
    CalendarRow,
    is_plain_week_rule,
    load_seed,
    read_csv,
)
from govapp.core.clocks import ClockChange, recompute_provisional_clocks

WEEKDAY_ZH = "一二三四五六日"
_MAX_YEAR_SOURCE = 300
# Longest official break so far was the 2020 Spring Festival extension (10 days); a much longer range is a typo.
_MAX_RANGE_DAYS = 16


@dataclass
class StoreResult:
    years: list[int]
    written: int
    clocks: list[ClockChange] = field(default_factory=list)  # provisional deadlines recomputed


# ------------------------------------------------------------------------- seed from the holidays package


def notice_title(year: int) -> str:
    """The title of the State Council General Office's holiday notice for ``year``."""
    if year == 2001:
        return "国务院办公厅关于2001年春节、“五一”、“十一”放假安排的通知"
    if year in (2002, 2003):
        return f"国务院办公厅关于{year}年部分节假日休息安排的通知"
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


# Days set by a later, separate notice rather than the year's main one.
_SPECIAL_NOTICES: dict[str, tuple[dt.date, ...]] = {
    "国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知": (
        dt.date(2015, 9, 3),
        dt.date(2015, 9, 4),
        dt.date(2015, 9, 6),
    ),
    "国务院办公厅关于调整2019年劳动节假期安排的通知": (
        dt.date(2019, 4, 28),
        dt.date(2019, 5, 2),
        dt.date(2019, 5, 3),
        dt.date(2019, 5, 5),
    ),
    "国务院办公厅关于延长2020年春节假期的通知": (dt.date(2020, 1, 31),),
}
_SUBSTITUTED = re.compile(r"由\s*(\d{4}-\d{2}-\d{2})\s*调休")
_QUALIFIER = re.compile(r"（(?:补假|推定|补假，推定)）")


def last_official_year_in_holidays() -> int:
    from holidays.countries.china import ChinaStaticHolidays

    return max(ChinaStaticHolidays.special_public_holidays)


def rows_from_holidays(first: int, last: int) -> tuple[list[CalendarRow], dict[int, str]]:
    """Exceptions to Mon–Fri for ``first``..``last`` from the ``holidays`` package, with notice sources."""
    import holidays

    official_last = last_official_year_in_holidays()
    if first < 2001 or last > official_last or first > last:
        raise CalendarImportError(
            f"holidays {holidays.__version__} has the official arrangements for 2001–{official_last} only; "
            f"asked for {first}–{last}"
        )
    cn = holidays.China(years=range(first - 1, last + 2), language="zh_CN")

    def festival(day: dt.date) -> str:
        # A substituted day off carries no festival name; take it from the nearest real holiday.
        candidates = [
            (abs((other - day).days), other)
            for other, label in cn.items()
            if not _SUBSTITUTED.search(label) and abs((other - day).days) <= 10
        ]
        if not candidates:
            raise CalendarImportError(f"{day}: no festival near this substituted day off")
        return _clean(cn[min(candidates)[1]])

    substituted_for: dict[dt.date, dt.date] = {}
    for day, label in cn.items():
        match = _SUBSTITUTED.search(label)
        if match:
            substituted_for[dt.date.fromisoformat(match.group(1))] = day

    special = {day: title for title, days in _SPECIAL_NOTICES.items() for day in days}
    rows: list[CalendarRow] = []
    day = dt.date(first, 1, 1)
    while day.year <= last:
        is_workday = cn.is_working_day(day)
        if not is_plain_week_rule(day, is_workday):
            if is_workday:
                name = festival(substituted_for[day]) + "调休上班"
            else:
                label = cn[day]
                name = festival(day) if _SUBSTITUTED.search(label) else _clean(label)
            # Late-December swaps belong to the next New Year and so to the next year's notice.
            notice_year = day.year + 1 if day.month == 12 and name.startswith("元旦") else day.year
            rows.append(CalendarRow(day, is_workday, name, special.get(day, notice_title(notice_year))))
        day += dt.timedelta(days=1)

    years: dict[int, str] = {}
    for year in range(first, last + 1):
        titles = [notice_title(year)] + [t for t, ds in _SPECIAL_NOTICES.items() if ds[0].year == year]
        years[year] = "；".join(titles) + f"（数据：python-holidays {holidays.__version__}）"
    return rows, years


def _clean(label: str) -> str:
    names = [_QUALIFIER.sub("", part).strip() for part in label.split(";")]
    return "、".join(dict.fromkeys(name for name in names if name))


# ------------------------------------------------------------------------------------ the notice parser


@dataclass(frozen=True)
class NoticeDay:
    date: dt.date
    is_workday: bool
    name: str
    line: int

    @property
    def is_exception(self) -> bool:
        return not is_plain_week_rule(self.date, self.is_workday)


@dataclass
class NoticeArrangement:
    """The days a holiday notice names, in date order."""

    year: int
    title: str
    days: list[NoticeDay] = field(default_factory=list)

    def rows(self, source: str) -> list[CalendarRow]:
        """The exceptions to Mon–Fri to store (a festival day off that is a weekend anyway is not stored)."""
        return [CalendarRow(d.date, d.is_workday, d.name, source) for d in self.days if d.is_exception]

    def preview(self) -> list[str]:
        lines = []
        for d in self.days:
            kind = "上班 working day" if d.is_workday else "放假 day off"
            note = "" if d.is_exception else "  (weekend anyway)"
            lines.append(f"{d.date.isoformat()} 周{WEEKDAY_ZH[d.date.weekday()]}  {kind}  {d.name}{note}")
        return lines


_TITLE = re.compile(r"(?:国务院办公厅)?关于\s*(\d{4})\s*年[^\n]{0,40}?(?:节假日|放假)[^\n]{0,20}?通知")
_ITEM = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.]\s*(?P<name>[^:\n]{1,40}?)\s*:\s*(?P<body>.*)$")
_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日(?:\s*\((?P<note>[^)]*)\))?"
)
_RANGE_SEP = re.compile(r"\s*(?:至|到|[—\-–~]{1,2})\s*")
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_TOTAL = re.compile(r"共\s*(\d+)\s*天")
# Older notices explain which weekends were swapped ("将…两个公休日调至…"); only 放假/上班 clauses count.
_EXPLANATION = ("调至", "照常公休", "法定假日", "法定节假日", "公休日")
_OFF_WORDS = ("放假", "补休", "休息", "调休", "休假")


def _split_clauses(body: str) -> list[str]:
    clauses: list[str] = []
    current: list[str] = []
    depth = 0
    for char in body:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if depth == 0 and char in ",。;":
            clauses.append("".join(current))
            current = []
        else:
            current.append(char)
    clauses.append("".join(current))
    return [c.strip() for c in clauses if c.strip()]


class _LineReader:
    """Resolves the dates of one item line; a date without month or year takes them from the previous one."""

    def __init__(self, year: int, line_no: int) -> None:
        self.year = year
        self.line_no = line_no
        self.last_year: int | None = None
        self.last_month: int | None = None

    def fail(self, message: str) -> CalendarImportError:
        return CalendarImportError(f"line {self.line_no}: {message}")

    def resolve(self, match: re.Match[str]) -> dt.date:
        text = match.group(0)
        year = int(match.group("y")) if match.group("y") else (self.last_year or self.year)
        if match.group("m"):
            month = int(match.group("m"))
        elif self.last_month is not None:
            month = self.last_month
        else:
            raise self.fail(f"{text!r} has no month")
        try:
            day = dt.date(year, month, int(match.group("d")))
        except ValueError:
            raise self.fail(f"{text!r} is not a real date in {year}") from None
        if not (day.year == self.year or (day.year == self.year - 1 and day.month == 12)):
            raise self.fail(f"{day} is outside the {self.year} arrangement")
        note = match.group("note") or ""
        weekday = _WEEKDAY.search(note)
        if weekday:
            stated = "一二三四五六日天".index(weekday.group(1))
            stated = min(stated, 6)
            if stated != day.weekday():
                raise self.fail(
                    f"{text!r}: {day} is a 周{WEEKDAY_ZH[day.weekday()]}, but the notice says 周{WEEKDAY_ZH[stated]}"
                    f" (wrong year or a typo?)"
                )
        self.last_year = year if match.group("y") else self.last_year
        self.last_month = month
        return day

    def days(self, clause: str) -> list[tuple[dt.date, dt.date]]:
        """The dates and ranges of a clause, as (first, last) pairs."""
        matches = list(_DATE.finditer(clause))
        spans: list[tuple[dt.date, dt.date]] = []
        index = 0
        while index < len(matches):
            start = self.resolve(matches[index])
            nxt = matches[index + 1] if index + 1 < len(matches) else None
            between = clause[matches[index].end() : nxt.start()] if nxt else ""
            if nxt is not None and _RANGE_SEP.fullmatch(between):
                end = self.resolve(nxt)
                if end < start:
                    raise self.fail(
                        f"the range {matches[index].group(0)}至{nxt.group(0)} ends before it starts"
                    )
                if (end - start).days + 1 > _MAX_RANGE_DAYS:
                    raise self.fail(f"the range {start} to {end} is {(end - start).days + 1} days long")
                spans.append((start, end))
                index += 2
            else:
                spans.append((start, start))
                index += 1
        return spans


def notice_year(text: str, year: int | None = None) -> tuple[int, str]:
    """The year the notice is about (from its title, or ``year``) and its title."""
    normalized = unicodedata.normalize("NFKC", text)
    match = _TITLE.search(normalized)
    title_year = int(match.group(1)) if match else None
    if year is not None and title_year is not None and year != title_year:
        raise CalendarImportError(f"the notice's title is about {title_year}, but --year {year} was given")
    resolved = year or title_year
    if resolved is None:
        raise CalendarImportError(
            "the notice does not name its year in a title like 国务院办公厅关于2027年部分节假日安排的通知; "
            "give the year (--year YYYY)"
        )
    if not 2000 <= resolved <= 2200:
        raise CalendarImportError(f"{resolved} is not a plausible year for a holiday notice")
    title = match.group(0).strip() if match else notice_title(resolved)
    return resolved, title


def parse_notice(text: str, year: int | None = None) -> NoticeArrangement:
    """The days off and make-up working days of a pasted holiday notice; CalendarImportError on bad lines."""
    resolved, title = notice_year(text, year)
    arrangement = NoticeArrangement(year=resolved, title=title)
    found: dict[dt.date, NoticeDay] = {}
    items = 0
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFKC", raw).strip()
        item = _ITEM.match(line)
        if item is None:
            if _DATE.search(line) and ("放假" in line or "上班" in line) and "月" in line:
                raise CalendarImportError(
                    f"line {line_no}: looks like a holiday arrangement but does not start like '一、元旦:'"
                )
            continue
        items += 1
        name = item.group("name").strip().strip('“”"')
        name = re.sub(r"[“”\"]", "", name)
        reader = _LineReader(resolved, line_no)
        last_off: list[tuple[dt.date, dt.date]] | None = None
        named = False
        for clause in _split_clauses(item.group("body")):
            total = _TOTAL.search(clause)
            if any(word in clause for word in _EXPLANATION):
                continue
            if "上班" in clause:
                spans, is_workday = reader.days(clause), True
            elif any(word in clause for word in _OFF_WORDS):
                spans, is_workday = reader.days(clause), False
            elif _DATE.search(clause):
                raise reader.fail(f"cannot tell whether {clause!r} is days off (放假) or working days (上班)")
            else:
                spans, is_workday = [], False
            if spans:
                named = True
                if not is_workday:
                    last_off = spans
                for first, last in spans:
                    day = first
                    while day <= last:
                        _add_day(found, NoticeDay(day, is_workday, name, line_no))
                        day += dt.timedelta(days=1)
            if total is not None:
                stated = int(total.group(1))
                if last_off is None:
                    raise reader.fail(f"{total.group(0)!r} follows no days off")
                counted = sum((last - first).days + 1 for first, last in last_off)
                if counted != stated:
                    raise reader.fail(
                        f"the days off add up to {counted}, but the notice says {total.group(0)}"
                    )
        if not named:
            raise CalendarImportError(
                f"line {line_no}: the item {name!r} names no day off (放假) or working day (上班)"
            )
    if items == 0:
        raise CalendarImportError(
            "no arrangement lines like '一、元旦:1月1日至3日放假调休,共3天。' were found"
        )
    arrangement.days = sorted(found.values(), key=lambda d: d.date)
    return arrangement


def _add_day(found: dict[dt.date, NoticeDay], day: NoticeDay) -> None:
    if day.is_workday and day.date.weekday() < 5:
        raise CalendarImportError(
            f"line {day.line}: {day.date} is a 周{WEEKDAY_ZH[day.date.weekday()]}, a working day anyway; "
            f"a make-up working day (上班) must be a Saturday or Sunday"
        )
    earlier = found.get(day.date)
    if earlier is None:
        found[day.date] = day
        return
    if earlier.is_workday != day.is_workday:
        raise CalendarImportError(
            f"line {day.line}: {day.date} is a day off on line {earlier.line if not earlier.is_workday else day.line} "
            f"and a working day on line {earlier.line if earlier.is_workday else day.line}"
        )
    if day.name not in earlier.name.split("、"):
        found[day.date] = NoticeDay(day.date, day.is_workday, f"{earlier.name}、{day.name}", earlier.line)


def name_workdays(arrangement: NoticeArrangement) -> NoticeArrangement:
    """Make-up working days get the festival's name plus 调休上班, as in the seed data."""
    days = [
        NoticeDay(d.date, d.is_workday, f"{d.name}调休上班" if d.is_workday else d.name, d.line)
        for d in arrangement.days
    ]
    return NoticeArrangement(year=arrangement.year, title=arrangement.title, days=days)


# ------------------------------------------------------------------------------------------- storing


def store_calendar(
    *,
    rows: Sequence[CalendarRow],
    years: Mapping[int, str],
    keep_next_notice_rows: bool = False,
    imported_by: Any = None,
) -> StoreResult:
    """Replace the official calendar of ``years`` with ``rows`` in one transaction, then refresh the cache.

    Every provisional clock that a registered owner holds is recomputed on the new data and recorded
    (``core.clocks``), in the same transaction.

    Rows dated outside ``years`` (a notice's late-December swaps before its New Year) are added or replaced
    one by one. With ``keep_next_notice_rows`` (notice imports), rows of a year that the next year's notice
    wrote (their source names year+1) survive the replacement.
    """
    from django.db import transaction

    from govapp.core.models import CalendarDay, CalendarYear

    if not years:
        raise CalendarImportError("no year to import")
    for year, source in years.items():
        if not source.strip():
            raise CalendarImportError(
                f"the source of {year} is empty; say where the data comes from (--source)"
            )
        if len(source) > _MAX_YEAR_SOURCE:
            raise CalendarImportError(f"the source of {year} is longer than {_MAX_YEAR_SOURCE} characters")
    for row in rows:
        if len(row.source) > MAX_DAY_SOURCE or len(row.name) > MAX_NAME:
            raise CalendarImportError(f"{row.date}: name or source too long")
    with transaction.atomic():
        for year, source in years.items():
            doomed = CalendarDay.objects.filter(date__year=year)
            if keep_next_notice_rows:
                doomed = doomed.exclude(source__contains=f"{year + 1}年")
            doomed.delete()
            CalendarYear.objects.filter(year=year).delete()
            CalendarYear.objects.create(year=year, source=source, imported_by=imported_by)
        inside = [row for row in rows if row.date.year in years]
        outside = [row for row in rows if row.date.year not in years]
        CalendarDay.objects.filter(date__in=[row.date for row in inside]).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(date=r.date, is_workday=r.is_workday, name=r.name, source=r.source) for r in inside
        )
        for row in outside:
            CalendarDay.objects.update_or_create(
                date=row.date, defaults={"is_workday": row.is_workday, "name": row.name, "source": row.source}
            )
        # Deadlines estimated for these years are recounted on the official days, in the same transaction.
        clear_cache()
        clocks = recompute_provisional_clocks(years=years, source="；".join(years.values()))
    clear_cache()
    return StoreResult(years=sorted(years), written=len(rows), clocks=clocks)


def import_notice(
    text: str, *, year: int | None = None, source: str | None = None, imported_by: Any = None
) -> tuple[NoticeArrangement, StoreResult]:
    """Parse a notice and store its year (replacing that year's rows)."""
    arrangement = name_workdays(parse_notice(text, year))
    source_text = (source or arrangement.title).strip()
    result = store_calendar(
        rows=arrangement.rows(source_text[:MAX_DAY_SOURCE]),
        years={arrangement.year: source_text},
        keep_next_notice_rows=True,
        imported_by=imported_by,
    )
    return arrangement, result


def import_csv(
    text: str, *, source: str | None = None, years: Iterable[int] | None = None, imported_by: Any = None
) -> tuple[StoreResult, int]:
    """Store a CSV; the years it covers are those of its dates unless ``years`` names them."""
    rows, redundant = read_csv(text, default_source=source or "")
    covered = sorted(set(years) if years is not None else {row.date.year for row in rows})
    if not covered:
        raise CalendarImportError(
            "the CSV has no exception rows, so it covers no year; name the years (--years)"
        )
    year_sources: dict[int, str] = {}
    for year in covered:
        sources = sorted({row.source for row in rows if row.date.year == year and row.source})
        year_sources[year] = source or "；".join(sources)
        if not year_sources[year]:
            raise CalendarImportError(f"no source for {year}: fill the source column or give --source")
    return store_calendar(rows=rows, years=year_sources, imported_by=imported_by), redundant


def install_seed(*, imported_by: Any = None) -> StoreResult:
    """Write the shipped official data (core/data/) to the tables again, e.g. after a test flushed them."""
    rows, years = load_seed()
    return store_calendar(rows=rows, years=years, imported_by=imported_by)

"""The calendar's data format: exception rows, their CSV, and the official data shipped in ``core/data/``.

Pure (no database): the calendar reads the seed before ``migrate``, migrations load it, imports parse it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

CSV_COLUMNS = ("date", "is_workday", "name", "source")
SEED_DIR = Path(__file__).resolve().parent / "data"
SEED_DAYS_CSV = SEED_DIR / "cn_calendar_days.csv"
SEED_YEARS_CSV = SEED_DIR / "cn_calendar_years.csv"

MAX_NAME = 100
MAX_DAY_SOURCE = 200


class CalendarImportError(ValueError):
    """Calendar data that cannot be imported; the message names the line and the problem."""


@dataclass(frozen=True)
class CalendarRow:
    """One exception to the Monday–Friday week, as stored in ``CalendarDay``."""

    date: dt.date
    is_workday: bool
    name: str
    source: str


def is_plain_week_rule(day: dt.date, is_workday: bool) -> bool:
    return is_workday == (day.weekday() < 5)


def read_csv(text: str, *, default_source: str = "") -> tuple[list[CalendarRow], int]:
    """Rows of a calendar CSV (date,is_workday,name,source); also how many rows only repeat Mon–Fri."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [column.strip() for column in (reader.fieldnames or [])]
    missing = [column for column in CSV_COLUMNS[:2] if column not in header]
    if missing:
        raise CalendarImportError(
            f"line 1: the CSV header must have the columns {','.join(CSV_COLUMNS)}; missing: {', '.join(missing)}"
        )
    reader.fieldnames = header
    rows: list[CalendarRow] = []
    seen: dict[dt.date, int] = {}
    redundant = 0
    for record in reader:
        line = reader.line_num
        raw_date = (record.get("date") or "").strip()
        try:
            day = dt.date.fromisoformat(raw_date)
        except ValueError:
            raise CalendarImportError(f"line {line}: {raw_date!r} is not a date like 2026-10-10") from None
        if day in seen:
            raise CalendarImportError(f"line {line}: {day} already appears on line {seen[day]}")
        seen[day] = line
        flag = (record.get("is_workday") or "").strip().lower()
        if flag in ("1", "true", "yes", "y", "t"):
            is_workday = True
        elif flag in ("0", "false", "no", "n", "f"):
            is_workday = False
        else:
            raise CalendarImportError(f"line {line}: is_workday must be 1 or 0 (true/false), got {flag!r}")
        name = (record.get("name") or "").strip()
        source = (record.get("source") or "").strip() or default_source
        if len(name) > MAX_NAME:
            raise CalendarImportError(f"line {line}: the name is longer than {MAX_NAME} characters")
        if len(source) > MAX_DAY_SOURCE:
            raise CalendarImportError(f"line {line}: the source is longer than {MAX_DAY_SOURCE} characters")
        if is_plain_week_rule(day, is_workday):
            redundant += 1
            continue
        rows.append(CalendarRow(date=day, is_workday=is_workday, name=name, source=source))
    return rows, redundant


def write_csv(rows: Iterable[CalendarRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in sorted(rows, key=lambda r: r.date):
        writer.writerow([row.date.isoformat(), "1" if row.is_workday else "0", row.name, row.source])
    return out.getvalue()


def read_years_csv(text: str) -> dict[int, str]:
    """The covered years of the seed (year,source)."""
    years: dict[int, str] = {}
    reader = csv.DictReader(io.StringIO(text))
    for record in reader:
        try:
            year = int(record["year"])
        except (KeyError, TypeError, ValueError):
            raise CalendarImportError(f"line {reader.line_num}: year must be a number like 2026") from None
        years[year] = (record.get("source") or "").strip()
    return years


def write_years_csv(years: Mapping[int, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["year", "source"])
    for year in sorted(years):
        writer.writerow([year, years[year]])
    return out.getvalue()


def load_seed() -> tuple[list[CalendarRow], dict[int, str]]:
    """The committed official data: exception rows and covered years with their sources."""
    rows, _ = read_csv(SEED_DAYS_CSV.read_text(encoding="utf-8"))
    return rows, read_years_csv(SEED_YEARS_CSV.read_text(encoding="utf-8"))

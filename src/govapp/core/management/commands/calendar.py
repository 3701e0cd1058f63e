"""``govapp calendar``: import a year of the official calendar (CSV or State Council notice), show coverage."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from govapp.core.calendar_data import (
    SEED_DAYS_CSV,
    SEED_YEARS_CSV,
    CalendarImportError,
    write_csv,
    write_years_csv,
)
from govapp.core.calendar_import import (
    StoreResult,
    import_csv,
    import_notice,
    last_official_year_in_holidays,
    name_workdays,
    parse_notice,
    rows_from_holidays,
)
from govapp.core.models import CalendarDay, CalendarYear


def _read_text(name: str) -> str:
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name}: no such file", returncode=2)
        data = path.read_bytes()
    # Notices copied on Chinese Windows machines often arrive as GB18030 rather than UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"{name}: the file is neither UTF-8 nor GB18030 text", returncode=2)


def _parse_years(text: str) -> list[int]:
    years: set[int] = set()
    for part in text.split(","):
        bounds = part.strip().split("-")
        try:
            if len(bounds) == 1:
                years.add(int(bounds[0]))
            elif len(bounds) == 2 and int(bounds[0]) <= int(bounds[1]):
                years.update(range(int(bounds[0]), int(bounds[1]) + 1))
            else:
                raise ValueError
        except ValueError:
            raise CommandError(
                f"--years must look like 2027 or 2027,2028 or 2001-2026, got {text!r}"
            ) from None
    return sorted(years)


class Command(BaseCommand):
    help = "Import a year of the official working-day calendar, or show which years are loaded."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        csv_parser = actions.add_parser(
            "import-csv", help="import days from a CSV: date,is_workday,name,source"
        )
        csv_parser.add_argument("file", metavar="FILE", help="the CSV file, or - for standard input")
        csv_parser.add_argument(
            "--source", help="where the data comes from (used where the source column is empty)"
        )
        csv_parser.add_argument(
            "--years", help="the years the file covers completely (default: the years of its dates)"
        )

        notice = actions.add_parser(
            "import-notice", help="import the pasted text of the State Council's holiday notice for a year"
        )
        notice.add_argument(
            "file", metavar="FILE", help="a text file with the notice, or - for standard input"
        )
        notice.add_argument("--year", type=int, help="the year, when the pasted text has no title")
        notice.add_argument("--source", help="where the text comes from (default: the notice's title)")
        notice.add_argument("--dry-run", action="store_true", help="show the days without importing them")

        actions.add_parser("status", help="list the years whose official arrangement is loaded")

        export = actions.add_parser(
            "export-holidays", help="regenerate the seed data files from the installed holidays package"
        )
        export.add_argument("directory", metavar="DIR", nargs="?", default=str(SEED_DAYS_CSV.parent))
        export.add_argument("--first", type=int, default=2001)
        export.add_argument("--last", type=int, default=None)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "import-csv":
                self.import_csv(options)
            elif action == "import-notice":
                self.import_notice(options)
            elif action == "status":
                self.status()
            else:
                self.export_holidays(options)
        except CalendarImportError as error:
            raise CommandError(str(error), returncode=2) from None

    def import_csv(self, options: dict[str, Any]) -> None:
        years = _parse_years(options["years"]) if options["years"] else None
        result, redundant = import_csv(_read_text(options["file"]), source=options["source"], years=years)
        note = (
            f" ({redundant} rows that only repeat the Monday–Friday rule were skipped)" if redundant else ""
        )
        self.stdout.write(f"Imported {result.written} days for {', '.join(map(str, result.years))}{note}.")
        self.report_clocks(result)

    def import_notice(self, options: dict[str, Any]) -> None:
        text = _read_text(options["file"])
        if options["dry_run"]:
            arrangement = name_workdays(parse_notice(text, options["year"]))
            self.stdout.write(f"{arrangement.title} ({arrangement.year}), not imported (--dry-run):")
            self.stdout.write("\n".join(arrangement.preview()))
            return
        arrangement, result = import_notice(text, year=options["year"], source=options["source"])
        self.stdout.write(f"{arrangement.title} ({arrangement.year}):")
        self.stdout.write("\n".join(arrangement.preview()))
        self.stdout.write(
            f"Imported {result.written} exceptions to the Monday–Friday week for {arrangement.year}."
        )
        self.report_clocks(result)

    def report_clocks(self, result: StoreResult) -> None:
        if not result.clocks:
            return
        self.stdout.write(f"Recomputed {len(result.clocks)} provisional deadlines on the official calendar:")
        for change in result.clocks:
            still = " (still provisional)" if change.provisional else ""
            self.stdout.write(
                f"  {change.owner} #{change.object_id} {change.limit}: {change.old_due} → {change.new_due}{still}"
            )

    def status(self) -> None:
        counts = dict(
            CalendarDay.objects.values_list("date__year")
            .annotate(n=Count("id"))
            .values_list("date__year", "n")
        )
        workdays = dict(
            CalendarDay.objects.filter(Q(is_workday=True))
            .values_list("date__year")
            .annotate(n=Count("id"))
            .values_list("date__year", "n")
        )
        years = list(CalendarYear.objects.order_by("year"))
        if not years:
            self.stdout.write(
                "No year of the official calendar is loaded: run `govapp migrate` to load 2001 onwards."
            )
            return
        numbers = [y.year for y in years]
        gaps = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
        self.stdout.write(f"Official calendar loaded for {len(numbers)} years, {numbers[0]}–{numbers[-1]}.")
        if gaps:
            self.stdout.write(f"Missing in between: {', '.join(map(str, gaps))}")
        for year in years:
            made_up = workdays.get(year.year, 0)
            off = counts.get(year.year, 0) - made_up
            self.stdout.write(
                f"{year.year}  {off:3d} weekdays off  {made_up:2d} make-up working days  "
                f"{year.imported_at:%Y-%m-%d}  {year.source}"
            )
        self.stdout.write(
            f"Next: import the State Council notice for {numbers[-1] + 1} with "
            f"`govapp calendar import-notice FILE` once it is published (usually in November)."
        )

    def export_holidays(self, options: dict[str, Any]) -> None:
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(f"{directory}: no such directory", returncode=2)
        last = options["last"] or last_official_year_in_holidays()
        rows, years = rows_from_holidays(options["first"], last)
        (directory / SEED_DAYS_CSV.name).write_text(write_csv(rows), encoding="utf-8")
        (directory / SEED_YEARS_CSV.name).write_text(write_years_csv(years), encoding="utf-8")
        self.stdout.write(f"Wrote {len(rows)} days for {options['first']}–{last} to {directory}.")

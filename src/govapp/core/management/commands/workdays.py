"""``govapp workdays FROM N [--provisional]``: the N-th official working day after FROM."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from govapp.core import calendar
from govapp.core.models import CalendarDay, CalendarYear


class Command(BaseCommand):
    help = "Print the N-th official working day after FROM (FROM itself not counted) as an ISO date."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("start", metavar="FROM", help="a date like 2026-09-28")
        parser.add_argument("n", metavar="N", help="how many working days, a whole number ≥ 1")
        parser.add_argument(
            "--provisional",
            action="store_true",
            help="for a year whose official arrangement is not loaded, estimate it from the statutory "
            "holidays (make-up working weekends are unknown until the State Council's notice)",
        )

    def handle(self, *args: Any, start: str, n: str, provisional: bool = False, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(start.strip())
        except ValueError:
            raise CommandError(f"FROM must be a date like 2026-09-28, got {start!r}", returncode=2) from None
        try:
            count = int(n.strip())
        except ValueError:
            count = 0
        if count < 1 or not n.strip().isdigit():
            raise CommandError(f"N must be a whole number of working days ≥ 1, got {n!r}", returncode=2)
        try:
            tables = set(connection.introspection.table_names())
        except DatabaseError:
            tables = set()  # no database reachable: the shipped official data still answers
        if not {CalendarDay._meta.db_table, CalendarYear._meta.db_table} <= tables:
            # A fresh checkout without a database still answers from the official data shipped in core/data/.
            calendar.use_seed_without_database()
            self.stderr.write(
                "note: the database is not set up (govapp migrate); using the built-in official calendar"
            )
        try:
            if provisional:
                deadline = calendar.deadline_for("N1", day, days=count)
                result = deadline.due
            else:
                result = calendar.add_workdays(day, count)
        except calendar.CalendarGap as gap:
            raise CommandError(str(gap), returncode=2) from None
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from None
        if provisional and deadline.provisional:
            years = ", ".join(str(year) for year in deadline.missing_years)
            self.stderr.write(
                f"provisional: the official calendar for {years} is not loaded; counted its statutory "
                f"holidays, but not the make-up working weekends of the notice still to come"
            )
        self.stdout.write(result.isoformat())

"""`govapp tick [--date YYYY-MM-DD]`: apply the time rules once (for cron) and print the counts."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govapp.core.scheduler import TimeRulesFailed, apply_time_rules


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = "Apply the deadlines of the Measures once (overdue supplements are deemed abandoned, …)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--date",
            type=_iso_date,
            default=None,
            help="The day to apply the rules for (default: today, Beijing).",
        )

    def handle(self, *args: Any, date: dt.date | None, **options: Any) -> None:
        try:
            counts = apply_time_rules(date)
        except TimeRulesFailed as exc:
            self._print(exc.counts)
            raise CommandError(str(exc), returncode=1) from None
        self._print(counts)

    def _print(self, counts: dict[str, int]) -> None:
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")

"""The scheduled tick with open spot-check campaigns on a generated registry (bench/registry_data.py): wall time
and SQL queries of the campaign time rule on an ordinary day, the reminder day, the overdue day and a second run
the same day, with --campaigns open campaigns of --size items each; then the whole tick (every time rule).

Everything it creates is rolled back at the end: the database is left as it was.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govapp_bench GOVAPP_SECRET_KEY=x \\
        PYTHONPATH=src .venv/bin/python bench/tick.py [--campaigns 10] [--size 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--campaigns", type=int, default=10)
    parser.add_argument("--size", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govapp.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from govapp.accounts.models import User
    from govapp.core.calendar import workdays_between
    from govapp.core.scheduler import apply_time_rules
    from govapp.registry.models import App
    from govapp.supervision.campaigns import spot_check as spot
    from govapp.supervision.campaigns.deadlines import campaign_deadlines

    national = User.objects.get(username="bench_national")
    started = dt.date(2026, 11, 10)
    spot._today = lambda: started  # type: ignore[assignment]
    print(f"apps: {App.objects.count()}, vendor: {connection.vendor}")

    def measure(label: str, fn: object, today: dt.date) -> None:
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            changed = fn(today=today)  # type: ignore[operator]
            seconds = time.perf_counter() - began
        print(f"| {label} ({today}) | {changed if isinstance(changed, int) else sum(changed.values())} | "
              f"{len(queries)} | {seconds:.2f} |")  # fmt: skip

    try:
        with transaction.atomic():
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as created:
                campaigns = [
                    spot.campaign_create(
                        actor=national,
                        title=f"基准抽查{n}",
                        size=args.size,
                        method="random",
                        seed=f"bench-{n}",
                    )  # fmt: skip
                    for n in range(args.campaigns)
                ]
            print(f"created {args.campaigns} campaigns of {args.size} items in "
                  f"{time.perf_counter() - began:.1f} s, {len(created)} queries "
                  f"({len(created) / args.campaigns:.0f} per campaign)")  # fmt: skip
            due = campaigns[0].due
            remind = started
            while workdays_between(remind, due) > 1:
                remind += dt.timedelta(days=1)
            print("| run | rows changed | queries | seconds |")
            print("|---|---|---|---|")
            measure("campaign rule, nothing due", campaign_deadlines, started)
            measure("campaign rule, reminder day", campaign_deadlines, remind)
            measure("campaign rule, same day again", campaign_deadlines, remind)
            measure("campaign rule, overdue day", campaign_deadlines, due + dt.timedelta(days=1))
            measure("campaign rule, same day again", campaign_deadlines, due + dt.timedelta(days=1))
            measure("whole tick (every rule), next day", apply_time_rules, due + dt.timedelta(days=2))
            raise Rollback
    except Rollback:
        print("(rolled back)")


if __name__ == "__main__":
    main()

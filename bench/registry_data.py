"""A large, consistent registry for benchmarks: N apps with their units, filings, numbers and the
append-only events of their procedures, plus rectification orders and complaints (bulk_create).

Every app follows one procedure path on the official working-day calendar, from a submission date
between 2026-02-02 and today: the states, clocks, numbers and events agree with each other, so statistics,
queues and public pages read true figures. Deterministic for a given --seed. Reused by other benchmarks:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govapp_bench GOVAPP_SECRET_KEY=x \\
        PYTHONPATH=src .venv/bin/python bench/registry_data.py --apps 100000 [--seed 1] [--reset]

``--reset`` drops and recreates the database first (PostgreSQL only). Prints the row counts and the time.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import sys
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

BATCH = 5000
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = dt.date(2026, 2, 2)

# (path, weight): which steps each app's procedure went through; the last state is where it stands.
PATHS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("submit", "forward", "approve"), 52),
    (("submit", "return", "submit", "forward", "approve"), 8),
    (("submit", "forward", "request", "supplement", "approve"), 7),
    (("submit",), 6),
    (("submit", "return"), 3),
    (("submit", "forward"), 7),
    (("submit", "forward", "request"), 3),
    (("submit", "forward", "request", "abandon"), 2),
    (("submit", "withdraw"), 2),
    (("submit", "forward", "approve", "revoke"), 2),
    (("submit", "forward", "approve", "rectify"), 3),
    (("submit", "forward", "approve", "announce", "deregister"), 5),
)
# How many working days each step takes after the one before (lo, hi).
STEP_DAYS = {
    "forward": (1, 13), "return": (2, 10), "submit": (1, 8), "approve": (3, 26), "request": (3, 18),
    "supplement": (1, 11), "abandon": (11, 11), "withdraw": (1, 20), "revoke": (20, 60),
    "rectify": (10, 90), "announce": (10, 90), "deregister": (3, 10),
}  # fmt: skip


def setup_django(reset: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govapp.settings")
    url = os.environ.get("DATABASE_URL", "")
    if reset and url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextlib.contextmanager
def explicit_times(*models: Any) -> Iterator[None]:
    """Let bulk_create keep the historical moments we give instead of stamping 'now'."""
    fields = [f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The official n-th working day after ``day``; Monday to Friday past the loaded years (as clocks do)."""
    from govapp.core.calendar import CalendarGap
    from govapp.core.calendar import add_workdays as official

    try:
        return official(day, n)
    except CalendarGap:
        while n:
            day += dt.timedelta(days=1)
            n -= day.weekday() < 5
        return day


def moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.randrange(60)), SHANGHAI)


def generate(n_apps: int, seed: int) -> dict[str, int]:
    from django.db import transaction
    from django.utils import timezone

    from govapp.accounts.divisions import BY_CODE
    from govapp.accounts.models import Role, Unit, UnitFunction, UnitKind, UnitLevel, User
    from govapp.registry.choices import KIND_LETTER, AppKind, EventAction, FilingState
    from govapp.registry.models import App, Filing, FilingEvent, FilingNumber, NumberSequence

    rng = random.Random(seed)
    today = timezone.localdate()
    provinces = sorted(BY_CODE)
    counts: dict[str, int] = {}
    with transaction.atomic():
        national = Unit.objects.create(
            name="国家互联网信息办公室（基准）", level=UnitLevel.NATIONAL, kind=UnitKind.ADMINISTRATIVE,
            function=UnitFunction.NATIONAL_OFFICE,
        )  # fmt: skip
        national_user = User.objects.create(
            username="bench_national", role=Role.NATIONAL_REVIEWER, unit=national
        )
        offices, reviewers = {}, {}
        for code in provinces:
            offices[code] = Unit.objects.create(
                name=f"{BY_CODE[code].name}网信办（基准）", level=UnitLevel.PROVINCIAL, province=code,
                kind=UnitKind.ADMINISTRATIVE, function=UnitFunction.CYBERSPACE_OFFICE,
            )  # fmt: skip
            reviewers[code] = User.objects.create(
                username=f"bench_reviewer_{code}", role=Role.PROVINCIAL_REVIEWER, unit=offices[code]
            )
        levels = [
            UnitLevel.PROVINCIAL,
            UnitLevel.CITY,
            UnitLevel.CITY,
            UnitLevel.COUNTY,
            UnitLevel.COUNTY,
            UnitLevel.TOWNSHIP,
        ]
        n_units = max(1, n_apps // 8)
        units = Unit.objects.bulk_create(
            [
                Unit(
                    name=f"基准单位{i:06d}", level=(level := UnitLevel.NATIONAL if i % 40 == 0 else rng.choice(levels)),
                    province="" if level == UnitLevel.NATIONAL else provinces[i % len(provinces)],
                    kind=UnitKind.ADMINISTRATIVE,
                )
                for i in range(n_units)
            ],
            batch_size=BATCH,
        )  # fmt: skip
        filers = User.objects.bulk_create(
            [User(username=f"bench_filer_{u.pk}", role=Role.FILER, unit=u) for u in units], batch_size=BATCH
        )
        counts["units"] = len(units) + len(offices) + 1
    paths = [p for p, w in PATHS for _ in range(w)]
    kinds = [AppKind.APP] * 6 + [AppKind.MINI_PROGRAM] * 3 + [AppKind.QUICK_APP]
    platforms = {AppKind.APP: [["android", "ios", "harmonyos"], ["android", "harmonyos"], ["android"]],
                 AppKind.MINI_PROGRAM: [["wechat"], ["alipay"], ["wechat", "alipay"]],
                 AppKind.QUICK_APP: [["quickapp"]]}  # fmt: skip
    sequences: dict[tuple[str, int], int] = {}
    totals = {"apps": 0, "filings": 0, "events": 0, "numbers": 0}
    with explicit_times(App, Filing, FilingEvent, FilingNumber):
        for start in range(0, n_apps, BATCH):
            apps, filings, events, numbers = [], [], [], []
            plans = []
            for i in range(start, min(n_apps, start + BATCH)):
                unit_index = rng.randrange(len(units))
                unit, filer = units[unit_index], filers[unit_index]
                kind = rng.choice(kinds)
                path = rng.choice(paths)
                if not unit.province:  # central departments file directly with the national office
                    path = ("submit", *[s for s in path if s not in ("submit", "forward", "return")])
                day = FIRST_DAY + dt.timedelta(days=rng.randrange(max(1, (today - FIRST_DAY).days - 5)))
                steps: list[tuple[str, dt.date]] = []
                for step in path:
                    if steps:
                        lo, hi = STEP_DAYS[step]
                        day = add_workdays(day, rng.randint(lo, hi))
                    if day > today:
                        break
                    steps.append((step, day))
                plans.append((i, unit, filer, kind, steps))
            for i, unit, _filer, kind, steps in plans:
                state = _app_state(steps)
                created = moment(steps[0][1] - dt.timedelta(days=3), rng)
                apps.append(App(unit=unit, name=f"基准应用{i:06d}", kind=kind, state=state, created_at=created,
                                android_package=f"cn.gov.bench.a{i}" if kind == AppKind.APP else "",
                                miniprogram_appid=f"wxbench{i:010d}" if kind == AppKind.MINI_PROGRAM else ""))  # fmt: skip
            App.objects.bulk_create(apps, batch_size=BATCH)
            for app, (_i, unit, filer, kind, steps) in zip(apps, plans, strict=True):
                fstate, clock = _filing_state(steps, central=not unit.province)
                filing = Filing(
                    app=app, created_by=filer, app_name=app.name, app_kind=kind,
                    platforms=rng.choice(platforms[kind]), state=fstate, created_at=app.created_at,
                    submitted_at=moment(steps[0][1], rng), android_package=app.android_package,
                    miniprogram_appid=app.miniprogram_appid,
                )  # fmt: skip
                if clock:
                    limit, since = clock
                    filing.clock_limit, filing.clock_start = limit, since
                    filing.clock_due = add_workdays(since, {"N1": 10, "N2": 20, "N3": 10}[limit])
                filings.append(filing)
            Filing.objects.bulk_create(filings, batch_size=BATCH)
            for app, filing, (_i, unit, filer, kind, steps) in zip(apps, filings, plans, strict=True):
                actor_for = {
                    "forward": reviewers.get(unit.province, national_user),
                    "return": reviewers.get(unit.province, national_user),
                }
                state = FilingState.DRAFT
                events.append(FilingEvent(app=app, filing=filing, action=EventAction.CREATE, actor=filer,
                                          to_state=state, at=app.created_at))  # fmt: skip
                for step, day in steps:
                    action, target = _event_of(step, unit)
                    actor = actor_for.get(
                        step,
                        filer if step in ("submit", "supplement", "withdraw", "announce") else national_user,
                    )
                    if step == "abandon":
                        actor = None
                    events.append(FilingEvent(app=app, filing=filing, action=action, actor=actor,
                                              from_state=state, to_state=target, at=moment(day, rng)))  # fmt: skip
                    state = target
                    if step == "approve":
                        region = unit.province or "00"
                        key = (region, day.year)
                        sequences[key] = sequences.get(key, 0) + 1
                        number = FilingNumber(
                            number=f"{region}政备{day.year}{sequences[key]:06d}{KIND_LETTER[kind]}", app=app,
                            filing=filing, region=region, year=day.year, sequence=sequences[key],
                            status=_number_status(steps), issued_at=moment(day, rng),
                        )  # fmt: skip
                        numbers.append(number)
                        app.filed_at = number.issued_at
                        app.approved_filing = filing
                        filing.decided_at = number.issued_at
            FilingEvent.objects.bulk_create(events, batch_size=BATCH)
            FilingNumber.objects.bulk_create(numbers, batch_size=BATCH)
            by_app = {n.app_id: n for n in numbers}
            for app in apps:
                if app.pk in by_app:
                    app.current_number = by_app[app.pk]
            App.objects.bulk_update(apps, ["current_number", "approved_filing", "filed_at"], batch_size=BATCH)
            Filing.objects.bulk_update([f for f in filings if f.decided_at], ["decided_at"], batch_size=BATCH)
            totals["apps"] += len(apps)
            totals["filings"] += len(filings)
            totals["events"] += len(events)
            totals["numbers"] += len(numbers)
            print(f"  {totals['apps']:>7} apps", file=sys.stderr)
    NumberSequence.objects.bulk_create(
        [NumberSequence(region=r, year=y, last=n) for (r, y), n in sequences.items()], ignore_conflicts=True
    )
    totals.update(supervision_and_complaints(rng, today))
    counts.update(totals)
    return counts


def _app_state(steps: list[tuple[str, dt.date]]) -> str:
    done = [s for s, _d in steps]
    if "approve" not in done:
        return "draft"
    last = done[-1]
    return {"revoke": "revoked", "rectify": "rectifying", "announce": "shutdown_noticed",
            "deregister": "deregistered"}.get(last, "filed")  # fmt: skip


def _filing_state(
    steps: list[tuple[str, dt.date]], *, central: bool
) -> tuple[str, tuple[str, dt.date] | None]:
    last, day = steps[-1]
    if last == "submit" and central:
        return ("national_review", ("N2", day))
    return {
        "submit": ("provincial_review", ("N1", day)), "return": ("returned", None),
        "forward": ("national_review", ("N2", day)), "request": ("awaiting_supplement", ("N3", day)),
        "supplement": ("national_review", ("N2", day)), "abandon": ("abandoned", None),
        "withdraw": ("withdrawn", None),
    }.get(last, ("filed", None))  # fmt: skip


def _event_of(step: str, unit: Any) -> tuple[str, str]:
    central = not unit.province
    return {
        "submit": ("submit", "national_review" if central else "provincial_review"),
        "forward": ("forward", "national_review"), "return": ("return_incomplete", "returned"),
        "approve": ("approve", "filed"), "request": ("request_supplement", "awaiting_supplement"),
        "supplement": ("supplement", "national_review"), "abandon": ("abandon", "abandoned"),
        "withdraw": ("withdraw", "withdrawn"), "revoke": ("revoke", "revoked"),
        "rectify": ("order_rectification", "rectifying"), "announce": ("announce_shutdown", "shutdown_noticed"),
        "deregister": ("deregister", "deregistered"),
    }[step]  # fmt: skip


def _number_status(steps: list[tuple[str, dt.date]]) -> str:
    last = steps[-1][0]
    return {"revoke": "revoked", "deregister": "deregistered"}.get(last, "active")


def supervision_and_complaints(rng: random.Random, today: dt.date) -> dict[str, int]:
    """An order for every rectifying or revoked app, complaints for about 2% of the filed apps."""
    from govapp.accounts.models import User
    from govapp.complaints.models import Complaint, ComplaintEvent
    from govapp.registry.models import App
    from govapp.supervision.enforcement.models import RectificationOrder, SupervisionEvent

    national = User.objects.get(username="bench_national")
    orders, order_events = [], []
    with explicit_times(RectificationOrder, SupervisionEvent, Complaint, ComplaintEvent):
        apps = list(
            App.objects.filter(state__in=["rectifying", "revoked"]).values_list("pk", "state", "filed_at")
        )
        for pk, state, filed_at in apps:
            issued = timezone_date(filed_at) + dt.timedelta(days=20)
            issued = min(issued, today)
            orders.append(RectificationOrder(
                app_id=pk, source=rng.choice(["spot_check", "complaint", "self_inspection", "reviewer"]),
                state="issued" if state == "rectifying" else "revoked",
                findings=[{"category": rng.choice(["checkin", "ranking", "online_time", "forced_login"]),
                           "article": "13", "description": "基准", "evidence": {"rule": "bench.rule"}}],
                required_actions="整改", article_ref="13", workdays=15, issued_on=issued,
                due=add_workdays(issued, 15), issued_by=national, created_at=moment(issued, rng),
            ))  # fmt: skip
        RectificationOrder.objects.bulk_create(orders, batch_size=BATCH)
        for order in orders:
            order_events.append(SupervisionEvent(app_id=order.app_id, order=order, action="issue", actor=national,
                                                 to_state="issued", at=order.created_at))  # fmt: skip
        SupervisionEvent.objects.bulk_create(order_events, batch_size=BATCH)
        filed = list(App.objects.filter(state="filed").values_list("pk", "unit__province", "filed_at"))
        sample = rng.sample(filed, k=min(len(filed), len(filed) // 50))
        complaints, complaint_events = [], []
        for index, (pk, province, filed_at) in enumerate(sample):
            received = min(timezone_date(filed_at) + dt.timedelta(days=rng.randrange(1, 60)), today)
            closed = add_workdays(received, rng.randint(2, 20))
            is_closed = closed <= today
            complaints.append(Complaint(
                case_number=f"C{received.year}-B{index:06d}", receipt_hash=f"{index:064x}", receipt_prefix="BNCH",
                category=rng.choice(["checkin", "ranking", "forced_download", "other"]), description="基准",
                app_id=pk, province=province, status="closed" if is_closed else "received",
                received_at=moment(received, rng), due=add_workdays(received, 15),
                closed_at=moment(closed, rng) if is_closed else None,
            ))  # fmt: skip
        Complaint.objects.bulk_create(complaints, batch_size=BATCH)
        for complaint in complaints:
            complaint_events.append(ComplaintEvent(complaint=complaint, action="receive", to_status="received",
                                                   at=complaint.received_at))  # fmt: skip
            if complaint.closed_at:
                complaint_events.append(ComplaintEvent(complaint=complaint, action="close", from_status="received",
                                                       to_status="closed", at=complaint.closed_at))  # fmt: skip
        ComplaintEvent.objects.bulk_create(complaint_events, batch_size=BATCH)
    return {"orders": len(orders), "complaints": len(complaints), "supervision_events": len(order_events),
            "complaint_events": len(complaint_events)}  # fmt: skip


def timezone_date(moment_: dt.datetime) -> dt.date:
    return moment_.astimezone(SHANGHAI).date()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--apps", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    setup_django(args.reset)
    counts = generate(args.apps, args.seed)
    print({**counts, "seconds": round(time.perf_counter() - began, 1)})


if __name__ == "__main__":
    main()

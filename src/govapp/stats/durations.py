"""Processing time per stage in working days, computed from the append-only events.

A stage of a filing is the time between the event that put the procedure into a reviewing state and the
next event that took it out (an extension is not a state change). Rectification runs from the order's
``issue`` event to its ``accept`` event, complaint handling from ``receive`` to ``close``/``reject``. The
database returns a histogram (stage, province, team, working days, within the limit → how many), so the
figures cost one query per kind of record whatever the number of apps; median and p90 are nearest-rank
values of that histogram.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from govapp.accounts.models import Unit, User
from govapp.complaints.choices import ComplaintStatus
from govapp.complaints.models import Complaint, ComplaintEvent
from govapp.registry.choices import EventAction, FilingState
from govapp.registry.models import App, Filing, FilingEvent
from govapp.supervision.enforcement.models import (
    RUNNING_ORDER_STATES,
    OrderState,
    RectificationOrder,
    SupervisionEvent,
)

from .scope import CENTRAL, Scope
from .workdays import Ordinals, ordinals


@dataclass(frozen=True)
class Stage:
    key: str  # also the working-day limit in settings.GOVAPP_LIMITS
    label: Promise
    state: str = ""  # the filing state of a review stage

    @property
    def limit_days(self) -> int:
        return int(settings.GOVAPP_LIMITS[self.key])


STAGES: tuple[Stage, ...] = (
    Stage("N1", _("Completeness review (N1)"), FilingState.PROVINCIAL_REVIEW),
    Stage("N2", _("National review (N2)"), FilingState.NATIONAL_REVIEW),
    Stage("N3", _("Supplement by the unit (N3)"), FilingState.AWAITING_SUPPLEMENT),
    Stage("RECTIFY", _("Rectification")),
    Stage("COMPLAINT", _("Complaint handling")),
)
STAGE_BY_KEY = {stage.key: stage for stage in STAGES}
STAGE_BY_STATE = {stage.state: stage for stage in STAGES if stage.state}

# The events that move a procedure between states; "extend" and "create" do not end a stage.
_TRANSITIONS = (
    EventAction.SUBMIT, EventAction.RETURN_INCOMPLETE, EventAction.FORWARD, EventAction.REQUEST_SUPPLEMENT,
    EventAction.SUPPLEMENT, EventAction.APPROVE, EventAction.ABANDON, EventAction.WITHDRAW,
)  # fmt: skip
# A stage can have started long before the period whose completed stages are measured.
LOOKBACK = dt.timedelta(days=400)


@dataclass
class Figure:
    """Completed stages of one group: how many, median and p90 working days, share within the limit."""

    count: int = 0
    median: int | None = None
    p90: int | None = None
    within: int = 0
    overdue_now: int = 0

    @property
    def within_share(self) -> float | None:
        return self.within / self.count if self.count else None

    @property
    def within_percent(self) -> str:
        share = self.within_share
        return "" if share is None else f"{share * 100:.0f}%"


def nearest_rank(histogram: Counter[int], share: float) -> int | None:
    """The nearest-rank percentile of a histogram {working days: how many}."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(share * total)), 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return days
    return None  # pragma: no cover - the loop always reaches rank


@dataclass
class _Bucket:
    histogram: Counter[int] = field(default_factory=Counter)
    within: int = 0
    overdue_now: int = 0

    def figure(self) -> Figure:
        count = sum(self.histogram.values())
        return Figure(
            count=count,
            median=nearest_rank(self.histogram, 0.5),
            p90=nearest_rank(self.histogram, 0.9),
            within=self.within,
            overdue_now=self.overdue_now,
        )


@dataclass
class ProcessingTimes:
    """Figures per stage: overall, per province (``central`` for central departments) and per team."""

    start: dt.date
    end: dt.date  # exclusive
    provisional: bool
    overall: dict[str, Figure]
    by_province: dict[str, dict[str, Figure]]  # stage -> province -> figure
    by_team: dict[str, dict[str, Figure]]  # stage -> team label -> figure


@dataclass(frozen=True)
class _Row:
    stage: str
    province: str
    team: str
    days: int
    within: bool | None
    n: int


def _local_date(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(({column} AT TIME ZONE '{settings.TIME_ZONE}') AS date)"
    # SQLite keeps UTC text; the project's zone (Asia/Shanghai) has had no daylight saving since 1991.
    offset = dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset() or dt.timedelta()
    return f"date({column}, '{int(offset.total_seconds()) // 60:+d} minutes')"


def _days_cte(days: Ordinals) -> str:
    # Dates and counts we computed ourselves: literal values, so no parameter limit applies.
    cast = "DATE " if connection.vendor == "postgresql" else ""
    rows = ", ".join(f"({cast}'{day.isoformat()}', {n})" for day, n in days.values)
    return f"days(d, n) AS (VALUES {rows})"


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)  # our own enum values, never user input


def _filing_rows(days: Ordinals, start: dt.date, end: dt.date, scope: Scope) -> list[_Row]:
    event, app, unit, user = (m._meta.db_table for m in (FilingEvent, App, Unit, User))
    province_filter, params = _province_sql("u.province", scope)
    sql = f"""
        WITH {_days_cte(days)},
        steps AS (
            SELECT e.app_id, e.to_state AS stage, e.at AS start_at,
                   LEAD(e.at) OVER w AS end_at, LEAD(e.actor_id) OVER w AS end_actor
            FROM {event} e
            WHERE e.filing_id IS NOT NULL AND e.action IN ({_quoted(_TRANSITIONS)})
            WINDOW w AS (PARTITION BY e.filing_id ORDER BY e.at, e.id)
        )
        SELECT s.stage, u.province, COALESCE(au.unit_id, 0), d2.n - d1.n, COUNT(*)
        FROM steps s
        JOIN {app} a ON a.id = s.app_id
        JOIN {unit} u ON u.id = a.unit_id
        LEFT JOIN {user} au ON au.id = s.end_actor
        JOIN days d1 ON d1.d = {_local_date("s.start_at")}
        JOIN days d2 ON d2.d = {_local_date("s.end_at")}
        WHERE s.stage IN ({_quoted(STAGE_BY_STATE)}) AND s.end_at >= %s AND s.end_at < %s {province_filter}
        GROUP BY s.stage, u.province, COALESCE(au.unit_id, 0), d2.n - d1.n
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [_aware(start), _aware(end), *params])
        fetched = cursor.fetchall()
    teams = _team_labels({row[2] for row in fetched})
    return [
        _Row(STAGE_BY_STATE[stage].key, province or CENTRAL, teams[team], wd, None, n)
        for stage, province, team, wd, n in fetched
    ]


def _order_rows(days: Ordinals, start: dt.date, end: dt.date, scope: Scope) -> list[_Row]:
    event, order, app, unit = (m._meta.db_table for m in (SupervisionEvent, RectificationOrder, App, Unit))
    province_filter, params = _province_sql("u.province", scope)
    sql = f"""
        WITH {_days_cte(days)},
        spans AS (
            SELECT e.order_id,
                   MIN(CASE WHEN e.action = 'issue' THEN e.at END) AS start_at,
                   MIN(CASE WHEN e.action = 'accept' THEN e.at END) AS end_at
            FROM {event} e WHERE e.order_id IS NOT NULL GROUP BY e.order_id
        )
        SELECT u.province, d2.n - d1.n, CASE WHEN d2.d <= o.due THEN 1 ELSE 0 END, COUNT(*)
        FROM spans s
        JOIN {order} o ON o.id = s.order_id
        JOIN {app} a ON a.id = o.app_id
        JOIN {unit} u ON u.id = a.unit_id
        JOIN days d1 ON d1.d = {_local_date("s.start_at")}
        JOIN days d2 ON d2.d = {_local_date("s.end_at")}
        WHERE s.end_at >= %s AND s.end_at < %s {province_filter}
        GROUP BY u.province, d2.n - d1.n, CASE WHEN d2.d <= o.due THEN 1 ELSE 0 END
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [_aware(start), _aware(end), *params])
        fetched = cursor.fetchall()
    return [_Row("RECTIFY", p or CENTRAL, p or CENTRAL, wd, bool(w), n) for p, wd, w, n in fetched]


def _complaint_rows(days: Ordinals, start: dt.date, end: dt.date, scope: Scope) -> list[_Row]:
    event, complaint = ComplaintEvent._meta.db_table, Complaint._meta.db_table
    province_filter, params = _province_sql("c.province", scope)
    sql = f"""
        WITH {_days_cte(days)},
        spans AS (
            SELECT e.complaint_id,
                   MIN(CASE WHEN e.action = 'receive' THEN e.at END) AS start_at,
                   MIN(CASE WHEN e.action IN ('close', 'reject') THEN e.at END) AS end_at
            FROM {event} e GROUP BY e.complaint_id
        )
        SELECT c.province, d2.n - d1.n, CASE WHEN d2.d <= c.due THEN 1 ELSE 0 END, COUNT(*)
        FROM spans s
        JOIN {complaint} c ON c.id = s.complaint_id
        JOIN days d1 ON d1.d = {_local_date("s.start_at")}
        JOIN days d2 ON d2.d = {_local_date("s.end_at")}
        WHERE s.end_at >= %s AND s.end_at < %s {province_filter}
        GROUP BY c.province, d2.n - d1.n, CASE WHEN d2.d <= c.due THEN 1 ELSE 0 END
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [_aware(start), _aware(end), *params])
        fetched = cursor.fetchall()
    return [_Row("COMPLAINT", p or CENTRAL, p or CENTRAL, wd, bool(w), n) for p, wd, w, n in fetched]


def _province_sql(column: str, scope: Scope) -> tuple[str, list[str]]:
    if not scope.province:
        return "", []
    return f"AND {column} = %s", ["" if scope.province == CENTRAL else scope.province]


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _team_labels(unit_ids: set[int]) -> dict[int, str]:
    names = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    return {pk: names.get(pk, str(_("Time rule (automatic)"))) for pk in unit_ids}


def _overdue_now(today: dt.date, scope: Scope) -> list[tuple[str, str, int]]:
    """(stage, province, how many) of the clocks running past their due date today."""
    filings = Filing.objects.filter(clock_due__lt=today, clock_limit__in=["N1", "N2", "N3"])
    orders = RectificationOrder.objects.filter(
        Q(state__in=RUNNING_ORDER_STATES, due__lt=today) | Q(state=OrderState.OVERDUE)
    )
    complaints = Complaint.objects.filter(due__lt=today).exclude(
        status__in=[ComplaintStatus.CLOSED, ComplaintStatus.REJECTED]
    )
    if scope.province:
        code = "" if scope.province == CENTRAL else scope.province
        filings = filings.filter(app__unit__province=code)
        orders = orders.filter(app__unit__province=code)
        complaints = complaints.filter(province=code)
    rows: list[tuple[str, str, int]] = [
        (row["clock_limit"], row["app__unit__province"], row["n"])
        for row in filings.values("clock_limit", "app__unit__province").annotate(n=Count("id"))
    ]
    rows += [
        ("RECTIFY", row["app__unit__province"], row["n"])
        for row in orders.values("app__unit__province").annotate(n=Count("id"))
    ]
    rows += [
        ("COMPLAINT", row["province"], row["n"])
        for row in complaints.values("province").annotate(n=Count("id"))
    ]
    return rows


def processing_times(*, scope: Scope, start: dt.date, end: dt.date, today: dt.date) -> ProcessingTimes:
    """Stages completed in [start, end) and the clocks overdue on ``today``; 5 + 1 queries."""
    days = ordinals(start - LOOKBACK, max(end, today))
    rows = _filing_rows(days, start, end, scope)
    rows += _order_rows(days, start, end, scope)
    rows += _complaint_rows(days, start, end, scope)
    overall: dict[str, _Bucket] = defaultdict(_Bucket)
    provinces: dict[str, dict[str, _Bucket]] = defaultdict(lambda: defaultdict(_Bucket))
    teams: dict[str, dict[str, _Bucket]] = defaultdict(lambda: defaultdict(_Bucket))
    for row in rows:
        within = row.days <= STAGE_BY_KEY[row.stage].limit_days if row.within is None else row.within
        for bucket in (overall[row.stage], provinces[row.stage][row.province], teams[row.stage][row.team]):
            bucket.histogram[row.days] += row.n
            bucket.within += row.n if within else 0
    for stage, province, n in _overdue_now(today, scope):
        overall[stage].overdue_now += n
        provinces[stage][province or CENTRAL].overdue_now += n
    return ProcessingTimes(
        start=start,
        end=end,
        provisional=days.provisional,
        overall={stage.key: overall[stage.key].figure() for stage in STAGES},
        by_province={
            stage: {province: bucket.figure() for province, bucket in sorted(groups.items())}
            for stage, groups in provinces.items()
        },
        by_team={
            stage: {team: bucket.figure() for team, bucket in sorted(groups.items())}
            for stage, groups in teams.items()
        },
    )

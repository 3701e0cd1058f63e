"""Published processing times (公开办理时长): per province, counts by standing and the working days each
review stage took over the last twelve months. Nothing about people or complaints beyond counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from govapp.accounts.divisions import BY_CODE
from govapp.complaints.models import Complaint
from govapp.registry.models import App, FilingEvent

from . import durations, register
from .period import last_twelve_months
from .scope import CENTRAL, Scope, province_label

# The review stages the public may see (rectification and complaints are published as counts only).
PUBLISHED_STAGES = ("N1", "N2", "N3")
CACHE_SECONDS = 60


def _figure(figure: durations.Figure, stage: str = "") -> dict[str, Any]:
    return {
        "stage": stage,
        "completed": figure.count,
        "median_working_days": figure.median,
        "p90_working_days": figure.p90,
        "share_within_limit": round(figure.within_share, 4) if figure.within_share is not None else None,
    }


def published_statistics(today: dt.date | None = None) -> dict[str, Any]:
    """The published figures as plain data (the page and GET /api/v1/public/statistics); cached per event."""
    today = today or timezone.localdate()
    stamp = (FilingEvent.objects.aggregate(m=Max("id"))["m"], Complaint.objects.aggregate(m=Max("id"))["m"])
    key = "statistics:published:" + hashlib.sha256(f"{get_language()}:{today}:{stamp}".encode()).hexdigest()
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    period = last_twelve_months(today)
    scope = Scope(national=True)
    times = durations.processing_times(scope=scope, start=period.start, end=period.end, today=today)
    registered = register.register_figures(scope)
    complaints = {
        (row["province"] or CENTRAL): row["n"]
        for row in Complaint.objects.filter(
            received_at__gte=timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
        )
        .values("province")
        .annotate(n=Count("id"))
    }
    codes = sorted(
        set(registered.by_province_state)
        | {p for s in PUBLISHED_STAGES for p in times.by_province.get(s, {})}
    )
    provinces = []
    for code in codes:
        states: Counter[str] = registered.by_province_state.get(code, Counter())
        provinces.append({
            "province": "" if code == CENTRAL else code,
            "province_name": province_label(code),
            "apps_by_state": {state: states.get(state, 0) for state in App.State.values if state != App.State.DRAFT},
            "complaints_received": complaints.get(code, 0),
            "stages": {
                stage: _figure(times.by_province.get(stage, {}).get(code, durations.Figure()), stage)
                for stage in PUBLISHED_STAGES
            },
        })  # fmt: skip
    result = {
        "period_start": period.start.isoformat(),
        "period_end": period.last_day.isoformat(),
        "provisional": times.provisional,
        "stages": [
            {
                **_figure(times.overall[stage], stage),
                "name": str(durations.STAGE_BY_KEY[stage].label),
                "limit_working_days": durations.STAGE_BY_KEY[stage].limit_days,
            }
            for stage in PUBLISHED_STAGES
        ],
        "provinces": provinces,
    }
    cache.set(key, result, CACHE_SECONDS)
    return result


@require_GET
def published_page(request: HttpRequest) -> HttpResponse:
    data = published_statistics()
    return render(request, "statistics/published.html", {"data": data, "divisions": BY_CODE})

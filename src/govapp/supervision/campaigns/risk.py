"""Risk-based sampling (按风险抽查): a score per app from what is known about it, recorded per drawn item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count
from django.utils import timezone

from ..app_signals import open_complaint_counts
from ..enforcement.models import RectificationOrder
from .scope import latest_scans, violation_categories

# Risk weights (risk-based sampling): an open complaint is the strongest signal of forced use today,
# a violation category in the latest scan and a past rectification order show a record, and an app
# whose last scan is old (or that was never scanned) is less known. Recorded per item.
RISK_PER_COMPLAINT = 3.0
RISK_PER_VIOLATION_CATEGORY = 2.0
RISK_PER_RECTIFICATION = 2.0
RISK_SCAN_AGE_DAYS = 180
RISK_SCAN_AGE_MAX = 2.0


def risk_scores(app_ids: Sequence[int], today: dt.date) -> dict[int, tuple[float, dict[str, Any]]]:
    """Risk score and its parts per app: open complaints, violations in the latest scan, past rectification
    orders, age of the latest scan."""
    ids = list(app_ids)
    complaints = open_complaint_counts(ids)
    orders = dict(
        RectificationOrder.objects.filter(app_id__in=ids).values("app_id").annotate(n=Count("pk"))
        .values_list("app_id", "n")
    )  # fmt: skip
    scans = latest_scans(ids)
    result: dict[int, tuple[float, dict[str, Any]]] = {}
    for app_id in ids:
        scan = scans.get(app_id)
        categories = violation_categories(scan) if scan else []
        if scan is not None and scan.finished_at is not None:
            age_days = (today - timezone.localtime(scan.finished_at).date()).days
            age = min(RISK_SCAN_AGE_MAX, max(0, age_days) / RISK_SCAN_AGE_DAYS)
        else:
            age_days, age = None, RISK_SCAN_AGE_MAX
        detail: dict[str, Any] = {
            "complaints": complaints.get(app_id, 0),
            "violations": categories,
            "rectifications": orders.get(app_id, 0),
            "scan_age_days": age_days,
        }
        score = (
            RISK_PER_COMPLAINT * detail["complaints"]
            + RISK_PER_VIOLATION_CATEGORY * len(categories)
            + RISK_PER_RECTIFICATION * detail["rectifications"]
            + age
        )
        result[app_id] = (round(score, 3), detail)
    return result

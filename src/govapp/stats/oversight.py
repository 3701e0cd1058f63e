"""Supervision figures: rectification orders by source and outcome, violations by category and rule,
spot-check results, complaints by category and outcome, suspension notices in force.

Grouped queries, one per figure; the findings of orders are read as JSON rows because their categories
sit inside a list (a few thousand orders even with 100,000 apps).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy

from govapp.complaints.models import Complaint
from govapp.supervision.campaigns.models import SpotCheckItem
from govapp.supervision.enforcement.models import RectificationOrder, SuspensionNotice

from .scope import CENTRAL, Scope

SPOT_OUTCOMES = ("awaiting", "overdue", "received", "scanning", "pass", "violation", "failed")
SPOT_LABELS: dict[str, Any] = {
    "awaiting": gettext_lazy("Package awaited"),
    "overdue": gettext_lazy("Package overdue"),
    "received": gettext_lazy("Package received"),
    "scanning": gettext_lazy("Being tested"),
    "pass": gettext_lazy("No violation"),
    "violation": gettext_lazy("Violation found"),
    "failed": gettext_lazy("Test failed"),
}


def _code(scope: Scope) -> str:
    return "" if scope.province == CENTRAL else scope.province


def scoped_orders(scope: Scope) -> QuerySet[RectificationOrder]:
    orders = RectificationOrder.objects.all()
    return orders.filter(app__unit__province=_code(scope)) if scope.province else orders


def scoped_complaints(scope: Scope) -> QuerySet[Complaint]:
    complaints = Complaint.objects.all()
    return complaints.filter(province=_code(scope)) if scope.province else complaints


def scoped_spot_items(scope: Scope) -> QuerySet[SpotCheckItem]:
    items = SpotCheckItem.objects.all()
    return items.filter(province=_code(scope)) if scope.province else items


def spot_outcome(row: dict[str, Any]) -> str:
    """The outcome of a spot-check item from its values() row (the same rule as ``SpotCheckItem.outcome``)."""
    if row["scan_id"] is not None:
        if row["scan__status"] in ("queued", "running"):
            return "scanning"
        if row["scan__status"] == "failed":
            return "failed"
        return "violation" if row["scan__verdict"] == "violation" else "pass"
    if row["package_id"] is not None:
        return "received"
    return "overdue" if row["overdue"] else "awaiting"


@dataclass
class OversightFigures:
    orders_by_source_state: dict[str, Counter[str]]
    violations_by_category: Counter[str]
    violations_by_rule: Counter[str]
    campaigns: list[dict[str, Any]]  # {id, title, outcomes: Counter}
    complaints_by_category_status: dict[str, Counter[str]]
    complaints_led_to_order: int
    suspensions_in_force: Counter[str]


def oversight_figures(scope: Scope) -> OversightFigures:
    """Six queries."""
    orders = scoped_orders(scope)
    by_source: dict[str, Counter[str]] = {}
    for order_row in orders.values("source", "state").annotate(n=Count("id")):
        by_source.setdefault(order_row["source"], Counter())[order_row["state"]] += order_row["n"]
    categories: Counter[str] = Counter()
    rules: Counter[str] = Counter()
    for findings in orders.values_list("findings", flat=True).iterator(chunk_size=2000):
        for finding in findings or []:
            if not isinstance(finding, dict):
                continue
            categories[str(finding.get("category") or "other")] += 1
            evidence = finding.get("evidence") or {}
            rule = evidence.get("rule") if isinstance(evidence, dict) else None
            if rule:
                rules[str(rule)] += 1
    campaigns: dict[int, dict[str, Any]] = {}
    items = scoped_spot_items(scope).values(
        "campaign_id", "campaign__title", "scan_id", "scan__status", "scan__verdict", "package_id", "overdue"
    )
    row: dict[str, Any]
    for row in items.annotate(n=Count("id")).order_by("-campaign_id"):  # type: ignore[assignment]
        entry = campaigns.setdefault(
            row["campaign_id"],
            {"id": row["campaign_id"], "title": row["campaign__title"], "outcomes": Counter()},
        )
        entry["outcomes"][spot_outcome(row)] += row["n"]
    complaints = scoped_complaints(scope)
    by_category: dict[str, Counter[str]] = {}
    for complaint_row in complaints.values("category", "status").annotate(n=Count("id")):
        by_category.setdefault(complaint_row["category"], Counter())[complaint_row["status"]] += (
            complaint_row["n"]
        )
    led_to_order = complaints.filter(events__action="order_rectification").values("id").distinct().count()
    notices = SuspensionNotice.objects.filter(status=SuspensionNotice.Status.ACTIVE)
    if scope.province:
        notices = notices.filter(unit__province=_code(scope))
    in_force = Counter({row["kind"]: row["n"] for row in notices.values("kind").annotate(n=Count("id"))})
    return OversightFigures(
        orders_by_source_state=by_source,
        violations_by_category=categories,
        violations_by_rule=rules,
        campaigns=list(campaigns.values()),
        complaints_by_category_status=by_category,
        complaints_led_to_order=led_to_order,
        suspensions_in_force=in_force,
    )

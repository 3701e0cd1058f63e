"""What a spot check found: its progress, the report by category and province, and the rectification
findings of each item's technical test.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from govapp.accounts.divisions import BY_CODE
from govapp.inspection.models import Scan

from ..enforcement.findings import FINDING_CATEGORIES
from .models import SpotCheckCampaign, SpotCheckItem


@dataclass
class Progress:
    total: int = 0
    received: int = 0
    scanned: int = 0
    pending: int = 0
    waiting: int = 0  # received, not yet queued
    violations: int = 0
    failed: int = 0
    overdue: int = 0
    awaiting: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.scanned / self.total) if self.total else 0


def campaign_progress(campaign: SpotCheckCampaign) -> Progress:
    """How far a spot check is: drawn, received, tested, with violations, failed, overdue."""
    progress = Progress()
    for item in campaign.items.select_related("scan"):
        progress.total += 1
        outcome = item.outcome
        if item.package_id:
            progress.received += 1
        if outcome in ("pass", "violation", "failed"):
            progress.scanned += 1
        progress.pending += outcome == "scanning"
        progress.waiting += outcome == "received"
        progress.violations += outcome == "violation"
        progress.failed += outcome == "failed"
        progress.overdue += item.overdue and not item.package_id
        progress.awaiting += outcome == "awaiting"
    return progress


def _localized(value: Any) -> str:
    if isinstance(value, dict):
        lang = "en" if (get_language() or "").startswith("en") else "zh"
        return str(value.get(lang) or value.get("zh") or value.get("en") or "")
    return str(value or "")


def category_label(category: str) -> str:
    from govapp.inspection.views import category_label as label

    return label(category)


@dataclass
class Violation:
    item: SpotCheckItem
    category: str
    label: str
    article: str
    title: str
    rule: str
    evidence: list[dict[str, Any]]


@dataclass
class ProvinceRow:
    province: str
    name: str
    sampled: int = 0
    received: int = 0
    scanned: int = 0
    violations: int = 0
    overdue: int = 0


@dataclass
class Report:
    progress: Progress
    by_category: list[tuple[str, str, int]] = field(default_factory=list)
    by_province: list[ProvinceRow] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    overdue: list[SpotCheckItem] = field(default_factory=list)
    failed: list[SpotCheckItem] = field(default_factory=list)


def scan_violations(item: SpotCheckItem) -> list[Violation]:
    if item.scan is None or item.scan.status != Scan.Status.DONE:
        return []
    rows = []
    for finding in item.scan.report_data.get("findings") or []:
        if finding.get("status") != "violation":
            continue
        category = str(finding.get("category", "other"))
        rows.append(Violation(
            item=item, category=category, label=category_label(category),
            article=str(finding.get("article_en") if (get_language() or "").startswith("en") and finding.get("article_en")
                        else finding.get("article", "")),
            title=_localized(finding.get("title")), rule=str(finding.get("rule", "")),
            evidence=[e for e in finding.get("evidence") or [] if isinstance(e, dict)][:3],
        ))  # fmt: skip
    return rows


def campaign_report(campaign: SpotCheckCampaign) -> Report:
    items = list(campaign.items.select_related("app__unit", "scan", "order").order_by("province", "position"))
    report = Report(progress=campaign_progress(campaign))
    categories: Counter[str] = Counter()
    provinces: dict[str, ProvinceRow] = {}
    for item in items:
        row = provinces.setdefault(item.province, ProvinceRow(
            item.province, BY_CODE[item.province].name if item.province in BY_CODE else str(_("Central"))))  # fmt: skip
        row.sampled += 1
        row.received += bool(item.package_id)
        outcome = item.outcome
        row.scanned += outcome in ("pass", "violation", "failed")
        row.violations += outcome == "violation"
        if item.overdue and not item.package_id:
            row.overdue += 1
            report.overdue.append(item)
        if outcome == "failed":
            report.failed.append(item)
        found = scan_violations(item)
        report.violations.extend(found)
        categories.update({v.category for v in found})
    report.by_category = sorted(
        ((c, category_label(c), n) for c, n in categories.items()), key=lambda r: (-r[2], r[0])
    )
    report.by_province = [provinces[p] for p in sorted(provinces)]
    return report


def order_findings(item: SpotCheckItem) -> list[dict[str, Any]]:
    """The rectification findings of an item's scan: each violation with its first evidence item."""
    findings = []
    for violation in scan_violations(item):
        category = violation.category if violation.category in FINDING_CATEGORIES else "other"
        title = violation.title or violation.rule
        if category == "other":
            title = _("%(label)s: %(title)s") % {"label": violation.label, "title": title}
        evidence = violation.evidence[0] if violation.evidence else {}
        findings.append({
            "category": category, "article": violation.article, "description": title,
            "evidence": {"scan": item.scan_id, "rule": violation.rule, "file": str(evidence.get("file", "")),
                         "location": str(evidence.get("location", "")), "snippet": str(evidence.get("snippet", ""))[:500]},
        })  # fmt: skip
    return findings

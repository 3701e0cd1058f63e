"""Drift: the filed facts against each later package of a filed app.

The approval pinned the approved package's facts (``PinnedIdentity.baseline``): version,
permissions, SDKs, endpoints and the formalism categories found. A later scan of the filed app
(spot check, rectification re-test, re-scan) that differs gets an ``unreported_change`` finding
with the diff; what grew (a new permission, SDK, endpoint or formalism feature — the app quietly
adding check-in after filing) is a violation of the duty to file changes (Art. 9), a mere new
version an advisory. An approved change filing re-pins the facts, so what it declared stops
counting as drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from govapp.registry.choices import FilingState
from govapp.registry.models import App

from .binding import baseline_of, pinned
from .models import Scan

RULE = "DRIFT-UNREPORTED-001"
CATEGORY = "unreported_change"
_GROWING = ("categories", "permissions", "sdks", "endpoints")
_WORDS = {
    "version": ("版本", "version"),
    "categories": ("形式主义功能", "formalism features"),
    "permissions": ("权限", "permissions"),
    "sdks": ("第三方 SDK", "SDKs"),
    "endpoints": ("网络地址", "endpoints"),
}


def facts_diff(baseline: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    """Field -> {added, removed} for the list facts and {old, new} for the version; {} when equal."""
    diff: dict[str, Any] = {}
    if baseline.get("version") != now.get("version") or baseline.get("version_code") != now.get(
        "version_code"
    ):
        diff["version"] = {"old": baseline.get("version"), "new": now.get("version")}
    for name in _GROWING:
        old, new = set(baseline.get(name) or []), set(now.get(name) or [])
        if old != new:
            diff[name] = {"added": sorted(new - old), "removed": sorted(old - new)}
    return diff


def drift_finding(diff: dict[str, Any]) -> dict[str, Any]:
    grew = any(diff.get(name, {}).get("added") for name in _GROWING)
    evidence = []
    for name, change in diff.items():
        if name == "version":
            evidence.append(_evidence(name, f"{change['old']} → {change['new']}"))
            continue
        evidence.extend(_evidence(name, f"+ {item}") for item in change["added"])
        evidence.extend(_evidence(name, f"- {item}") for item in change["removed"])
    fields_zh = "、".join(_WORDS[name][0] for name in diff)
    fields_en = ", ".join(_WORDS[name][1] for name in diff)
    return {
        "rule": RULE,
        "rule_version": 1,
        "category": CATEGORY,
        "article": "第九条",
        "article_en": "Art. 9 (change filing)",
        "severity": "high" if grew else "low",
        "status": "violation" if grew else "advisory",
        "confidence": 1.0,
        "invoked": False,
        "title": {"zh": "未报备的变更", "en": "Unreported change"},
        "description": {
            "zh": f"与准予备案时的安装包相比，{fields_zh}发生变化，且没有经批准的变更备案。",
            "en": f"Compared with the package approved at filing, the {fields_en} changed without an approved "
            "change filing.",
        },
        "evidence": evidence[:20],
        "evidence_count": len(evidence),
        "diff": diff,
    }


def _evidence(name: str, snippet: str) -> dict[str, Any]:
    return {"file": "drift", "location": name, "snippet": snippet, "caller": None, "invoked": False}


def is_post_approval(scan: Scan) -> bool:
    """A scan of a filed app's approved filing (spot check, rectification re-test), not of a procedure."""
    filing = scan.filing
    return (
        filing is not None
        and filing.state == FilingState.FILED
        and filing.app.approved_filing_id == filing.pk
    )


def add_drift(scan: Scan) -> None:
    """Append the unreported-change finding to a finished post-approval scan whose facts drifted."""
    if not is_post_approval(scan) or not scan.report_data:
        return
    assert scan.filing is not None
    pin = pinned(scan.filing.app, scan.package.platform)
    if pin is None or not pin.baseline or pin.scan_id == scan.pk:
        return
    diff = facts_diff(pin.baseline, baseline_of(scan.report_data))
    if not diff:
        return
    report = dict(scan.report_data)
    findings = [f for f in report.get("findings") or [] if f.get("category") != CATEGORY]
    finding = drift_finding(diff)
    report["findings"] = [finding, *findings]
    if finding["status"] == "violation":
        report["verdict"] = "violation"
    scan.report = report
    scan.verdict = report["verdict"]
    scan.violation_count = sum(1 for f in report["findings"] if f.get("status") == "violation")


@dataclass(frozen=True)
class DriftedApp:
    app: App
    scan: Scan
    finding: dict[str, Any]


def drifted_apps(apps: QuerySet[App]) -> list[DriftedApp]:
    """Filed apps whose latest post-approval scan on some platform has an unreported-change violation."""
    rows: list[DriftedApp] = []
    apps = apps.filter(state__in=[App.State.FILED, App.State.RECTIFYING]).select_related(
        "unit", "approved_filing"
    )
    for app in apps:
        if app.approved_filing_id is None:
            continue
        latest: dict[str, Scan] = {}
        scans = Scan.objects.filter(filing_id=app.approved_filing_id, status=Scan.Status.DONE).select_related(
            "package"
        )
        for scan in scans.order_by("id"):
            latest[scan.package.platform] = scan
        for scan in latest.values():
            finding = next(
                (
                    f
                    for f in scan.report_data.get("findings") or []
                    if f.get("category") == CATEGORY and f.get("status") == "violation"
                ),
                None,
            )
            if finding is not None:
                rows.append(DriftedApp(app=app, scan=scan, finding=finding))
    return rows

"""Verdicts that decide: a violation blocks national approval until the reviewer decides it.

Each decision — ``false_positive`` (with a reason) or ``exception_accepted`` (only under a declared
security or emergency scenario) — is one append-only ``FilingEvent`` naming the scan, the package
and the rule; it holds for that rule on that package of that filing. Decisions are counted per
rule, which gives a precision figure for the rule set measured by its users.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from govapp.registry.choices import EventAction
from govapp.registry.models import FilingEvent
from govapp.registry.workflow import WorkflowError, record, require

from .engine.identity import IDENTITY_CATEGORIES
from .models import Scan

DECISION_ACTIONS = {
    "false_positive": EventAction.FALSE_POSITIVE,
    "exception_accepted": EventAction.EXCEPTION_ACCEPTED,
}
ACTION_DECISIONS = {str(action): decision for decision, action in DECISION_ACTIONS.items()}


def violations(scan: Scan) -> list[dict[str, Any]]:
    return [f for f in scan.report_data.get("findings") or [] if f.get("status") == "violation"]


def decidable(finding: dict[str, Any]) -> bool:
    """A package of another app is not a matter of opinion: identity findings cannot be decided away."""
    return finding.get("category") not in IDENTITY_CATEGORIES


def decisions(scan: Scan) -> dict[str, FilingEvent]:
    """The decision on each rule of this scan's package in its filing (rule id -> event)."""
    if scan.filing_id is None:
        return {}
    events = FilingEvent.objects.filter(
        filing_id=scan.filing_id, action__in=list(ACTION_DECISIONS), data__package=scan.package.sha256
    ).select_related("actor")
    return {str(event.data.get("rule")): event for event in events}


def undecided(scan: Scan) -> list[dict[str, Any]]:
    """Violations of the scan that still block: undecidable ones and those without a decision."""
    decided = decisions(scan)
    return [f for f in violations(scan) if not decidable(f) or str(f.get("rule")) not in decided]


@transaction.atomic
def finding_decide(*, scan: Scan, rule: str, decision: str, reason: str, actor: Any) -> FilingEvent:
    """The national reviewer decides one violation of a scan; the decision is an event in the filing's history."""
    scan = Scan.objects.select_related("package", "filing__app__unit").get(pk=scan.pk)
    filing = scan.filing
    if filing is None:
        raise WorkflowError(_("Only a scan made for a filing can be decided."))
    require(actor, "registry.review_national", filing)
    if decision not in DECISION_ACTIONS:
        raise WorkflowError(_("Choose “false positive” or “exception accepted”."))
    finding = next((f for f in violations(scan) if str(f.get("rule")) == rule), None)
    if finding is None:
        raise WorkflowError(_("The scan has no violation of rule %(rule)s.") % {"rule": rule})
    if not decidable(finding):
        raise WorkflowError(
            _(
                "An identity finding cannot be decided away: the unit must upload the package of the filed app, "
                "or the filing must name the package's identity."
            )
        )
    if rule in decisions(scan):
        raise WorkflowError(_("Rule %(rule)s of this package has already been decided.") % {"rule": rule})
    reason = reason.strip()
    if decision == "false_positive" and not reason:
        raise WorkflowError(_("Say why the finding is a false positive; the reason is recorded."))
    if decision == "exception_accepted" and not filing.special_scenario:
        raise WorkflowError(
            _(
                "An exception can be accepted only where the filing declares the security or emergency "
                "(安保、应急) special scenario."
            )
        )
    return record(
        app=filing.app, filing=filing, action=DECISION_ACTIONS[decision], actor=actor,
        reason=f"{rule}: {reason}" if reason else rule,
        data={"scan": scan.pk, "package": scan.package.sha256, "rule": rule,
              "category": str(finding.get("category", "")), "decision": decision},
    )  # fmt: skip


@dataclass(frozen=True)
class RulePrecision:
    """How often reviewers confirmed a rule: violations raised on distinct packages, and false positives."""

    rule: str
    raised: int
    false_positives: int
    exceptions: int

    @property
    def precision(self) -> float | None:
        return None if not self.raised else max(0.0, (self.raised - self.false_positives) / self.raised)


def rule_precision() -> list[RulePrecision]:
    """Per rule: distinct (package, rule) violations in filings' scans, and reviewers' decisions on them."""
    raised: dict[str, set[int]] = {}
    scans = Scan.objects.filter(filing__isnull=False, status=Scan.Status.DONE, violation_count__gt=0)
    for package_id, report in scans.values_list("package_id", "report"):
        for finding in (report or {}).get("findings") or []:
            if finding.get("status") == "violation" and decidable(finding):
                raised.setdefault(str(finding.get("rule")), set()).add(package_id)
    counts: dict[str, dict[str, set[str]]] = {}
    for action, data in FilingEvent.objects.filter(action__in=list(ACTION_DECISIONS)).values_list(
        "action", "data"
    ):
        rule = str(data.get("rule"))
        counts.setdefault(rule, {}).setdefault(ACTION_DECISIONS[action], set()).add(str(data.get("package")))
    rows = []
    for rule in sorted(set(raised) | set(counts)):
        decided = counts.get(rule, {})
        rows.append(
            RulePrecision(
                rule=rule,
                raised=max(len(raised.get(rule, ())), sum(len(v) for v in decided.values())),
                false_positives=len(decided.get("false_positive", ())),
                exceptions=len(decided.get("exception_accepted", ())),
            )
        )
    return rows


def retest_blocker(*, order_scan: Scan | None, retest: Scan | None) -> str | None:
    """Why a rectification cannot be accepted on its re-test, or None.

    An order raised from a technical test needs a clean re-test of the same pinned identity: the
    re-test finished, its package is the app (no identity finding), and every violation it still
    has is decided (the same per-finding decisions as at approval)."""
    if retest is None:
        if order_scan is None:
            return None
        return _(
            "The order was raised by the technical test: accept it after a clean re-test of the rectified "
            "package, which the unit has not submitted."
        )
    if retest.is_pending:
        return _("The re-test of the new package is still running; decide after it finishes.")
    if retest.status == Scan.Status.FAILED:
        return _("The re-test could not analyse the new package: %(error)s") % {"error": retest.failure}
    left = undecided(retest)
    identity = [f for f in left if not decidable(f)]
    if identity:
        return _(
            "The re-tested package is not the filed app (%(detail)s); the rectification cannot be accepted on it."
        ) % {"detail": "; ".join(str(f.get("description", {}).get("en", f.get("rule"))) for f in identity)}
    if left:
        return _(
            "The re-test still finds violations (%(rules)s); acceptance needs a clean re-test or a decision on each."
        ) % {"rules": ", ".join(sorted({str(f.get("rule")) for f in left}))}
    return None

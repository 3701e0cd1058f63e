"""The technical test against the filing: contradictions with its declarations and the panel the reviewer
sees beside the materials (what blocks national approval: ``checks``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from govapp.registry.choices import FilingState, FormalismCategory
from govapp.registry.models import Filing

from .binding import key_change_candidate
from .checks import Check, approval_blocker, approval_checks
from .conflicts import IN_REVIEW, Conflict, identity_conflicts
from .models import FilingPackage, Scan, platform_coverage
from .scanning import one_line
from .services import scan_declarations

__all__ = ["approval_blocker", "contradictions", "filing_panel"]

_FORMALISM = frozenset(FormalismCategory.values)


@dataclass(frozen=True)
class Contradiction:
    """A finding set against the filing's declarations. ``highlight``: the filing says no, the package says yes."""

    category: str
    label: str
    kind: str  # "undeclared" (highlighted), "explained" (check-in explained in the filing), "not_found"
    message: str
    rules: tuple[str, ...] = ()
    scan_id: int | None = None

    @property
    def highlight(self) -> bool:
        return self.kind == "undeclared"


def contradictions(filing: Filing, scan: Scan) -> list[Contradiction]:
    """Compare a finished scan with what the filing declares (special scenario, check-in explanation)."""
    findings = [f for f in scan.report_data.get("findings") or [] if f.get("category") in _FORMALISM]
    found: dict[str, list[str]] = {}
    for finding in findings:
        if finding.get("status") in ("violation", "declared_exception"):
            found.setdefault(finding["category"], []).append(str(finding.get("rule", "")))
    declared = set(scan_declarations(filing))
    checkin_text = (filing.checkin_functions or "").strip()
    result: list[Contradiction] = []
    for category in FormalismCategory.values:
        label = str(FormalismCategory(category).label)
        rules = tuple(sorted(set(found.get(category, []))))
        if rules and category not in declared:
            if category == FormalismCategory.CHECKIN and checkin_text:
                message = _(
                    "Found “%(category)s”; the filing explains its check-in functions: “%(text)s”."
                ) % {
                    "category": label,
                    "text": one_line(checkin_text, 200),
                }
                result.append(Contradiction(category, label, "explained", message, rules, scan.pk))
            else:
                message = _("The filing declares no “%(category)s”, but the package contains it.") % {
                    "category": label
                }
                result.append(Contradiction(category, label, "undeclared", message, rules, scan.pk))
        elif category in declared and not rules:
            message = _(
                "The filing declares “%(category)s” for a special scenario, but the technical test found none."
            ) % {"category": label}
            result.append(Contradiction(category, label, "not_found", message, (), scan.pk))
    return result


@dataclass
class PackageRow:
    """One current package of a filing with its latest scan, as the panel shows it."""

    link: FilingPackage
    scan: Scan | None


@dataclass
class InspectionPanel:
    """Everything the technical-test panel of a filing shows, computed once per render."""

    rows: list[PackageRow] = field(default_factory=list)
    blocker: str | None = None
    pending: bool = False
    contradictions: list[Contradiction] = field(default_factory=list)
    superseded: int = 0
    untested: list[str] = field(default_factory=list)  # declared platforms without a current package
    untestable: list[str] = field(default_factory=list)  # declared platforms no package format covers
    checks: list[Check] = field(default_factory=list)  # the approval block, blocking items first
    conflicts: list[Conflict] = field(default_factory=list)
    key_change: str | None = None  # a declared new signing key the national office may accept
    in_review: bool = False


def filing_panel(filing: Filing) -> InspectionPanel:
    """Everything the technical-test panel of ``filing`` shows (template tag ``inspection_panel``)."""
    panel = InspectionPanel()
    for link in filing.inspection_packages.current().order_by("platform"):
        panel.rows.append(PackageRow(link=link, scan=link.latest_scan()))
    panel.pending = any(row.scan is not None and row.scan.is_pending for row in panel.rows)
    panel.checks = approval_checks(filing)
    panel.blocker = " ".join(check.message for check in panel.checks if check.blocking) or None
    panel.conflicts = identity_conflicts(filing)
    panel.in_review = filing.state in IN_REVIEW
    for row in panel.rows:
        if row.scan is not None and row.scan.is_complete and filing.state == FilingState.NATIONAL_REVIEW:
            panel.key_change = panel.key_change or key_change_candidate(filing, row.scan)
    for row in panel.rows:
        if row.scan is not None and row.scan.status == Scan.Status.DONE:
            panel.contradictions.extend(contradictions(filing, row.scan))
    panel.superseded = filing.inspection_packages.filter(is_current=False).count()
    panel.untested, panel.untestable = platform_coverage(filing, {row.link.platform for row in panel.rows})
    return panel

"""The technical test against the filing: contradictions with its declarations, what blocks national
approval, and the panel the reviewer sees beside the materials."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from govapp.registry.choices import FormalismCategory
from govapp.registry.models import Filing

from .models import FilingPackage, Scan, platform_coverage
from .scanning import one_line
from .services import scan_declarations

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


def approval_blocker(filing: Filing) -> str | None:
    """Why national approval must wait for the technical test, or None (registered in APPROVAL_CHECKS)."""
    links = list(FilingPackage.objects.filter(filing=filing, is_current=True).select_related("package"))
    if not links:
        return _(
            "No app package has been uploaded for the technical test; the unit must upload it before approval."
        )
    reasons: list[str] = []
    declarations = scan_declarations(filing)
    for link in links:
        scan = link.latest_scan()
        name = link.original_name
        if scan is None:
            reasons.append(
                _("The technical test of %(name)s has not run; request a re-scan.") % {"name": name}
            )
        elif scan.is_pending:
            reasons.append(
                _("The technical test of %(name)s is still %(status)s; approve after it finishes.")
                % {"name": name, "status": scan.get_status_display()}
            )
        elif scan.status == Scan.Status.FAILED:
            reasons.append(
                _("The technical test could not analyse %(name)s: %(error)s")
                % {"name": name, "error": scan.failure}
            )
        elif scan.declarations != declarations:
            reasons.append(
                _(
                    "The declared special-scenario features changed after %(name)s was scanned; request a re-scan."
                )
                % {"name": name}
            )
    return " ".join(reasons) or None


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


def filing_panel(filing: Filing) -> InspectionPanel:
    """Everything the technical-test panel of ``filing`` shows (template tag ``inspection_panel``)."""
    panel = InspectionPanel()
    for link in filing.inspection_packages.current().order_by("platform"):
        panel.rows.append(PackageRow(link=link, scan=link.latest_scan()))
    panel.pending = any(row.scan is not None and row.scan.is_pending for row in panel.rows)
    panel.blocker = approval_blocker(filing)
    for row in panel.rows:
        if row.scan is not None and row.scan.status == Scan.Status.DONE:
            panel.contradictions.extend(contradictions(filing, row.scan))
    panel.superseded = filing.inspection_packages.filter(is_current=False).count()
    panel.untested, panel.untestable = platform_coverage(filing, {row.link.platform for row in panel.rows})
    return panel

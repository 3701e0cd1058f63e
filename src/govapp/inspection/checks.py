"""What the technical test says about national approval, as one block: verdict, identity check,
platform coverage, identity conflicts and drift — each item blocking or not, blocking items first.
A package whose own code the test could not read (an encrypted App Store build) is a coverage item
that does not block but asks for attention: the reviewer sees what the clean result is worth.

``approval_blocker`` (registered in ``registry.services.APPROVAL_CHECKS``) is the blocking items'
sentences; the panel and the approval page show the whole block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from govapp.registry.models import Filing

from .binding import baseline_of, expected_identity, pinned
from .conflicts import identity_conflicts
from .drift import facts_diff
from .engine.coverage import CODE_NOT_ANALYSED
from .engine.identity import IDENTITY_CATEGORIES
from .models import FilingPackage, Scan, platform_coverage
from .services import scan_declarations
from .verdicts import decidable, decisions, violations

KINDS = ("verdict", "identity", "coverage", "conflict", "drift")


@dataclass(frozen=True)
class IdentityRow:
    name: str
    field: str
    expected: str
    found: str


@dataclass
class Check:
    kind: str  # one of KINDS
    blocking: bool
    message: str
    identities: list[IdentityRow] = field(default_factory=list)
    attention: bool = False  # not blocking, but the reviewer must see it (shown as a warning)

    @property
    def label(self) -> str:
        return str(
            {
                "verdict": _("Verdict"),
                "identity": _("Identity check"),
                "coverage": _("Platform coverage"),
                "conflict": _("Identity conflict"),
                "drift": _("Drift since approval"),
            }[self.kind]
        )


def _rule_list(findings: list[dict[str, object]]) -> str:
    return ", ".join(sorted({str(f.get("rule")) for f in findings}))


def _scan_checks(
    filing: Filing, link: FilingPackage, scan: Scan | None, declarations: list[str]
) -> list[Check]:
    name = link.original_name
    if scan is None:
        return [
            Check(
                "verdict",
                True,
                _("The technical test of %(name)s has not run; request a re-scan.") % {"name": name},
            )
        ]
    if scan.is_pending:
        return [
            Check(
                "verdict",
                True,
                _("The technical test of %(name)s is still %(status)s; approve after it finishes.")
                % {"name": name, "status": scan.get_status_display()},
            )
        ]
    if scan.status == Scan.Status.FAILED:
        return [
            Check(
                "verdict",
                True,
                _("The technical test could not analyse %(name)s: %(error)s")
                % {"name": name, "error": scan.failure},
            )
        ]
    checks: list[Check] = []
    if scan.declarations != declarations:
        checks.append(
            Check(
                "verdict",
                True,
                _(
                    "The declared special-scenario features changed after %(name)s was scanned; request a re-scan."
                )
                % {"name": name},
            )
        )
    expected = expected_identity(filing, link.platform).to_dict()
    found = violations(scan)
    identity = [f for f in found if f.get("category") in IDENTITY_CATEGORIES]
    if identity:
        rows = [
            IdentityRow(name, str(i.get("field", "")), str(i.get("expected", "")), str(i.get("found", "")))
            for f in identity
            if isinstance(i := f.get("identity"), dict)
        ]
        detail = "; ".join(f"{row.field}: {row.expected} ≠ {row.found}" for row in rows)
        checks.append(
            Check(
                "identity",
                True,
                _("%(name)s is not the app of this filing (%(detail)s); upload the package of the filed app.")
                % {"name": name, "detail": detail},
                rows,
            )
        )
    elif scan.expected_identity != expected:
        checks.append(
            Check(
                "identity",
                True,
                _("The identity expected of %(name)s changed after it was scanned; request a re-scan.")
                % {"name": name},
            )
        )
    elif expected:
        checks.append(Check("identity", False, _("%(name)s is the app of this filing.") % {"name": name}))
    decided = decisions(scan)
    open_ = [f for f in found if decidable(f) and str(f.get("rule")) not in decided]
    drift = [f for f in open_ if f.get("category") == "unreported_change"]
    verdict = [f for f in open_ if f.get("category") != "unreported_change"]
    if verdict:
        checks.append(
            Check(
                "verdict",
                True,
                _(
                    "The technical test of %(name)s found violations (%(rules)s); decide each one (false positive "
                    "or accepted exception) or request a supplement."
                )
                % {"name": name, "rules": _rule_list(verdict)},
            )
        )
    elif not identity:
        settled = len([f for f in found if decidable(f)])
        message = (
            _("%(name)s: every violation is decided (%(n)d).") % {"name": name, "n": settled}
            if settled
            else _("%(name)s: no violation.") % {"name": name}
        )
        checks.append(Check("verdict", False, message))
    checks.extend(_code_coverage_checks(name, scan))
    if drift:
        checks.append(
            Check(
                "drift",
                True,
                _("%(name)s differs from the approved package without an approved change filing.")
                % {"name": name},
            )
        )
    elif (pin := pinned(filing.app, link.platform)) is not None and pin.baseline and pin.scan_id != scan.pk:
        diff = facts_diff(pin.baseline, baseline_of(scan.report_data))
        summary = "; ".join(_diff_text(key, change) for key, change in diff.items())
        message = (
            _("%(name)s against the approved package: %(changes)s.") % {"name": name, "changes": summary}
            if diff
            else _("%(name)s: no difference from the approved package.") % {"name": name}
        )
        checks.append(Check("drift", False, message))
    return checks


def _code_coverage_checks(name: str, scan: Scan) -> list[Check]:
    """A warning for each ``code_not_analysed`` finding: the executable was not read, so a clean result
    covers the resources only."""
    reasons = {
        "encrypted": _("an encrypted App Store build"),
        "missing": _("the executable is missing"),
        "too_large": _("the executable is too large"),
        "no_name": _("Info.plist names no executable"),
    }
    checks = []
    for finding in scan.report_data.get("findings") or []:
        if finding.get("category") != CODE_NOT_ANALYSED:
            continue
        gap = finding.get("coverage") if isinstance(finding.get("coverage"), dict) else {}
        reason = reasons.get(str(gap.get("reason")), _("not readable"))
        checks.append(
            Check(
                "coverage",
                False,
                _(
                    "%(name)s: the executable was not analysed (%(reason)s), so the technical test covers only "
                    "its resources: submit a development or ad-hoc build."
                )
                % {"name": name, "reason": reason},
                attention=True,
            )
        )
    return checks


def _diff_text(key: str, change: dict[str, Any]) -> str:
    if key == "version":
        return f"{key} {change.get('old')} → {change.get('new')}"
    parts = [f"+{item}" for item in change.get("added") or []]
    parts += [f"-{item}" for item in change.get("removed") or []]
    return f"{key} " + ", ".join(parts)


def approval_checks(filing: Filing) -> list[Check]:
    """Every item of the approval block, blocking items first."""
    links = list(FilingPackage.objects.filter(filing=filing, is_current=True).select_related("package"))
    if not links:
        return [
            Check(
                "verdict",
                True,
                _(
                    "No app package has been uploaded for the technical test; the unit must upload it before approval."
                ),
            )
        ]
    checks: list[Check] = []
    declarations = scan_declarations(filing)
    for link in links:
        checks.extend(_scan_checks(filing, link, link.latest_scan(), declarations))
    untested, _untestable = platform_coverage(filing, {link.platform for link in links})
    strict = getattr(settings, "GOVAPP_REQUIRE_PACKAGE_PER_PLATFORM", True)
    if untested:
        checks.append(
            Check(
                "coverage",
                bool(strict),
                _("No package has been uploaded for the declared platform(s) %(platforms)s.")
                % {"platforms": "、".join(untested)},
            )
        )
    else:
        checks.append(
            Check("coverage", False, _("Every declared platform a package format covers has a package."))
        )
    for conflict in identity_conflicts(filing):
        checks.append(
            Check(
                "conflict",
                True,
                _(
                    "The %(what)s %(value)s is already held by “%(app)s” of %(unit)s; the national office decides."
                )
                % {
                    "what": conflict.label,
                    "value": conflict.value,
                    "app": conflict.app.name,
                    "unit": conflict.app.unit.name,
                },
            )
        )
    return sorted(
        checks, key=lambda check: (not check.blocking, not check.attention, KINDS.index(check.kind))
    )


def approval_blocker(filing: Filing) -> str | None:
    """Why national approval must wait for the technical test, or None (registered in APPROVAL_CHECKS)."""
    return " ".join(check.message for check in approval_checks(filing) if check.blocking) or None

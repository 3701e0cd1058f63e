"""What a rectification order says was found: the categories an order may name, the check of findings
entered by hand, and the findings taken from a technical-test report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from govapp.registry.choices import FormalismCategory
from govapp.registry.materials import Deficiency
from govapp.registry.services import WorkflowError

from .articles import parse_article

FINDING_CATEGORIES = frozenset(FormalismCategory.values) | {"unfiled_app", "other"}


def clean_findings(findings: Sequence[Any], *, article: str) -> list[dict[str, Any]]:
    """The findings of a new order, checked and normalised; a malformed one raises ``WorkflowError``."""
    if not findings:
        raise WorkflowError(
            _("Name at least one finding: what was found, where, and which article it breaches."),
            items=[Deficiency("findings", _("findings"), _("At least one finding is required."))],
        )
    cleaned: list[dict[str, Any]] = []
    for number, raw in enumerate(findings, start=1):
        if not isinstance(raw, dict):
            raise WorkflowError(
                _("Finding %(n)d is not a record with a category and a description.") % {"n": number}
            )
        category = str(raw.get("category") or "other")
        if category not in FINDING_CATEGORIES:
            raise WorkflowError(
                _("Finding %(n)d has the unknown category “%(category)s”.")
                % {"n": number, "category": category}
            )
        description = str(raw.get("description") or "").strip()
        if not description:
            raise WorkflowError(
                _("Finding %(n)d has no description; say what was found.") % {"n": number},
                items=[Deficiency("findings", _("findings"), _("Every finding needs a description."))],
            )
        evidence = raw.get("evidence") or {}
        if not isinstance(evidence, dict):
            raise WorkflowError(_("The evidence of finding %(n)d must be a record.") % {"n": number})
        cleaned.append(
            {
                "category": category,
                "article": parse_article(str(raw.get("article") or "")) or article,
                "description": description[:2000],
                "evidence": {str(k): v for k, v in evidence.items() if isinstance(v, str | int | float)},
            }
        )
    return cleaned


def _in_language(value: Any) -> str:
    """A report text in the active language: reports carry {zh, en} pairs; zh is the fallback."""
    if isinstance(value, dict):
        lang = "zh" if (get_language() or "zh").lower().startswith("zh") else "en"
        return str(value.get(lang) or value.get("zh") or value.get("en") or "")
    return str(value or "")


def findings_from_scan(scan: Any) -> list[dict[str, Any]]:
    """One finding per violation in a scan report, with its first evidence item (file, location, snippet).

    Formalism categories are kept. A technical rule's category (complaint_function_missing, cleartext, …)
    is not a category of an order: it becomes "other", and the rule id and its category go into the text
    and the evidence so that nothing the test found is lost (docs/supervision.md).
    """
    findings: list[dict[str, Any]] = []
    english = not (get_language() or "zh").lower().startswith("zh")
    for finding in scan.report_data.get("findings", []):
        if finding.get("status", "violation") != "violation":
            continue
        evidence = (finding.get("evidence") or [{}])[0]
        rule = str(finding.get("rule", ""))
        technical = str(finding.get("category") or "other")
        category = technical if technical in FINDING_CATEGORIES else "other"
        title = _in_language(finding.get("title")) or _in_language(finding.get("message")) or rule
        if category != technical:
            title = f"{title} ({rule}, {technical})"
        # Reports carry the article as rendered text in both languages; the order keeps the reference.
        article = parse_article(_in_language(finding.get("article"))) or _in_language(
            finding.get("article_en") if english and finding.get("article_en") else finding.get("article")
        )
        findings.append(
            {
                "category": category,
                "article": article,
                "description": title,
                "evidence": {
                    "scan": scan.pk,
                    "rule": rule,
                    "technical_category": technical,
                    "file": evidence.get("file", ""),
                    "location": str(evidence.get("location", "")),
                    "snippet": str(evidence.get("snippet", ""))[:500],
                },
            }
        )
    return findings

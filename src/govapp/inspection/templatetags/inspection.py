"""``{% inspection_panel filing as panel %}``: the technical-test panel of a filing, for any page that includes it."""

from __future__ import annotations

from django import template

from govapp.registry.models import Filing

from ..approval import InspectionPanel, filing_panel
from ..checks import Check, approval_checks

register = template.Library()


@register.simple_tag
def inspection_panel(filing: Filing) -> InspectionPanel:
    return filing_panel(filing)


@register.simple_tag
def approval_block(filing: Filing) -> list[Check]:
    """Verdict, identity check, platform coverage, conflicts and drift, blocking items first."""
    return approval_checks(filing)

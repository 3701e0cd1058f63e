"""Parts of the filing page and of the filing steps that contexts above the registry provide (similar
apps, project-approval opinions): registered from their AppConfig.ready(), so the registry imports none.

A section returns ``{"template": ..., **context}`` to be included, or None to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from ..models import Filing

FilingPageSection = Callable[[HttpRequest, Filing], dict[str, Any] | None]
FilingStepSection = Callable[[HttpRequest, Filing, str], dict[str, Any] | None]

_page_sections: list[FilingPageSection] = []
_step_sections: list[FilingStepSection] = []


def register_filing_page_section(section: FilingPageSection) -> None:
    """Add ``section(request, filing)`` to the filing page (beside the materials)."""
    if section not in _page_sections:
        _page_sections.append(section)


def register_filing_step_section(section: FilingStepSection) -> None:
    """Add ``section(request, filing, step)`` to the filing's form steps (the unit's filing)."""
    if section not in _step_sections:
        _step_sections.append(section)


def filing_page_sections(request: HttpRequest, filing: Filing) -> list[dict[str, Any]]:
    return [part for section in _page_sections if (part := section(request, filing))]


def filing_step_sections(request: HttpRequest, filing: Filing, step: str) -> list[dict[str, Any]]:
    return [part for section in _step_sections if (part := section(request, filing, step))]

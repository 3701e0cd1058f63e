"""PDF export of printable pages with WeasyPrint and the system's Noto CJK fonts.

Nothing is fetched while rendering: the print templates carry their CSS inline and the URL fetcher
refuses every URL, so a notice renders the same on a closed government network.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# Chinese first: Noto Serif CJK SC is the Song-style face of official documents; fall back to the sans face.
PRINT_FONTS = '"Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", serif'


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"PDF rendering does not fetch resources ({url})")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_refuse_fetch, base_url="/").write_pdf()


def pdf_response(request: HttpRequest, template: str, context: dict[str, Any], filename: str) -> HttpResponse:
    """Render ``template`` (a self-contained print page) to a PDF download named ``filename``."""
    html = render_to_string(
        template, {**context, "print_fonts": PRINT_FONTS, "for_pdf": True}, request=request
    )
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response

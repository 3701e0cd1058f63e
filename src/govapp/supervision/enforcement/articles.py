"""The articles an order can cite, for forms and pages in the active language (data: ``engine.articles``)."""

from __future__ import annotations

from django.utils.translation import get_language

from govapp.inspection.engine.articles import ARTICLE_REFS, article_label, parse_article, split_article

__all__ = ["article_choices", "article_text", "parse_article", "split_article"]


def _english() -> bool:
    return (get_language() or "").startswith("en")


def article_text(ref: str) -> str:
    """第十三条第二项 or Art. 13(2), as the reader's language has it; any other text unchanged."""
    return article_label(ref, english=_english()) if parse_article(ref) == ref else ref


def article_choices() -> list[tuple[str, str]]:
    return [(ref, article_text(ref)) for ref in ARTICLE_REFS]

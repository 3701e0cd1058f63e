"""``{{ ref|article }}``: an article reference ("13.2") as 第十三条第二项 or Art. 13(2), by language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from govapp.supervision.enforcement.articles import article_text

register = template.Library()


@register.filter(name="article")
def article_filter(value: object) -> str:
    return article_text(str(value or ""))


_OTHER_CATEGORIES = {"unfiled_app": _("App used without filing"), "other": _("Other")}


@register.filter(name="finding_category")
def finding_category(value: object) -> str:
    """A finding's category by its name ("积分排名"), never its id ("ranking")."""
    from govapp.supervision.campaigns.report import category_label

    code = str(value or "")
    return str(_OTHER_CATEGORIES[code]) if code in _OTHER_CATEGORIES else category_label(code)

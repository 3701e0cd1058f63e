from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from govapp.stats.tables import Table

register = template.Library()


@register.filter
def stats_table(table: Table) -> SafeString:
    return table.html(_("Nothing to count in this period."))

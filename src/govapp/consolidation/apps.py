from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsolidationConfig(AppConfig):
    name = "govapp.consolidation"
    label = "consolidation"
    verbose_name = _("Consolidation")

    def ready(self) -> None:
        # The registry offers hooks for its filing page and filing steps; it never imports this app.
        from govapp.core.scheduler import register_time_rule
        from govapp.registry.views.sections import register_filing_page_section, register_filing_step_section

        from . import signals
        from .plans import plan_overdue_to_funding
        from .views.filing_sections import filing_page_section, filing_step_section

        signals.connect()
        register_filing_page_section(filing_page_section)
        register_filing_step_section(filing_step_section)
        register_time_rule("consolidation_overdue", plan_overdue_to_funding)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "govapp.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # Registered here, once the app registry is complete, so that importing a module never has the
        # side effect of adding a deadline rule (and `govapp tick` sees every rule wherever supervision runs).
        from govapp.core.clocks import register_clock_owner
        from govapp.core.scheduler import register_time_rule
        from govapp.registry.views.apps import register_app_page_section

        from . import clocks
        from .campaigns.deadlines import campaign_deadlines
        from .enforcement import suspension
        from .enforcement.app_page import app_page_section
        from .enforcement.rectification import rectification_mark_overdue
        from .legacy.services import legacy_reminders

        # Rectification and revocation consequences: the registry records every revocation and approval
        # as a FilingEvent; supervision reacts to those rows (see supervision/enforcement/suspension.py).
        suspension.connect()
        register_app_page_section(app_page_section)
        register_time_rule("rectification_overdue", rectification_mark_overdue)
        register_time_rule("suspension_lift_refiled", suspension.lift_refiled)
        register_time_rule("campaign_deadlines", campaign_deadlines)
        register_time_rule("legacy_reminders", legacy_reminders)
        register_clock_owner("supervision", clocks.recompute_provisional_clocks, pages=clocks.PAGES)

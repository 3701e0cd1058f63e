from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "govapp.complaints"
    label = "complaints"

    def ready(self) -> None:
        from govapp.core.clocks import register_clock_owner
        from govapp.core.scheduler import register_time_rule

        from .clocks import PAGES, recompute_provisional_clocks
        from .services import complaints_mark_overdue

        register_time_rule("complaints_overdue", complaints_mark_overdue)
        register_clock_owner("complaints", recompute_provisional_clocks, pages=PAGES)

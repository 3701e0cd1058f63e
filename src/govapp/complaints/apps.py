from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "govapp.complaints"
    label = "complaints"

    def ready(self) -> None:
        from govapp.core.clocks import register_clock_owner
        from govapp.core.scheduler import register_time_rule
        from govapp.supervision.app_signals import AppSignalSource, register_app_signals

        from .clocks import PAGES, recompute_provisional_clocks
        from .services import complaints_mark_overdue, open_complaint_cases, open_complaint_counts

        register_time_rule("complaints_overdue", complaints_mark_overdue)
        register_clock_owner("complaints", recompute_provisional_clocks, pages=PAGES)
        # Complaints sit above supervision: supervision weighs open complaints (risk-based spot checks,
        # self-inspection contradictions) through this source and never imports complaints.
        register_app_signals(
            "complaints",
            AppSignalSource(
                open_complaint_counts=open_complaint_counts, open_complaint_cases=open_complaint_cases
            ),
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "govapp.inspection"
    label = "inspection"
    verbose_name = _("Technical test")

    def ready(self) -> None:
        # The registry knows nothing of packages; it asks its registered checks before national
        # approval and calls its hooks after a supplement.
        from govapp.core.leases import task_abandoned
        from govapp.registry import services as registry_services
        from govapp.registry import worklist
        from govapp.registry.materials import register_material_check
        from govapp.registry.views.sections import register_filing_step_section

        from .approval import approval_blocker
        from .binding import pin_on_approval
        from .completeness import PACKAGE_CHECK, review_step_section
        from .queue_verdict import annotate_test_verdict
        from .scanning import scan_abandoned
        from .services import rescan_after_supplement

        if approval_blocker not in registry_services.APPROVAL_CHECKS:
            registry_services.APPROVAL_CHECKS.append(approval_blocker)
        if pin_on_approval not in registry_services.APPROVAL_HOOKS:
            registry_services.APPROVAL_HOOKS.append(pin_on_approval)
        if rescan_after_supplement not in registry_services.SUPPLEMENT_HOOKS:
            registry_services.SUPPLEMENT_HOOKS.append(rescan_after_supplement)
        # The package per declared platform is part of completeness (submission, completeness review,
        # supplement), and the review step shows which packages are needed and which platforms need none.
        register_material_check(PACKAGE_CHECK)
        register_filing_step_section(review_step_section)
        task_abandoned.connect(scan_abandoned, dispatch_uid="inspection.scan_abandoned")
        # Reviewers' queues filter and sort by the verdict of the current packages.
        worklist.register_test_verdict(annotate_test_verdict)

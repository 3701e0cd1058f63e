from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "govapp.certificates"
    label = "certificates"
    verbose_name = _("Filing certificates")

    def ready(self) -> None:
        # The registry knows nothing of signatures: it calls its approval hooks inside the approval.
        from govapp.registry import services as registry_services

        from .services import certificate_issue_on_approval

        if certificate_issue_on_approval not in registry_services.APPROVAL_HOOKS:
            registry_services.APPROVAL_HOOKS.append(certificate_issue_on_approval)
        from . import checks  # noqa: F401  (registers the key check)

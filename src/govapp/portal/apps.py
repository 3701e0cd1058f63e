from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top layer: each role's home queue, the inbox, the navigation, demo data and `govapp serve`."""

    name = "govapp.portal"
    label = "portal"
    verbose_name = _("Portal")

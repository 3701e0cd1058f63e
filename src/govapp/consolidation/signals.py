"""Keep the loaded similar-apps index in step with every filing change, once the transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from . import service


def _filing_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    app_id = instance.app_id
    transaction.on_commit(lambda: service.refresh_app(app_id))


def _app_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    app_id = instance.pk
    transaction.on_commit(lambda: service.refresh_app(app_id))


def _scan_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.report and instance.filing_id:
        filing_id = instance.filing_id

        def refresh() -> None:
            from govapp.registry.models import Filing

            app_id = Filing.objects.filter(pk=filing_id).values_list("app_id", flat=True).first()
            if app_id:
                service.refresh_app(app_id)

        transaction.on_commit(refresh)


def _legacy_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    legacy_id = instance.pk
    transaction.on_commit(lambda: service.refresh_legacy(legacy_id))


def _complaint_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    province, name = instance.province, instance.app_name
    transaction.on_commit(lambda: service.refresh_unfiled(province, name))


def connect() -> None:
    from govapp.complaints.models import Complaint
    from govapp.inspection.models import Scan
    from govapp.registry.models import App, Filing
    from govapp.supervision.legacy.models import LegacyApp

    post_save.connect(_filing_saved, sender=Filing, dispatch_uid="consolidation_filing")
    post_save.connect(_app_saved, sender=App, dispatch_uid="consolidation_app")
    post_save.connect(_scan_saved, sender=Scan, dispatch_uid="consolidation_scan")
    post_save.connect(_legacy_saved, sender=LegacyApp, dispatch_uid="consolidation_legacy")
    post_save.connect(_complaint_saved, sender=Complaint, dispatch_uid="consolidation_complaint")

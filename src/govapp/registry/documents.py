"""Removing a document from a filing: deleted only while nobody else has seen it, withdrawn after.

A document of a filing that was never submitted is the unit's own draft and may be deleted. Once
the filing has been submitted, reviewers may have read it: it stays stored and listed, marked
withdrawn, with a "document withdrawn" event naming who withdrew it and when (regulation §7:
the record of what was submitted is kept).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import EventAction
from .models import Attachment, Filing, FilingEvent
from .workflow import record


def ever_submitted(filing: Filing) -> bool:
    return (
        filing.submitted_at is not None
        or FilingEvent.objects.filter(filing=filing, action=EventAction.SUBMIT).exists()
    )


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor: Any) -> str:
    """Delete (never-submitted filing) or withdraw (submitted once) ``attachment``; returns which."""
    attachment = Attachment.objects.select_for_update().select_related("filing__app").get(pk=attachment.pk)
    filing = attachment.filing
    if attachment.withdrawn_at is not None:
        raise PermissionDenied(_("This document was already withdrawn."))
    if attachment.events.exists():
        raise PermissionDenied(_("This document is part of a recorded decision and cannot be deleted."))
    if not ever_submitted(filing):
        stored = attachment.file.name
        storage = attachment.file.storage
        attachment.delete()
        # The file is content-addressed: another attachment may share it.
        if stored and not Attachment.objects.filter(file=stored).exists():
            transaction.on_commit(lambda: storage.delete(stored))
        return "deleted"
    attachment.withdrawn_at = timezone.now()
    attachment.withdrawn_by = actor
    attachment.save(update_fields=["withdrawn_at", "withdrawn_by"])
    record(
        app=filing.app, filing=filing, action=EventAction.DOCUMENT_WITHDRAWN, actor=actor,
        from_state=filing.state, to_state=filing.state,
        data={"attachment": attachment.pk, "kind": attachment.kind, "name": attachment.original_name,
              "sha256": attachment.sha256},
        attachments=[attachment],
    )  # fmt: skip
    return "withdrawn"

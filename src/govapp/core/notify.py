"""Notifications: an in-app inbox entry per recipient plus an e-mail copy after commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification
from .translatable import Text, as_text

log = logging.getLogger(__name__)


def notify(
    *,
    recipients: Iterable[Any],
    subject: Text | str,
    body: Text | str,
    url: str = "",
    due: dt.date | None = None,
) -> list[Notification]:
    """Create one inbox entry per distinct recipient; e-mail the ones with an address, once committed.

    Recipients are users of settings.AUTH_USER_MODEL (accounts, a layer above core). A ``Text`` is
    stored as msgid and parameters and shown in each reader's language; a plain string as written.
    """
    subject_msg = subject.to_json() if isinstance(subject, Text) else {}
    body_msg = body.to_json() if isinstance(body, Text) else {}
    subject, body = as_text(subject).render()[:200], as_text(body).render()
    seen: set[int] = set()
    created: list[Notification] = []
    for user in recipients:
        pk = getattr(user, "pk", None)
        if pk is None or pk in seen or not getattr(user, "is_active", True):
            continue
        seen.add(pk)
        created.append(
            Notification.objects.create(
                recipient=user,
                subject=subject,
                body=body,
                subject_msg=subject_msg,
                body_msg=body_msg,
                url=url,
                due=due,
            )
        )
    addresses = sorted({getattr(n.recipient, "email", "") for n in created} - {""})
    if addresses:
        text = body + (f"\n\n{url}" if url else "")

        def _send() -> None:
            try:
                send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=False)
            except Exception:  # noqa: BLE001 - mail trouble must not undo a recorded decision
                log.exception("notification e-mail to %s failed", addresses)

        transaction.on_commit(_send)
    return created

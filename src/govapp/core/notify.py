"""Notifications: an in-app inbox entry per recipient plus an e-mail copy after commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from .models import Notification
from .translatable import Text, as_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One notification to send: the same subject and body to each of its recipients."""

    recipients: Sequence[Any]
    subject: Text | str
    body: Text | str
    url: str = ""
    due: dt.date | None = None


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
    return notify_all([Message(list(recipients), subject, body, url, due)])


def notify_all(messages: Iterable[Message]) -> list[Notification]:
    """``notify`` for many messages at once: one INSERT for all inbox entries and one mail connection,
    so that a campaign of thousands of apps does not cost thousands of round trips."""
    rows: list[Notification] = []
    mails: list[tuple[str, str, str, list[str]]] = []
    for message in messages:
        subject_msg = message.subject.to_json() if isinstance(message.subject, Text) else {}
        body_msg = message.body.to_json() if isinstance(message.body, Text) else {}
        subject, body = as_text(message.subject).render()[:200], as_text(message.body).render()
        seen: set[int] = set()
        addresses: set[str] = set()
        for user in message.recipients:
            pk = getattr(user, "pk", None)
            if pk is None or pk in seen or not getattr(user, "is_active", True):
                continue
            seen.add(pk)
            addresses.add(getattr(user, "email", "") or "")
            rows.append(
                Notification(
                    recipient=user, subject=subject, body=body, subject_msg=subject_msg, body_msg=body_msg,
                    url=message.url, due=message.due,
                )
            )  # fmt: skip
        addresses.discard("")
        if addresses:
            text = body + (f"\n\n{message.url}" if message.url else "")
            mails.append((subject, text, settings.DEFAULT_FROM_EMAIL, sorted(addresses)))
    created = Notification.objects.bulk_create(rows)
    if mails:

        def _send() -> None:
            try:
                send_mass_mail(mails, fail_silently=False)
            except Exception:  # noqa: BLE001 - mail trouble must not undo a recorded decision
                log.exception("notification e-mail to %s failed", [m[3] for m in mails])

        transaction.on_commit(_send)
    return created

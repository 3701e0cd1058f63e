"""Set-based writes of the campaign time rules: rows marked in bulk, notifications grouped per unit.

A tick must cost what changed, not what exists: each rule selects only the rows that fall due (a partial
index on the rows still waiting), marks them with one UPDATE, records their events with one INSERT and
tells each unit once per campaign. Shared by ``spot_check`` and ``selfcheck``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Model

from govapp.accounts.models import Role
from govapp.core.notify import Message, notify_all
from govapp.core.translatable import Text

from .scope import working_days_left

T = TypeVar("T")

# Names listed in one grouped notification; the count always covers all of them.
MAX_NAMES = 30


def update_by_pk(model: type[Model], pks: Sequence[int], **values: Any) -> int:
    """``UPDATE … WHERE id IN (…)``: one statement on PostgreSQL, batches of the backend's limit on SQLite."""
    limit = connection.features.max_query_params or len(pks) or 1
    size = max(1, limit - len(values) - 1)
    changed = 0
    for start in range(0, len(pks), size):
        changed += model._default_manager.filter(pk__in=pks[start : start + size]).update(**values)
    return changed


def campaigns_to_remind(
    campaigns: Iterable[tuple[int, dt.date]], today: dt.date, *, days_left: int
) -> list[int]:
    """The campaigns (pk, due) whose reminder falls due today: at most ``days_left`` working days left.

    Per campaign, not per row: every row of a campaign shares its due date. None where the calendar of a
    year is not loaded: no reminder on a guessed calendar (the overdue mark still uses the due date).
    """
    due_now = []
    for pk, due in campaigns:
        left = working_days_left(today, due)
        if left is not None and left <= days_left:
            due_now.append(pk)
    return due_now


def filers_by_unit(unit_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The active filers of each unit, in one query."""
    filers: dict[int, list[Any]] = {}
    users = get_user_model().objects.filter(unit_id__in=set(unit_ids), role=Role.FILER, is_active=True)
    for user in users.order_by("pk"):
        if user.unit_id is not None:
            filers.setdefault(user.unit_id, []).append(user)
    return filers


def users_by_pk(pks: Iterable[int]) -> dict[int, Any]:
    return get_user_model().objects.in_bulk(set(pks))


def group_by(rows: Iterable[T], key: Callable[[T], tuple[int, int]]) -> dict[tuple[int, int], list[T]]:
    """Rows grouped by (campaign, unit), in the order they come."""
    groups: dict[tuple[int, int], list[T]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def app_names(names: Sequence[str]) -> str:
    """The apps of a grouped notification, 、-separated, the first ``MAX_NAMES`` of them."""
    shown = "、".join(names[:MAX_NAMES])
    return shown + ("…" if len(names) > MAX_NAMES else "")


@dataclass(frozen=True)
class Wording:
    """What a rule tells a unit (msgids): about its one app, or about several of its apps at once.

    Every text may use %(title)s, %(app)s, %(unit)s, %(due)s, %(count)d and %(apps)s."""

    one_subject: str
    one_body: str
    many_subject: str
    many_body: str


def notify_units(
    items: Sequence[Any],
    *,
    wording: Wording,
    one_url: Callable[[Any], str],
    mine_url: str,
    creator_url: Callable[[Any], str] | None = None,
    with_due: bool = False,
) -> None:
    """One notification per unit and campaign for ``items`` (campaign rows with ``campaign`` and ``app``).

    The unit's filers are told; with ``creator_url`` the campaign's creator too (about one app in the same
    message, about several in one of their own that links to the campaign)."""
    groups = group_by(items, lambda item: (item.campaign_id, item.app.unit_id))
    filers = filers_by_unit(unit for _campaign, unit in groups)
    creators = users_by_pk(item.campaign.created_by_id for item in items) if creator_url else {}
    messages = []
    for (_campaign, unit_id), group in groups.items():
        first = group[0]
        campaign = first.campaign
        creator = [creators[campaign.created_by_id]] if campaign.created_by_id in creators else []
        params = {
            "title": campaign.title, "app": first.app.name, "unit": first.app.unit.name,
            "due": campaign.due.isoformat(), "count": len(group), "apps": app_names([i.app.name for i in group]),
        }  # fmt: skip
        due = campaign.due if with_due else None
        if len(group) == 1:
            messages.append(Message(
                filers.get(unit_id, []) + creator, Text.of(wording.one_subject, **params),
                Text.of(wording.one_body, **params), one_url(first), due,
            ))  # fmt: skip
            continue
        subject, body = Text.of(wording.many_subject, **params), Text.of(wording.many_body, **params)
        messages.append(Message(filers.get(unit_id, []), subject, body, mine_url, due))
        if creator_url is not None:
            messages.append(Message(creator, subject, body, creator_url(campaign), due))
    notify_all(messages)

"""What the unit changed in answer to a deficiency list: the return and the supplement request keep a
snapshot of the materials and documents in their event; the answered filing is compared with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .choices import EventAction, ProcedureKind
from .models import Filing, FilingEvent
from .steps import CHANGE_FIELDS, MATERIAL_FIELDS

DEFICIENCY_ACTIONS = (EventAction.RETURN_INCOMPLETE, EventAction.REQUEST_SUPPLEMENT)
ANSWER_ACTIONS = (EventAction.SUBMIT, EventAction.SUPPLEMENT)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def material_snapshot(filing: Filing) -> dict[str, Any]:
    """The filing's material values and current documents as JSON, for the deficiency event's data."""
    names = (*MATERIAL_FIELDS, *(CHANGE_FIELDS if filing.procedure == ProcedureKind.CHANGE else ()))
    return {
        "fields": {name: _plain(getattr(filing, name)) for name in names},
        "attachments": [
            {"id": a.pk, "name": a.original_name, "kind": a.kind}
            for a in filing.attachments.filter(withdrawn_at=None).order_by("id")
        ],
    }


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Answer:
    """The latest deficiency list, how the unit answered it, and what changed since it was sent."""

    deficiency: FilingEvent
    answer: FilingEvent
    changes: dict[str, FieldChange]
    added: list[dict[str, Any]] = field(default_factory=list)
    withdrawn: list[dict[str, Any]] = field(default_factory=list)


def latest_answer(filing: Filing) -> Answer | None:
    """The answer to the latest deficiency list, or None (no list, not answered yet, or no snapshot kept)."""
    events = filing.events.order_by("-at", "-id")
    deficiency = events.filter(action__in=DEFICIENCY_ACTIONS).select_related("actor").first()
    if deficiency is None or "snapshot" not in (deficiency.data or {}):
        return None
    answer = (
        filing.events.filter(action__in=ANSWER_ACTIONS, id__gt=deficiency.pk)
        .select_related("actor")
        .order_by("at", "id")
        .first()
    )
    if answer is None:
        return None
    before = deficiency.data["snapshot"]
    now = material_snapshot(filing)
    changes = {
        name: FieldChange(name, before["fields"].get(name), value)
        for name, value in now["fields"].items()
        if before["fields"].get(name) != value
    }
    kept = {a["id"] for a in before.get("attachments", [])}
    current = {a["id"] for a in now["attachments"]}
    return Answer(
        deficiency=deficiency,
        answer=answer,
        changes=changes,
        added=[a for a in now["attachments"] if a["id"] not in kept],
        withdrawn=[a for a in before.get("attachments", []) if a["id"] not in current],
    )

"""How materials, deficiency lists and history read on a page (shared by the filing and app pages)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from govapp.core.calendar import LIMIT_NAMES

from ..answers import FieldChange, latest_answer
from ..choices import EventAction, FilingState, FormalismCategory, Platform
from ..forms import FIELD_STEP, STEPS, steps_for
from ..materials import ATTACHMENTS, Deficiency, filing_field_label, item_label, material_check_for
from ..models import App, Filing, FilingEvent

_CHOICE_LISTS = {"platforms": dict(Platform.choices), "declared_categories": dict(FormalismCategory.choices)}
_STATE_LABELS = dict(FilingState.choices)


def display_value(name: str, value: Any) -> str:
    """A material value as text: choice labels, lists joined, dates in ISO, booleans as yes/no."""
    if name in _CHOICE_LISTS:
        labels = _CHOICE_LISTS[name]
        return "、".join(str(labels.get(v, v)) for v in (value or []))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    field = Filing._meta.get_field(name)
    choices = getattr(field, "choices", None)
    if choices:
        return str(dict(choices).get(value, value))
    return str(value)


@dataclass(frozen=True)
class MaterialRow:
    name: str
    label: str
    value: str


def material_groups(filing: Filing) -> list[dict[str, Any]]:
    """The filing's materials grouped by form step, in form order."""
    groups = []
    for step in steps_for(filing):
        title, names = STEPS[step]
        rows = []
        for name in names:
            if name == ATTACHMENTS:
                continue
            if name == "below_county_justification" and not filing.app.unit.is_below_county:
                continue
            rows.append(
                MaterialRow(name, filing_field_label(name), display_value(name, getattr(filing, name)))
            )
        if rows:
            groups.append({"step": step, "title": str(title), "rows": rows})
    return groups


def item_link(filing: Filing, field: str) -> str:
    """Where the filer fixes an item of a deficiency list: its step of the filing form, or the page of
    the context that added the rule (the package upload panel)."""
    check = material_check_for(field)
    if check is not None:
        return check.link(filing)
    step = FIELD_STEP.get(field)
    if step is None or step not in steps_for(filing):
        step = "review"
    url = reverse("registry:filing_edit", args=[filing.pk, step])
    # Straight to the field on its step (Django's id of a form field).
    return f"{url}#id_{field}" if step in STEP_FIELDS_WITH_INPUTS else url


STEP_FIELDS_WITH_INPUTS = frozenset(s for s in STEPS if s not in ("documents", "review"))


def linked_items(filing: Filing, items: list[Deficiency] | list[dict[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for item in items:
        if isinstance(item, Deficiency):
            field, label, message = item.field, str(item.label), item.message
        else:
            field, message = item.get("field", ""), item.get("message", "")
            label = item_label(field, item.get("label", ""))
        rows.append(
            {
                "field": field,
                "label": label,
                "message": message,
                "url": item_link(filing, field),
                "step": str(STEPS[FIELD_STEP[field]][0]) if field in FIELD_STEP else "",
            }
        )
    return rows


def latest_deficiency_event(filing: Filing) -> FilingEvent | None:
    return (
        filing.events.filter(action__in=[EventAction.RETURN_INCOMPLETE, EventAction.REQUEST_SUPPLEMENT])
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )


def history(events: Any) -> list[dict[str, Any]]:
    """Events with readable state names, items and attachments, oldest first."""
    rows = []
    for event in events.select_related("actor", "filing").prefetch_related("attachments"):
        data = event.data or {}
        rows.append(
            {
                "event": event,
                "from_label": _STATE_LABELS.get(event.from_state, event.from_state),
                "to_label": _STATE_LABELS.get(event.to_state, event.to_state),
                "items": data.get("items") or [],
                "number": data.get("number", ""),
                "expected": data.get("expected", ""),
                "clock": data.get("clock") or {},
                "clock_name": LIMIT_NAMES.get(str((data.get("clock") or {}).get("limit", "")), ""),
                "test_failed": data.get("test_failed", False),
                "diff": data.get("diff") or [],
                "attachments": list(event.attachments.all()),
            }
        )
    return rows


def diff_rows(diff: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"field": d["field"], "label": d["label"], "old": display_value(d["field"], d["old"]),
         "new": display_value(d["field"], d["new"])}
        for d in diff
    ]  # fmt: skip


def change_base(filing: Filing) -> Filing | None:
    """The approved filing a change filing is compared with."""
    app: App = filing.app
    if app.approved_filing_id and app.approved_filing_id != filing.pk:
        return app.approved_filing
    return None


def _change_row(change: FieldChange) -> dict[str, str]:
    return {
        "field": change.field,
        "label": filing_field_label(change.field),
        "old": display_value(change.field, change.old),
        "new": display_value(change.field, change.new),
    }


def answer_rows(filing: Filing) -> dict[str, Any] | None:
    """While the answer to a deficiency list is under review: each item of the list beside what the unit
    changed in its field since the list was sent ("no change" when nothing), then the other changes."""
    if filing.state not in (FilingState.PROVINCIAL_REVIEW, FilingState.NATIONAL_REVIEW):
        return None
    answer = latest_answer(filing)
    if answer is None:
        return None
    documents = {"added": answer.added, "withdrawn": answer.withdrawn}
    named: set[str] = set()
    items = []
    for item in answer.deficiency.data.get("items") or []:
        name = item.get("field", "")
        named.add(name)
        row: dict[str, Any] = {
            "field": name,
            "label": item_label(name, item.get("label", "")),
            "message": item.get("message", ""),
        }
        if name == ATTACHMENTS:
            row["documents"] = documents if (answer.added or answer.withdrawn) else None
            row["changed"] = row["documents"] is not None
        elif name in answer.changes:
            row["change"] = _change_row(answer.changes[name])
            row["changed"] = True
        else:
            row["changed"] = False
            row["fieldless"] = name not in FIELD_STEP
        row["anchor"] = f"#field-{name}" if name in FIELD_STEP else ""
        items.append(row)
    others = [_change_row(c) for name, c in answer.changes.items() if name not in named]
    return {
        "deficiency": answer.deficiency,
        "answer": answer.answer,
        "statement": answer.answer.reason if answer.answer.action == EventAction.SUPPLEMENT else "",
        "items": items,
        "others": others,
        "documents": None if ATTACHMENTS in named or not (answer.added or answer.withdrawn) else documents,
    }

"""The deficiency list written beside the materials: a reviewer marks fields deficient on the filing page
(draft items kept on the server), picks standard remarks of the office, and the return or supplement
request starts from the marks.

Drafts are kept per filing and review stage, not per reviewer: whoever of the office holding the case
takes it over sees and continues the same list. They end with the stage (``workflow.transition``); the
list is refused while a mark exists that its page did not show (``require_marks_seen``), so that no
mark is deleted unsent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govapp.accounts.models import Role

from .choices import ProcedureKind
from .materials import ATTACHMENTS, Deficiency, item_label
from .models import DeficiencyMark, DeficiencyPhrase, Filing
from .steps import CHANGE_FIELDS, MATERIAL_FIELDS
from .workflow import WorkflowError, review_stage

__all__ = ["ATTACHMENTS", "item_label"]  # re-exported: the marks' items are the deficiency list's

MAX_REMARK = 1000
MAX_PHRASE = 300


def markable_fields(filing: Filing) -> list[str]:
    """The items of this filing that can be marked: its material fields as shown, and the documents."""
    names = [
        n for n in MATERIAL_FIELDS if n != "below_county_justification" or filing.app.unit.is_below_county
    ]
    if filing.procedure == ProcedureKind.CHANGE:
        names += list(CHANGE_FIELDS)
    return [*names, ATTACHMENTS]


def may_mark(user: Any, filing: Filing) -> bool:
    """The user may send the list of the filing's stage now (return it, or request a supplement): the
    permission of that action in that stage (``workflow.REVIEW_STAGES``)."""
    stage = review_stage(filing)
    return bool(stage and stage.list_action and user.has_perm(stage.perm, filing))


def require_marker(user: Any, filing: Filing) -> None:
    """Refuse (403) whoever may not write the filing's deficiency list in its current status."""
    if not may_mark(user, filing):
        raise PermissionDenied(
            _("Only the reviewer who may return the filing or request a supplement in its current status can "
              "mark its materials deficient.")
        )  # fmt: skip


def current_marks(filing: Filing) -> QuerySet[DeficiencyMark]:
    """The draft items of the stage the filing is in, in the order they were marked."""
    return DeficiencyMark.objects.filter(filing=filing, stage=filing.state).select_related(
        "created_by", "updated_by"
    )


def marks_as_items(marks: Iterable[DeficiencyMark]) -> list[Deficiency]:
    """Marks as items of a deficiency list, labelled in the reader's language."""
    return [Deficiency(m.field, item_label(m.field), m.message) for m in marks]


def _locked(filing: Filing, actor: Any) -> Filing:
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    require_marker(actor, filing)
    return filing


def _check_field(filing: Filing, field: str) -> None:
    if field not in markable_fields(filing):
        raise WorkflowError(
            _("“%(field)s” is not an item of this filing's materials; mark one of the fields shown.")
            % {"field": field[:60]},
            items=[Deficiency("field", _("item"), _("Unknown item."))],
        )


@transaction.atomic
def mark_set(*, filing: Filing, actor: Any, field: str, message: str) -> DeficiencyMark:
    """Mark ``field`` deficient with ``message`` (replacing the remark of an earlier mark of it)."""
    filing = _locked(filing, actor)
    _check_field(filing, field)
    message = message.strip()
    if not message:
        raise WorkflowError(
            _("Write what the unit must provide for “%(item)s”, or pick a standard phrase.")
            % {"item": item_label(field)},
            items=[Deficiency(field, item_label(field), _("The remark is empty."))],
        )
    if len(message) > MAX_REMARK:
        raise WorkflowError(
            _("The remark on “%(item)s” is %(n)d characters long; at most %(max)d are kept.")
            % {"item": item_label(field), "n": len(message), "max": MAX_REMARK},
            items=[Deficiency(field, item_label(field), _("The remark is too long."))],
        )
    mark, created = DeficiencyMark.objects.get_or_create(
        filing=filing,
        stage=filing.state,
        field=field,
        defaults={"message": message, "created_by": actor, "updated_by": actor},
    )
    if not created:
        mark.message, mark.updated_by = message, actor
        mark.save(update_fields=["message", "updated_by", "updated_at"])
    return mark


@transaction.atomic
def mark_clear(*, filing: Filing, actor: Any, field: str) -> bool:
    """Take the mark off ``field``; False when it was not marked."""
    filing = _locked(filing, actor)
    _check_field(filing, field)
    deleted, _rows = DeficiencyMark.objects.filter(filing=filing, stage=filing.state, field=field).delete()
    return bool(deleted)


# ---------------------------------------------------------------- the list built from the marks


@dataclass(frozen=True)
class MarkVersion:
    """A mark as a page showed it: which one, and when it was last written."""

    pk: int
    updated_at: dt.datetime


def marks_token(marks: Iterable[DeficiencyMark]) -> str:
    """The marks a return or supplement page was built from, for its hidden field."""
    return " ".join(f"{m.pk}@{m.updated_at.isoformat()}" for m in marks)


def parse_marks_token(text: str) -> frozenset[MarkVersion]:
    """The marks a page says it was built from; ValueError when the text is not such a list."""
    seen = set()
    for part in text.split():
        pk, _sep, when = part.partition("@")
        at = dt.datetime.fromisoformat(when)
        if not pk.isdigit() or at.tzinfo is None:
            raise ValueError(part[:40])
        seen.add(MarkVersion(int(pk), at))
    return frozenset(seen)


class MarksChanged(WorkflowError):
    """Marks were added or rewritten after the list was opened: sending it would lose them."""

    def __init__(self, unseen: list[DeficiencyMark], current: list[DeficiencyMark]) -> None:
        n = len(unseen)
        super().__init__(
            ngettext(
                "%(n)d item was marked since you opened the list; it is added below. Check the list and send "
                "it again.",
                "%(n)d items were marked since you opened the list; they are added below. Check the list and "
                "send it again.",
                n,
            )
            % {"n": n},
            items=marks_as_items(unseen),
        )
        self.unseen = unseen
        self.current = current  # every mark of the stage now: what the list shown again is built from


def require_marks_seen(filing: Filing, seen: Collection[MarkVersion]) -> None:
    """Refuse to send the stage's list while a mark exists that the sender's page did not show (added, or
    changed since, by a colleague or the other department): the transition deletes every mark of the
    stage, so an unseen one would be lost. A mark cleared since is no loss. Inside the deciding
    transaction, the filing row locked (marking locks it too)."""
    current = list(current_marks(filing))
    unseen = [m for m in current if MarkVersion(m.pk, m.updated_at) not in seen]
    if unseen:
        raise MarksChanged(unseen, current)


# ---------------------------------------------------------------- standard phrases


def office_of(user: Any) -> str | None:
    """The reviewing office whose phrases the user uses: "national" or the province's code."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.role == Role.NATIONAL_REVIEWER:
        return DeficiencyPhrase.NATIONAL_OFFICE
    if (
        user.role in (Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER)
        and user.unit_id
        and user.unit.province
    ):
        return str(user.unit.province)
    return None


def phrases_of(office: str | None, language: str) -> QuerySet[DeficiencyPhrase]:
    if office is None:
        return DeficiencyPhrase.objects.none()
    return DeficiencyPhrase.objects.filter(office=office, language=language, active=True).order_by("id")


@dataclass(frozen=True)
class PhraseAdded:
    phrase: DeficiencyPhrase
    created: bool


def phrase_add(*, actor: Any, text: str, language: str, office: str | None = None) -> PhraseAdded:
    """Add ``text`` to the office's phrases (the actor's office; an administrator names one)."""
    own = office_of(actor)
    if office is None:
        office = own
    elif office != own and actor.role != Role.ADMIN:
        raise WorkflowError(_("You can add phrases only to your own office's list."))
    if office is None:
        raise WorkflowError(
            _("Only reviewers of the national office or of a province keep standard phrases.")
        )
    text = " ".join(text.split())
    if not text:
        raise WorkflowError(
            _("Write the phrase."), items=[Deficiency("text", _("phrase"), _("This field is required."))]
        )
    if len(text) > MAX_PHRASE:
        raise WorkflowError(
            _("A phrase is at most %(max)d characters; this one has %(n)d.")
            % {"max": MAX_PHRASE, "n": len(text)},
            items=[Deficiency("text", _("phrase"), _("Shorten the phrase."))],
        )
    phrase, created = DeficiencyPhrase.objects.get_or_create(
        office=office, language=language, text=text, defaults={"created_by": actor}
    )
    if not phrase.active:
        phrase.active = True
        phrase.save(update_fields=["active"])
        created = True
    return PhraseAdded(phrase, created)


def may_retire(user: Any, phrase: DeficiencyPhrase) -> bool:
    """An administrator retires any phrase; a reviewer the ones of the own office that they added."""
    if getattr(user, "role", None) == Role.ADMIN:
        return True
    return office_of(user) == phrase.office and phrase.created_by_id == user.pk


def phrase_retire(*, actor: Any, phrase: DeficiencyPhrase) -> None:
    if not may_retire(actor, phrase):
        raise WorkflowError(_("Only an administrator, or the reviewer who added it, can remove this phrase."))
    phrase.active = False
    phrase.save(update_fields=["active"])

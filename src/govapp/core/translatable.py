"""Sentences stored as a msgid and parameters, rendered later in the reader's language.

A notification is read days after it is written, by people who may use the other language; storing the
rendered sentence would freeze the writer's language. ``Text`` keeps what gettext needs instead and is
stored as JSON. Mark the msgid with ``gettext_noop`` (``Text.of(gettext_noop("…"), …)``) so that it is
extracted for translation; ``Text.ngettext("…", "…", n, …)`` is found by its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, override

Param = Union[str, int, "Text"]


def _msgid_of(label: Promise) -> str:
    """The msgid behind a lazy translation (a choice label): gettext with translation switched off."""
    with override(None):
        return str(label)


def _param(value: Any) -> Param:
    if isinstance(value, Text | str | int) and not isinstance(value, bool):
        return value
    if isinstance(value, Promise):
        return Text(_msgid_of(value))
    return str(value)


@dataclass(frozen=True)
class Text:
    """A sentence to render in whatever language is active when it is shown.

    ``plural`` and ``count`` select the plural form (``ngettext``); parameters may themselves be
    ``Text`` (a nested sentence or a choice label) and are rendered in the same language.
    """

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)
    plural: str = ""
    count: int | None = None

    @classmethod
    def of(cls, msgid: str, /, **params: Any) -> Text:
        return cls(msgid, {key: _param(value) for key, value in params.items()})

    @classmethod
    def ngettext(cls, singular: str, plural: str, count: int, /, **params: Any) -> Text:
        """A sentence with a plural form; named after ngettext so that the extractor finds both msgids."""
        values = {key: _param(value) for key, value in params.items()}
        return cls(singular, values, plural=plural, count=count)

    @classmethod
    def label(cls, lazy: Promise) -> Text:
        """A choice label or other lazy translation, kept as its msgid."""
        return cls(_msgid_of(lazy))

    def render(self) -> str:
        if self.plural and self.count is not None:
            template = ngettext(self.msgid, self.plural, self.count)
        else:
            template = gettext(self.msgid) if self.msgid else ""
        if not self.params:
            return template
        values = {
            key: value.render() if isinstance(value, Text) else value for key, value in self.params.items()
        }
        try:
            return template % values
        except (KeyError, TypeError, ValueError):
            # A translation that no longer matches its parameters must not hide the message.
            return self.msgid % values

    def __str__(self) -> str:
        return self.render()

    def __add__(self, other: Text | str) -> Text:
        """Two sentences joined, each translated on its own."""
        right = other if isinstance(other, Text) else Text.of("%(text)s", text=other)
        return Text("%(left)s%(right)s", {"left": self, "right": right})

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"msgid": self.msgid}
        if self.params:
            data["params"] = {k: v.to_json() if isinstance(v, Text) else v for k, v in self.params.items()}
        if self.plural:
            data["plural"], data["count"] = self.plural, self.count
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Text:
        params = {
            key: cls.from_json(value) if isinstance(value, Mapping) else value
            for key, value in (data.get("params") or {}).items()
        }
        return cls(
            str(data.get("msgid", "")), params, plural=str(data.get("plural", "")), count=data.get("count")
        )


def as_text(value: Text | str) -> Text:
    """Plain strings (a reviewer's own words, or text rendered before) pass through untranslated."""
    return value if isinstance(value, Text) else Text.of("%(text)s", text=value)

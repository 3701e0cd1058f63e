"""Signals about an app that other contexts know and supervision weighs (today: its open complaints).

Supervision sits below complaints, so it never imports them: a context registers an ``AppSignalSource``
from its ``AppConfig.ready()`` and supervision asks the registry. Without a source the answers are empty,
as when that context is not installed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class AppSignalSource:
    """``open_complaint_counts(app_ids)``: open complaints per app, apps without any absent;
    ``open_complaint_cases(app_id)``: the case numbers of an app's open complaints by category."""

    open_complaint_counts: Callable[[Sequence[int]], dict[int, int]]
    open_complaint_cases: Callable[[int], dict[str, list[str]]]


# By name, so that registering again (a second ready(), a test) replaces rather than counts twice.
_sources: dict[str, AppSignalSource] = {}


def register_app_signals(name: str, source: AppSignalSource) -> None:
    _sources[name] = source


def open_complaint_counts(app_ids: Sequence[int]) -> dict[int, int]:
    """Open complaints per app over every registered source (a risk signal for spot checks)."""
    ids = list(app_ids)
    counts: dict[int, int] = {}
    if not ids:
        return counts
    for source in _sources.values():
        for app_id, n in source.open_complaint_counts(ids).items():
            counts[app_id] = counts.get(app_id, 0) + n
    return counts


def open_complaint_cases(app_id: int) -> dict[str, list[str]]:
    """Case numbers of the app's open complaints by category (a self-inspection answer may contradict them)."""
    found: dict[str, list[str]] = {}
    for source in _sources.values():
        for category, cases in source.open_complaint_cases(app_id).items():
            found.setdefault(category, []).extend(cases)
    return found

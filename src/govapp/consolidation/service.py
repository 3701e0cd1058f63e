"""The similar-apps service: one index per process, built lazily from the database on first use and kept
in step with every filing change (``signals``); who may be shown which match.

Load: the first search in a process reads every app (about 1 ms an app for the tokeniser, plus the
queries); after that an update costs well under a millisecond (docs/benchmarks.md, "Similar apps").
Another process's writes (the worker's scans) reach this one's index when it is rebuilt, at the
latest ``GOVAPP_SIMILAR_MAX_AGE`` seconds after it was built.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings

from govapp.accounts.models import Role, UnitFunction

from . import sources
from .index import Match, Query, SimilarityIndex

log = logging.getLogger(__name__)

_lock = threading.RLock()
_index: SimilarityIndex | None = None
_built_at = 0.0
_load_seconds = 0.0


def _max_age() -> float:
    return float(getattr(settings, "GOVAPP_SIMILAR_MAX_AGE", 600))


def loaded() -> SimilarityIndex | None:
    """The index if this process has built it (updates to an unbuilt index are not needed)."""
    return _index


def reset() -> None:
    """Forget the index; the next search rebuilds it from the database."""
    global _index
    with _lock:
        _index = None


def index() -> SimilarityIndex:
    global _index, _built_at, _load_seconds
    with _lock:
        if _index is None or time.monotonic() - _built_at > _max_age():
            started = time.perf_counter()
            fresh = SimilarityIndex()
            fresh.add_many(sources.all_documents())
            _index, _built_at = fresh, time.monotonic()
            _load_seconds = time.perf_counter() - started
            log.info("similar-apps index: %d documents in %.2f s", len(fresh), _load_seconds)
        return _index


def status() -> dict[str, Any]:
    return {"documents": len(_index) if _index else 0, "load_seconds": round(_load_seconds, 3)}


def refresh_app(app_id: int) -> None:
    """Re-read one app into the loaded index (a filing changed, a scan finished)."""
    current = loaded()
    if current is None:
        return
    from govapp.registry.models import App

    app = App.objects.select_related("unit").prefetch_related("filings").filter(pk=app_id).first()
    doc = sources.app_document(app) if app else None
    with _lock:
        if doc is None:
            current.remove(sources.app_key(app_id))
        else:
            current.add(doc)


def refresh_legacy(legacy_id: int) -> None:
    current = loaded()
    if current is None:
        return
    from govapp.supervision.legacy.models import LegacyApp

    legacy = LegacyApp.objects.select_related("unit").filter(pk=legacy_id).first()
    doc = sources.legacy_document(legacy) if legacy else None
    with _lock:
        if doc is None:
            current.remove(f"legacy:{legacy_id}")
        else:
            current.add(doc)


def refresh_unfiled(province: str, name: str) -> None:
    current = loaded()
    if current is None or not name:
        return
    docs = list(sources.unfiled_documents(province=province, name=name))
    with _lock:
        current.remove(sources.unfiled_key(province, name))
        for doc in docs:
            current.add(doc)


def sees_everything(user: Any) -> bool:
    """National staff and the central approval and funding authorities review every province."""
    if user.role in (Role.NATIONAL_REVIEWER, Role.ADMIN, Role.INSPECTOR):
        return True
    return bool(user.unit_id and user.unit.function in _AUTHORITY and not user.unit.province)


_AUTHORITY = (UnitFunction.IT_APPROVAL_AUTHORITY, UnitFunction.OM_FUNDING_AUTHORITY)


def is_reviewing_user(user: Any) -> bool:
    """Who may search freely (page and API): reviewers, the national office, the authorities."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in (
        Role.PROVINCIAL_REVIEWER,
        Role.PROVINCIAL_COREVIEWER,
        Role.NATIONAL_REVIEWER,
        Role.ADMIN,
    ):
        return True
    return bool(user.unit_id and user.unit.function in _AUTHORITY)


def may_see(user: Any, match: Match) -> bool:
    """Filed apps are public; an app under review, a legacy entry or a complaint only to its province's
    staff and the national office, and to its own unit."""
    doc = match.document
    if doc.public:
        return True
    if sees_everything(user):
        return True
    if user.unit_id and doc.unit_id == user.unit_id:
        return True
    if user.role == Role.FILER:
        return False
    return bool(user.unit_id and user.unit.province and user.unit.province == doc.province)


def similar_apps(
    *,
    user: Any | None,
    name: str,
    functions: str = "",
    kind: str = "",
    province: str = "",
    level: str = "",
    exclude: frozenset[str] = frozenset(),
    only_province: bool = False,
    limit: int = 10,
) -> list[Match]:
    """The apps most like the description that ``user`` may be shown (None: the console, everything)."""
    query = Query(name=name, functions=functions, kind=kind, province=province, level=level, exclude=exclude)
    current = index()
    with _lock:
        matches = current.search(query, limit=limit * 4 if user is not None or only_province else limit)
    if only_province:
        matches = [m for m in matches if m.document.province == province]
    if user is not None:
        matches = [m for m in matches if may_see(user, m)]
    return matches[:limit]

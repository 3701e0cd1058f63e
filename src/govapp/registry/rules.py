"""Who may see and do what with apps and filings (deny by default; `rules` predicates)."""

from __future__ import annotations

from typing import Any

import rules

from govapp.accounts.models import Role

from .choices import FilingState
from .models import App, Filing


def _app_of(obj: Any) -> App | None:
    if isinstance(obj, App):
        return obj
    if isinstance(obj, Filing):
        return obj.app
    return None


@rules.predicate
def is_filer(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.FILER and user.unit_id)


@rules.predicate
def is_provincial(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.role in (Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER)
        and user.unit_id
        and user.unit.province
    )


@rules.predicate
def is_national(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.NATIONAL_REVIEWER)


@rules.predicate
def is_inspector(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.INSPECTOR)


@rules.predicate
def is_sysadmin(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.ADMIN)


@rules.predicate
def own_unit(user: Any, obj: Any) -> bool:
    app = _app_of(obj)
    return app is not None and user.unit_id is not None and app.unit_id == user.unit_id


@rules.predicate
def same_province(user: Any, obj: Any) -> bool:
    app = _app_of(obj)
    return app is not None and bool(user.unit_id) and app.unit.province == user.unit.province != ""


@rules.predicate
def in_provincial_review(user: Any, obj: Any) -> bool:
    return isinstance(obj, Filing) and obj.state == FilingState.PROVINCIAL_REVIEW


@rules.predicate
def submitted(user: Any, obj: Any) -> bool:
    """Reviewers see a procedure once the unit has submitted it; until then the draft is the unit's own.
    An app whose only procedures are unsubmitted drafts is the unit's own too: its name comes from the draft."""
    if isinstance(obj, Filing):
        return obj.submitted_at is not None
    if isinstance(obj, App):
        return obj.state != App.State.DRAFT or obj.filings.filter(submitted_at__isnull=False).exists()
    return True


can_view = (is_filer & own_unit) | ((is_provincial & same_province) | is_national | is_inspector) & submitted
rules.add_perm("registry.view_app", can_view)
rules.add_perm("registry.view_filing", can_view)
rules.add_perm("registry.file_app", is_filer)
rules.add_perm("registry.edit_filing", is_filer & own_unit)
rules.add_perm("registry.review_provincial", is_provincial & same_province)
rules.add_perm("registry.review_national", is_national)
rules.add_perm("registry.manage_calendar", is_sysadmin | is_national)

"""Who may see and handle complaints (deny by default). Units — including the one complained about —
have no access at all; the complainant's contact is for the handling office only."""

from __future__ import annotations

from typing import Any

import rules

from govapp.accounts.models import Role


def _province(user: Any) -> str:
    return user.unit.province if user.unit_id else ""


@rules.predicate
def is_complaint_office(user: Any) -> bool:
    """The national office, or a provincial cyberspace office (not the government-service administration)."""
    if not user.is_authenticated:
        return False
    if user.role == Role.NATIONAL_REVIEWER:
        return True
    return user.role == Role.PROVINCIAL_REVIEWER and bool(_province(user))


@rules.predicate
def sees_complaint(user: Any, complaint: Any) -> bool:
    if not is_complaint_office(user) or complaint is None:
        return False
    if user.role == Role.NATIONAL_REVIEWER:
        return True
    return bool(complaint.province) and complaint.province == _province(user)


@rules.predicate
def handles_complaint(user: Any, complaint: Any) -> bool:
    """The office the complaint is routed to: its province's cyberspace office, or the national office."""
    if not sees_complaint(user, complaint):
        return False
    if complaint.province:
        return user.role == Role.PROVINCIAL_REVIEWER
    return user.role == Role.NATIONAL_REVIEWER


rules.add_perm("complaints.list_complaints", is_complaint_office)
rules.add_perm("complaints.view_complaint", sees_complaint)
rules.add_perm("complaints.handle_complaint", handles_complaint)
rules.add_perm("complaints.view_contact", handles_complaint)

"""The sortable, filtered, paginated work list shared by the filings list and the reviewers' home queues."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from govapp.accounts.models import Role

from .. import assignment, queries, worklist
from ..choices import FilingState
from .clock import filing_clock


def worklist_context(
    request: HttpRequest, filings: Any, *, default_sort: str = worklist.DEFAULT_SORT
) -> dict[str, Any]:
    """One page of ``filings`` under the request's search, quick filters and sort, with what the
    template needs to keep them across pages. Costs two queries (count and rows) whatever the page size."""
    criteria = worklist.Criteria.from_query(request.GET, default_sort=default_sort)
    today = timezone.localdate()
    listed = worklist.apply(
        queries.with_shown_status(filings.select_related("app__unit", "app__current_number", "assignee")),
        criteria,
        today=today,
        user=request.user,
    )
    page = worklist.page_of(listed, request.GET)
    rows = [
        {
            "filing": f,
            "clock": filing_clock(f, today=today),
            "status": FilingState(f.shown_status),
            "verdict": getattr(f, "test_verdict", ""),
        }
        for f in page.object_list
    ]
    return {
        "page": page,
        "rows": rows,
        "colleagues": list(assignment.colleagues(request.user)),
        **worklist.context(criteria, request.GET),
    }


# The state a reviewer's home queue lists, by the permission that reviews it.
QUEUE_STATE = (
    ("registry.review_provincial", FilingState.PROVINCIAL_REVIEW),
    ("registry.review_national", FilingState.NATIONAL_REVIEW),
)


def next_case(user: Any, current: Any) -> Any | None:
    """The first case of the reviewer's home queue, in its order (oldest due first), other than ``current``:
    after a decision the decided case has left the queue, so this is the one to open next."""
    role_state = next((state for perm, state in QUEUE_STATE if _reviews(user, perm)), None)
    if role_state is None:
        return None
    filings = queries.visible_filings(user).filter(state=role_state).exclude(pk=current.pk)
    criteria = worklist.Criteria.from_query({})
    return worklist.apply(filings, criteria, today=timezone.localdate(), user=user).first()


def _reviews(user: Any, perm: str) -> bool:
    if perm == "registry.review_provincial":
        return bool(user.is_authenticated and user.role in assignment.PROVINCIAL_ROLES)
    return bool(user.is_authenticated and user.role == Role.NATIONAL_REVIEWER)

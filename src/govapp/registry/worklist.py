"""A reviewer's work list: quick filters, search, column sorting and pages over visible filings.

Every filter is a condition on the one annotated query of the page (no per-row look-ups), so a page of
any size costs the same few queries. The technical-test verdict comes from inspection, a layer above:
it registers the annotation with ``register_test_verdict``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from govapp.accounts.models import UnitLevel
from govapp.core.calendar import CalendarGap, add_workdays

from .choices import AppKind, EventAction, FilingState, Platform
from .models import FilingEvent, FilingNumber

PAGE_SIZE = 25
MAX_SEARCH_LENGTH = 100
DUE_SOON_WORKDAYS = 3

# Verdicts of the technical test on a filing's current packages, as the ``test_verdict`` annotation
# spells them; inspection computes them (registry does not know packages).
VERDICT_CHOICES: tuple[tuple[str, str | Promise], ...] = (
    ("violation", _("Violation found")),
    ("clean", _("No violation")),
    ("unscanned", _("Not yet scanned")),
    ("failed", _("Scan failed")),
)
VerdictAnnotator = Callable[[Any], Any]
_verdict_annotators: list[VerdictAnnotator] = []


def register_test_verdict(annotate: VerdictAnnotator) -> None:
    """Inspection registers the function that annotates ``test_verdict`` on a filings queryset."""
    if annotate not in _verdict_annotators:
        _verdict_annotators.clear()
        _verdict_annotators.append(annotate)


def verdicts_known() -> bool:
    return bool(_verdict_annotators)


def with_test_verdict(filings: Any) -> Any:
    """``filings`` with ``test_verdict`` annotated, when inspection registered the annotation."""
    return _verdict_annotators[0](filings) if _verdict_annotators else filings


# Quick filters: a name in the query string (``flag=overdue``), the label and the condition.
FLAGS: tuple[tuple[str, str | Promise], ...] = (
    ("overdue", _("Overdue")),
    ("due_soon", _("Due within 3 working days")),
    ("resubmitted", _("Resubmitted or supplemented")),
    ("below_county", _("Below county level")),
    ("central", _("Central unit")),
)

# Sortable columns: query-string name → model path. The primary key breaks ties so that a page never
# shows a row twice or skips one when many rows share a value.
SORTS: dict[str, str] = {
    "app": "app_name",
    "unit": "app__unit__name",
    "number": "app__current_number__number",
    "procedure": "procedure",
    "status": "shown_status",
    "submitted": "submitted_at",
    "due": "clock_due",
    "assignee": "assignee__username",
    "verdict": "test_verdict",
    # Not a column: the filings list opens with the newest procedure first.
    "created": "created_at",
}
DEFAULT_SORT = "due"
COLUMNS: tuple[tuple[str, str | Promise], ...] = (
    ("app", _("App")),
    ("unit", _("Unit")),
    ("number", _("Filing number")),
    ("procedure", _("Procedure")),
    ("status", _("Status")),
    ("verdict", _("Technical test")),
    ("submitted", _("Submitted")),
    ("due", _("Time limit")),
    ("assignee", _("Assigned to")),
)


@dataclass(frozen=True)
class Criteria:
    """What a reviewer asked the list for, read from the query string (unknown values are ignored)."""

    q: str = ""
    flags: frozenset[str] = frozenset()
    verdict: str = ""
    platform: str = ""
    kind: str = ""
    # "mine", "unassigned" or a colleague's primary key.
    assignee: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = False
    default_sort: str = DEFAULT_SORT

    @classmethod
    def from_query(
        cls, params: Mapping[str, Any] | QueryDict, *, default_sort: str = DEFAULT_SORT
    ) -> Criteria:
        # NUL would make PostgreSQL refuse the query (a 500); the public register caps searches alike.
        q = str(params.get("q", "")).replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]
        flags = params.getlist("flag") if isinstance(params, QueryDict) else params.get("flag", [])
        known_flags = {name for name, _label in FLAGS}
        sort = str(params.get("sort", "") or default_sort)
        descending = sort.startswith("-")
        sort = sort.lstrip("-")
        verdict = str(params.get("verdict", ""))
        platform = str(params.get("platform", ""))
        kind = str(params.get("kind", ""))
        assignee = str(params.get("assignee", ""))
        return cls(
            assignee=assignee if assignee in ("mine", "unassigned") or assignee.isdigit() else "",
            q=q,
            flags=frozenset(f for f in flags if f in known_flags),
            verdict=verdict if verdict in dict(VERDICT_CHOICES) and verdicts_known() else "",
            platform=platform if platform in Platform.values else "",
            kind=kind if kind in AppKind.values else "",
            sort=sort
            if sort in SORTS and (sort != "verdict" or verdicts_known())
            else default_sort.lstrip("-"),
            descending=descending if sort in SORTS else default_sort.startswith("-"),
            default_sort=default_sort,
        )

    @property
    def order_param(self) -> str:
        return f"-{self.sort}" if self.descending else self.sort

    @property
    def sorted_by_default(self) -> bool:
        return self.order_param == self.default_sort


def search(filings: Any, q: str) -> Any:
    """Filings whose app, unit, any filing number ever issued, identifiers or responsible person match."""
    if not q:
        return filings
    # A subquery rather than a join on numbers: a join would repeat a filing per number (and need DISTINCT).
    number = FilingNumber.objects.filter(app_id=OuterRef("app_id"), number__icontains=q)
    return filings.filter(
        Q(app_name__icontains=q)
        | Q(app__name__icontains=q)
        | Q(app__unit__name__icontains=q)
        | Q(android_package__icontains=q)
        | Q(android_cert_sha256__icontains=q.replace(":", "").lower())
        | Q(harmony_bundle__icontains=q)
        | Q(ios_bundle__icontains=q)
        | Q(miniprogram_appid__icontains=q)
        | Q(quickapp_package__icontains=q)
        | Q(responsible_name__icontains=q)
        | Exists(number)
    )


def _flag_condition(flag: str, today: dt.date) -> Q:
    if flag == "overdue":
        return Q(clock_due__lt=today)
    if flag == "due_soon":
        try:
            last = add_workdays(today, DUE_SOON_WORKDAYS)
        except CalendarGap:
            last = today + dt.timedelta(days=DUE_SOON_WORKDAYS + 2)
        return Q(clock_due__gte=today, clock_due__lte=last)
    if flag == "resubmitted":
        returned = FilingEvent.objects.filter(filing_id=OuterRef("pk"), action=EventAction.RETURN_INCOMPLETE)
        supplemented = FilingEvent.objects.filter(filing_id=OuterRef("pk"), action=EventAction.SUPPLEMENT)
        return Q(Exists(returned), ~Q(state=FilingState.RETURNED)) | Q(Exists(supplemented))
    if flag == "below_county":
        return Q(app__unit__level=UnitLevel.TOWNSHIP)
    if flag == "central":
        return Q(app__unit__level=UnitLevel.NATIONAL)
    raise ValueError(flag)


def apply(filings: Any, criteria: Criteria, *, today: dt.date, user: Any = None) -> Any:
    """The filings that match every criterion, in the asked order (ties broken by primary key)."""
    filings = search(filings, criteria.q)
    if criteria.assignee == "mine":
        filings = filings.filter(assignee_id=getattr(user, "pk", None))
    elif criteria.assignee == "unassigned":
        filings = filings.filter(assignee__isnull=True)
    elif criteria.assignee:
        filings = filings.filter(assignee_id=int(criteria.assignee))
    for flag in sorted(criteria.flags):
        filings = filings.filter(_flag_condition(flag, today))
    if criteria.kind:
        filings = filings.filter(app_kind=criteria.kind)
    if criteria.platform:
        # The JSON list's text: works alike on SQLite and PostgreSQL (``contains`` is PostgreSQL-only).
        filings = filings.filter(platforms__icontains=f'"{criteria.platform}"')
    if verdicts_known():
        filings = with_test_verdict(filings)
        if criteria.verdict:
            filings = filings.filter(test_verdict=criteria.verdict)
    column = F(SORTS[criteria.sort])
    ordered = column.desc(nulls_last=True) if criteria.descending else column.asc(nulls_last=True)
    tie = "-pk" if criteria.descending else "pk"
    return filings.order_by(ordered, tie)


def page_of(filings: QuerySet[Any], params: Mapping[str, Any]) -> Page[Any]:
    return Paginator(filings, PAGE_SIZE).get_page(params.get("page"))


def context(criteria: Criteria, params: QueryDict) -> dict[str, Any]:
    """What the filter bar, the sortable headers and the pager need to keep every choice."""
    kept = params.copy()
    kept.pop("page", None)
    unsorted = kept.copy()
    unsorted.pop("sort", None)
    base = unsorted.urlencode()
    columns = []
    for name, label in COLUMNS:
        if name == "verdict" and not verdicts_known():
            continue
        active = criteria.sort == name
        order = f"-{name}" if active and not criteria.descending else name
        columns.append(
            {
                "name": name,
                "label": label,
                "url": f"?{base}&sort={order}" if base else f"?sort={order}",
                "active": active,
                "aria": ("descending" if criteria.descending else "ascending") if active else "none",
            }
        )
    return {
        "criteria": criteria,
        "flags": FLAGS,
        "verdicts": VERDICT_CHOICES if verdicts_known() else (),
        "platforms": Platform.choices,
        "kinds": AppKind.choices,
        "columns": columns,
        "labels": {c["name"]: c["label"] for c in columns},  # each cell names its column on a phone
        "query": kept.urlencode(),
    }

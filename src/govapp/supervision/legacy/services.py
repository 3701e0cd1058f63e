"""The 6-month deadline for apps online before the Measures (存量应用, regulation §4): status, overdue
lists, who may see and register them, starting their filing, and the reminder time rule.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from govapp.accounts.models import Role, Unit, UnitFunction
from govapp.core.calendar import CalendarGap, countdown, is_workday
from govapp.core.notify import notify
from govapp.core.translatable import Text
from govapp.registry import services as registry_services
from govapp.registry.choices import PRE_FILING
from govapp.registry.models import App, Filing
from govapp.registry.services import WorkflowError

from .models import IDENTIFIER_FIELDS, LEGACY_DEADLINE, LegacyApp, LegacyReminder

STATUS_FILED = "filed"
STATUS_IN_PROGRESS = "in_progress"
STATUS_NOT_STARTED = "not_started"
STATUS_CHOICES: list[tuple[str, Any]] = [
    (STATUS_FILED, gettext_lazy("Filed")),
    (STATUS_IN_PROGRESS, gettext_lazy("Filing in progress")),
    (STATUS_NOT_STARTED, gettext_lazy("Not started")),
]
STATUS_LABELS = dict(STATUS_CHOICES)

# App states in which the legacy obligation is met: the app holds (or held until it was shut down
# properly) a filing. A revoked app must be filed again and counts as not filed.
_FILED_APP_STATES = (
    App.State.FILED, App.State.CHANGE_REVIEW, App.State.RECTIFYING, App.State.SHUTDOWN_NOTICED,
    App.State.DEREGISTERED,
)  # fmt: skip


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- status and overdue


class _Status(TypedDict):
    status: str


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A legacy app as with_status() returns it: the model plus its computed ``status``.
    LegacyWithStatus: TypeAlias = WithAnnotations[LegacyApp, _Status]


def with_status(
    queryset: QuerySet[LegacyApp], viewer: Any = None, *, outside_unit: bool = False
) -> QuerySet[LegacyWithStatus]:
    """Annotate ``status`` (filed / in_progress / not_started) computed in the database. Seen from outside
    the unit (a ``viewer`` who is not its filer, or ``outside_unit`` for reports to the offices), a draft
    never submitted does not count as a filing in progress: it is the unit's own."""
    procedure_running = Filing.objects.filter(app_id=OuterRef("app_id"), state__in=PRE_FILING)
    if outside_unit or (viewer is not None and not _is_filer(viewer)):
        procedure_running = procedure_running.filter(submitted_at__isnull=False)
    return queryset.annotate(
        status=Case(
            When(app__state__in=_FILED_APP_STATES, then=Value(STATUS_FILED)),
            When(Exists(procedure_running), then=Value(STATUS_IN_PROGRESS)),
            default=Value(STATUS_NOT_STARTED),
            output_field=CharField(),
        )
    )


def status_of(legacy: LegacyApp) -> str:
    annotated = getattr(legacy, "status", None)
    if annotated:
        return str(annotated)
    return str(with_status(LegacyApp.objects.filter(pk=legacy.pk)).values_list("status", flat=True).get())


@dataclass(frozen=True)
class Overdue:
    """How late an unfiled legacy app is on ``today`` (the same for every one: the deadline is fixed)."""

    today: dt.date
    calendar_days: int
    working_days: int
    provisional: bool  # working days estimated for a year the official calendar lacks

    @property
    def is_overdue(self) -> bool:
        return self.calendar_days > 0

    def describe(self) -> str:
        return self.text().render()

    def text(self) -> Text:
        """The same, kept as msgids for a message read later in the reader's language."""
        if not self.is_overdue:
            left = (LEGACY_DEADLINE - self.today).days
            return Text.ngettext(
                "Due %(due)s: %(n)d day left.", "Due %(due)s: %(n)d days left.", left,
                due=LEGACY_DEADLINE.isoformat(), n=left,
            )  # fmt: skip
        text = Text.ngettext(
            "Overdue since %(due)s by %(days)d calendar day",
            "Overdue since %(due)s by %(days)d calendar days",
            self.calendar_days,
            due=LEGACY_DEADLINE.isoformat(), days=self.calendar_days,
        )  # fmt: skip
        text += Text.ngettext(
            " (%(work)d working day).", " (%(work)d working days).", self.working_days, work=self.working_days
        )
        if self.provisional:
            text += Text.of(
                gettext_noop(
                    " Working days are provisional: the official calendar is not loaded for every year."
                )
            )
        return text


def overdue_on(today: dt.date) -> Overdue:
    """Days past 2026-07-25 in calendar and in working days (0 on or before the deadline)."""
    if today <= LEGACY_DEADLINE:
        return Overdue(today=today, calendar_days=0, working_days=0, provisional=False)
    late = countdown(LEGACY_DEADLINE, today=today)
    return Overdue(
        today=today,
        calendar_days=(today - LEGACY_DEADLINE).days,
        working_days=late.overdue_days,
        provisional=late.provisional,
    )


# ---------------------------------------------------------------- who sees and registers what


def _is_provincial(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.role in (Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER)
        and user.unit_id
        and user.unit.province
    )


def _is_filer(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.FILER and user.unit_id)


def can_list(user: Any) -> bool:
    return (
        bool(user.is_authenticated and user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR))
        or _is_provincial(user)
        or _is_filer(user)
    )


def visible_legacy(user: Any) -> QuerySet[LegacyApp]:
    """National roles see every legacy app, provincial staff their province's, filers their unit's."""
    base = LegacyApp.objects.select_related("unit", "app__current_number")
    if not user.is_authenticated:
        return base.none()
    if user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR):
        return base.all()
    if _is_provincial(user):
        return base.filter(unit__province=user.unit.province)
    if _is_filer(user):
        return base.filter(unit_id=user.unit_id)
    return base.none()


def can_register(user: Any) -> bool:
    """Units register their own legacy apps; provincial staff may register for any unit of the province."""
    return _is_filer(user) or _is_provincial(user)


def registrable_units(user: Any) -> QuerySet[Unit]:
    if _is_filer(user):
        return Unit.objects.filter(pk=user.unit_id)
    if _is_provincial(user):
        return Unit.objects.filter(province=user.unit.province, function=UnitFunction.GOVERNMENT_UNIT)
    return Unit.objects.none()


def can_edit(user: Any, legacy: LegacyApp) -> bool:
    return registrable_units(user).filter(pk=legacy.unit_id).exists()


def can_start_filing(user: Any, legacy: LegacyApp) -> bool:
    # Filing is the unit's own act (the commitment is signed by the unit), not the province's.
    return _is_filer(user) and user.unit_id == legacy.unit_id and user.has_perm("registry.file_app")


# ---------------------------------------------------------------- writes


def find_existing(unit: Unit, identifiers: dict[str, str]) -> LegacyApp | None:
    """The unit's legacy row sharing any identifier with ``identifiers`` (a re-import updates it)."""
    query = Q()
    for name, value in identifiers.items():
        if name in IDENTIFIER_FIELDS and value:
            query |= Q(**{name: value})
    if not query:
        return None
    return LegacyApp.objects.filter(unit=unit).filter(query).order_by("pk").first()


def link_registered_app(legacy: LegacyApp) -> bool:
    """Link a legacy row to the unit's register entry for the same app, if the unit already filed it the
    ordinary way (otherwise it would show "not started" for ever). Returns whether a link was made."""
    if legacy.app_id is not None:
        return False
    query = Q()
    for name, value in legacy.identifiers().items():
        query |= Q(**{name: value}) | Q(**{f"filings__{name}": value})
    candidates = App.objects.filter(unit_id=legacy.unit_id, legacy_entry__isnull=True).filter(query)
    app = candidates.order_by("-created_at").distinct().first()
    if app is None:
        return False
    legacy.app = app
    legacy.save(update_fields=["app", "updated_at"])
    return True


def link_registered_apps() -> int:
    """``link_registered_app`` for every legacy row not linked yet, set-based for the daily time rule: one query
    per identifier and way (the app's own, one of its filings) instead of one per row. Rows are linked in the
    register's order, each to the newest app of its unit carrying one of its identifiers that no legacy row holds
    yet. Returns how many rows were linked."""
    rows = list(
        LegacyApp.objects.filter(app__isnull=True)
        .only("pk", "unit_id", *IDENTIFIER_FIELDS)
        .order_by("unit__province", "unit__name", "name", "pk")
    )
    if not rows:
        return 0
    units = {row.unit_id for row in rows}
    candidates: dict[tuple[int, str, str], set[tuple[dt.datetime, int]]] = {}
    for name in IDENTIFIER_FIELDS:
        values = sorted({getattr(row, name) for row in rows if getattr(row, name)})
        for start in range(0, len(values), _IN_BATCH):
            chunk = values[start : start + _IN_BATCH]
            free = App.objects.filter(unit_id__in=units, legacy_entry__isnull=True)
            for path in (name, f"filings__{name}"):
                found = free.filter(**{f"{path}__in": chunk}).values_list("pk", "unit_id", path, "created_at")
                for pk, unit_id, value, created in found.distinct():
                    candidates.setdefault((unit_id, name, value), set()).add((created, pk))
    taken: set[int] = set()
    linked = []
    now = timezone.now()
    for row in rows:
        options = {
            option
            for name, value in row.identifiers().items()
            for option in candidates.get((row.unit_id, name, value), ())
            if option[1] not in taken
        }
        if options:
            row.app_id = max(options)[1]
            row.updated_at = now
            taken.add(row.app_id)
            linked.append(row)
    LegacyApp.objects.bulk_update(linked, ["app", "updated_at"])
    return len(linked)


_IN_BATCH = 500  # identifier values per IN (…): under SQLite's parameter limit


@transaction.atomic
def legacy_start_filing(*, legacy: LegacyApp, actor: Any) -> Filing:
    """Open the filing of a legacy app: a draft pre-filled with what the unit registered, linked to it.

    Refused (WorkflowError) when the app is already filed or a filing is already running.
    """
    legacy = LegacyApp.objects.select_for_update(of=("self",)).select_related("unit", "app").get(pk=legacy.pk)
    if not can_start_filing(actor, legacy):
        raise PermissionDenied(_("Only a filer of the sponsoring unit can start this filing."))
    status = status_of(legacy)
    if status == STATUS_FILED:
        raise WorkflowError(_("This app is already filed; nothing more to do for the legacy deadline."))
    if status == STATUS_IN_PROGRESS:
        raise WorkflowError(
            _("A filing for this app is already in progress: continue it instead of starting another.")
        )
    app = legacy.app
    if app is not None and app.state == App.State.REVOKED:
        filing = registry_services.refiling_start(app=app, actor=actor)
    else:
        filing = registry_services.filing_create(actor=actor, app_name=legacy.name, app_kind=legacy.kind)
        filing.platforms = list(legacy.platforms)
        for name, value in legacy.identifiers().items():
            setattr(filing, name, value)
        filing.save()
        legacy.app = filing.app
    legacy.filing_started_at = timezone.now()
    legacy.save(update_fields=["app", "filing_started_at", "updated_at"])
    return filing


# ---------------------------------------------------------------- reminders (time rule)


def _is_working_day(day: dt.date) -> bool:
    try:
        return is_workday(day)
    except CalendarGap:
        return day.weekday() < 5


def _claim(*, kind: str, period: str, scope: str, legacy: LegacyApp | None = None) -> LegacyReminder | None:
    try:
        with transaction.atomic():
            return LegacyReminder.objects.create(kind=kind, period=period, scope=scope, legacy_app=legacy)
    except IntegrityError:
        return None


def _weekly(today: dt.date, overdue: Overdue) -> int:
    year, week, _weekday = today.isocalendar()
    period = f"{year}-W{week:02d}"
    already = set(
        LegacyReminder.objects.filter(kind=LegacyReminder.Kind.WEEKLY, period=period).values_list(
            "scope", flat=True
        )
    )
    due_rows = with_status(LegacyApp.objects.select_related("unit")).filter(status=STATUS_NOT_STARTED)
    sent = 0
    for legacy in due_rows.iterator():
        scope = f"app:{legacy.pk}"
        if scope in already:
            continue
        with transaction.atomic():
            claim = _claim(kind=LegacyReminder.Kind.WEEKLY, period=period, scope=scope, legacy=legacy)
            if claim is None:
                continue
            created = notify(
                recipients=registry_services.unit_filers(legacy.unit),
                subject=Text.of(gettext_noop("Legacy app not filed: %(app)s"), app=legacy.name),
                body=Text.of(
                    gettext_noop(
                        "“%(app)s” was online before the Measures took effect and had to be filed by %(due)s. "
                        "%(overdue)s Open the link and choose “Start filing”: the draft is pre-filled with what "
                        "your unit registered. Nobody may require users to use an app that is not filed. This "
                        "reminder repeats every week until the filing is started."
                    ),
                    app=legacy.name,
                    due=LEGACY_DEADLINE.isoformat(),
                    overdue=overdue.text(),
                ),
                url=reverse("supervision:legacy_detail", args=[legacy.pk]),
                due=LEGACY_DEADLINE,
            )
            claim.recipients = len(created)
            claim.save(update_fields=["recipients"])
        sent += 1
    return sent


def _province_key(unit: Unit) -> str:
    return unit.province or "central"


def _monthly(today: dt.date, overdue: Overdue) -> int:
    period = f"{today.year}-{today.month:02d}"
    rows = with_status(LegacyApp.objects.select_related("unit"), outside_unit=True)  # for the offices
    by_province: dict[str, dict[str, Counter[str]]] = {}
    for legacy in rows.iterator():
        per_status = by_province.setdefault(_province_key(legacy.unit), {})
        per_status.setdefault(legacy.status, Counter())[legacy.unit.name] += 1
    sent = 0
    for key, per_status in sorted(by_province.items()):
        late = per_status.get(STATUS_NOT_STARTED, Counter())
        if not late:
            continue
        recipients = (
            registry_services.national_reviewers()
            if key == "central"
            else registry_services.provincial_reviewers(key)
        )
        summary: dict[str, Any] = {
            "not_started": sum(late.values()),
            "in_progress": sum(per_status.get(STATUS_IN_PROGRESS, Counter()).values()),
            "filed": sum(per_status.get(STATUS_FILED, Counter()).values()),
            "units": dict(late.most_common()),
        }
        with transaction.atomic():
            claim = _claim(kind=LegacyReminder.Kind.MONTHLY, period=period, scope=f"province:{key}")
            if claim is None:
                continue
            lines = Text.of("")
            for number, (unit, n) in enumerate(late.most_common()):
                line = Text.ngettext("%(unit)s: %(n)d app", "%(unit)s: %(n)d apps", n, unit=unit, n=n)
                lines = line if number == 0 else lines + Text.of("%(text)s", text="\n") + line
            url = reverse("supervision:legacy_list") + f"?status={STATUS_NOT_STARTED}"
            if key != "central":
                url += f"&province={key}"
            created = notify(
                recipients=recipients,
                subject=Text.ngettext(
                    "Legacy deadline: %(n)d app not filed",
                    "Legacy deadline: %(n)d apps not filed",
                    summary["not_started"],
                    n=summary["not_started"],
                ),
                body=Text.of(
                    gettext_noop(
                        "Apps online before the Measures had to be filed by %(due)s. %(overdue)s\n"
                        "Not started: %(late)d; filing in progress: %(running)d; filed: %(filed)d.\n"
                        "Units with apps not started:\n%(lines)s\n"
                        "Urge these units to start their filings this month; the list and its export are at the link."
                    ),
                    due=LEGACY_DEADLINE.isoformat(),
                    overdue=overdue.text(),
                    late=summary["not_started"],
                    running=summary["in_progress"],
                    filed=summary["filed"],
                    lines=lines,
                ),
                url=url,
            )
            claim.recipients = len(created)
            claim.summary = summary
            claim.save(update_fields=["recipients", "summary"])
        sent += 1
    return sent


def legacy_reminders(*, today: dt.date | None = None) -> int:
    """Time rule: after 2026-07-25, a weekly reminder per unfiled legacy app to its unit's filers and a
    monthly summary per province to its reviewers (central units: national reviewers).

    Idempotent: each (kind, period, scope) is claimed once in LegacyReminder. Sent on working days only,
    so nobody is reminded during an official holiday; the first working day of the week/month sends.
    Returns the number of reminders sent.
    """
    today = today or _today()
    overdue = overdue_on(today)
    if not overdue.is_overdue or not _is_working_day(today):
        return 0
    link_registered_apps()
    return _weekly(today, overdue) + _monthly(today, overdue)

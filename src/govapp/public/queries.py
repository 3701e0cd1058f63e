"""Public reads of the register, shared by the public pages and the public API (one place).

Only what the register publishes leaves this module: number, status, app name and kind, sponsoring
unit, dates. Never the responsible person, materials, attachments or anything of an unfiled app.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext_lazy, override
from django.utils.translation import gettext as _

from govapp.accounts.divisions import BY_CODE
from govapp.accounts.models import Unit
from govapp.core.calendar import CalendarGap, workdays_between
from govapp.registry.choices import AppKind, EventAction
from govapp.registry.models import App, FilingEvent, FilingNumber
from govapp.registry.numbers import normalise_number, normalise_text

# Public statuses of a number. "superseded" covers every number that is no longer the app's
# current one (re-filed after revocation), whatever its record status was when it was replaced.
VALID = "valid"
REVOKED = "revoked"
DEREGISTERED = "deregistered"
SUPERSEDED = "superseded"

STATUS_LABELS = {
    VALID: gettext_lazy("Valid"),
    REVOKED: gettext_lazy("Revoked"),
    DEREGISTERED: gettext_lazy("Deregistered"),
    SUPERSEDED: gettext_lazy("Replaced by a newer number"),
}
STATUS_EXPLANATIONS = {
    VALID: gettext_lazy("The app is filed under this number and may be operated."),
    REVOKED: gettext_lazy(
        "The national office revoked this filing; the app is no longer filed and should not be used as a government app."
    ),
    DEREGISTERED: gettext_lazy(
        "The sponsoring unit shut the app down and deregistered its filing; the app is no longer in service."
    ),
    SUPERSEDED: gettext_lazy(
        "This number is no longer in use: the app was filed again under a newer number."
    ),
}
# A shutdown notice (Art. 10) leaves the number valid until the offline report deregisters it, but the
# public must learn of it from the day it is announced, not at deregistration.
SHUTDOWN_EXPLANATION = gettext_lazy(
    "The app is still filed under this number, but its sponsoring unit has announced that it will shut down."
)
_SHUTDOWN_STATES = (App.State.SHUTDOWN_NOTICED, App.State.DEREGISTERED)
_BADGE_CLASSES = {
    VALID: "badge-ok",
    REVOKED: "badge-bad",
    DEREGISTERED: "state-deregistered",
    SUPERSEDED: "badge-warn",
}
# The filter values of the public list (a number that is not current never appears there).
LIST_STATUSES = (VALID, REVOKED, DEREGISTERED)
_RECORD_TO_PUBLIC = {
    FilingNumber.Status.ACTIVE: VALID,
    FilingNumber.Status.REVOKED: REVOKED,
    FilingNumber.Status.DEREGISTERED: DEREGISTERED,
    FilingNumber.Status.SUPERSEDED: SUPERSEDED,
}
_PUBLIC_TO_RECORD = {VALID: FilingNumber.Status.ACTIVE, REVOKED: FilingNumber.Status.REVOKED,
                     DEREGISTERED: FilingNumber.Status.DEREGISTERED}  # fmt: skip

MAX_NUMBER_LENGTH = 40
MAX_QUERY_LENGTH = 100
TRIGRAM = 3  # the shortest search a trigram index can serve


class LookupError_(ValueError):
    """A look-up parameter is malformed; the message names the parameter and the expected form."""

    def __init__(self, parameter: str, template: Any, params: dict[str, Any] | None = None) -> None:
        self.parameter = parameter
        self.template = template  # a lazy translation, rendered in whichever language is asked for
        self.params = params or {}
        super().__init__(self.english)

    @property
    def message(self) -> str:
        """In the active language."""
        return str(self.template) % self.params if self.params else str(self.template)

    @property
    def english(self) -> str:
        with override("en"):
            return self.message


@dataclass(frozen=True)
class PublicRecord:
    """What the register publishes about one filing number."""

    number: str
    status: str
    app_name: str
    kind: str
    unit: str
    province: str
    province_name: str
    filing_date: dt.date
    last_change: dt.datetime
    current_number: str | None  # the app's number now, when this one was replaced
    current_status: str | None
    shutdown_announced_on: dt.date | None = None  # the unit published its shutdown notice
    planned_offline_date: dt.date | None = None  # the day the notice says the app goes offline
    revoked_on: dt.date | None = None
    deregistered_on: dt.date | None = None
    # The procedure that earned the number: when the unit submitted it, when the province forwarded it,
    # and the working days from submission to filing (the one-number look-up fills them, not the list).
    submitted_on: dt.date | None = None
    forwarded_on: dt.date | None = None
    working_days_taken: int | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def explanation(self) -> str:
        if self.status == VALID and self.shutdown_announced_on is not None:
            return str(SHUTDOWN_EXPLANATION)
        return str(STATUS_EXPLANATIONS[self.status])

    @property
    def shutdown_announced(self) -> bool:
        """A valid number whose app is announced to shut down (the page warns, the QR code stays)."""
        return self.status == VALID and self.shutdown_announced_on is not None

    @property
    def badge_class(self) -> str:
        """The colour of the status (classes of static/govapp/app.css)."""
        return _BADGE_CLASSES[self.status]

    @property
    def is_valid(self) -> bool:
        return self.status == VALID

    @property
    def kind_label(self) -> str:
        return str(AppKind(self.kind).label) if self.kind in AppKind.values else self.kind

    @property
    def current_status_label(self) -> str:
        return str(STATUS_LABELS[self.current_status]) if self.current_status else ""


def _latest(*moments: dt.datetime | None) -> dt.datetime:
    return max(moment for moment in moments if moment is not None)


CENTRAL = "central"  # the province filter value for central (national-level) units


def province_label(code: str) -> str:
    """The province in the request's language; central units have none."""
    if not code:
        return str(_("Central"))
    province = BY_CODE.get(code)
    if province is None:
        return code
    return province.name if get_language() == "zh-hans" else province.name_en


def province_options() -> list[tuple[str, str]]:
    return [(CENTRAL, str(_("Central")))] + [(code, province_label(code)) for code in BY_CODE]


def _announcement_subquery(app_ref: str) -> Subquery:
    """The moment of the app's latest shutdown notice, for annotating a queryset (one query per page)."""
    events = FilingEvent.objects.filter(app=OuterRef(app_ref), action=EventAction.ANNOUNCE_SHUTDOWN)
    return Subquery(events.order_by("-at", "-pk").values("at")[:1])


def _shutdown_announced_at(app: App) -> dt.datetime | None:
    if app.state not in _SHUTDOWN_STATES:
        return None
    if hasattr(app, "shutdown_announced_at"):  # annotated by public_apps()
        announced: dt.datetime | None = app.shutdown_announced_at
        return announced
    return (
        FilingEvent.objects.filter(app=app, action=EventAction.ANNOUNCE_SHUTDOWN)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def record_for(number: FilingNumber) -> PublicRecord:
    """The public record of a number row (app, unit and filing selected by the caller)."""
    app = number.app
    is_current = app.current_number_id == number.pk
    announced_on = offline_on = revoked_on = deregistered_on = None
    if is_current:
        status = _RECORD_TO_PUBLIC[FilingNumber.Status(number.status)]
        # A change filing renames the app under the same number: the register shows the approved name.
        app_name, kind = app.name, app.kind
        last_change = _latest(number.issued_at, number.status_changed_at, app.changed_at)
        current_number = current_status = None
        announced = _shutdown_announced_at(app)
        if announced is not None:
            announced_on, offline_on = _local_date(announced), app.offline_date
        if status == REVOKED:
            revoked_on = _local_date(number.status_changed_at)
        elif status == DEREGISTERED:
            deregistered_on = _local_date(number.status_changed_at)
    else:
        status = SUPERSEDED
        app_name, kind = number.filing.app_name, number.filing.app_kind
        current = app.current_number
        assert current is not None  # a number that is not current was replaced by one that is
        last_change = _latest(number.issued_at, number.status_changed_at, current.issued_at)
        current_number = current.number
        current_status = _RECORD_TO_PUBLIC[FilingNumber.Status(current.status)]
    return PublicRecord(
        number=number.number,
        status=status,
        app_name=app_name,
        kind=kind,
        unit=app.unit.name,
        province=app.unit.province,
        province_name=province_label(app.unit.province),
        filing_date=timezone.localdate(number.issued_at),
        last_change=last_change,
        current_number=current_number,
        current_status=current_status,
        shutdown_announced_on=announced_on,
        planned_offline_date=offline_on,
        revoked_on=revoked_on,
        deregistered_on=deregistered_on,
    )


# What a public record reads (record_for), and nothing else: a filing row has about 110 columns with every
# material text, a public answer needs its app's name and kind only when the number was superseded.
_NUMBER_FIELDS = ("pk", "number", "status", "issued_at", "status_changed_at", "app_id", "filing_id")
_APP_FIELDS = ("app__name", "app__kind", "app__state", "app__current_number_id", "app__changed_at",
               "app__offline_date", "app__unit__name", "app__unit__province")  # fmt: skip
_CURRENT_NUMBER_FIELDS = ("number", "status", "issued_at", "status_changed_at", "app_id", "filing_id")


def lookup_number(raw: str) -> PublicRecord | None:
    """The public record of a filing number as typed or scanned; None when no number matches.

    Cached per number and language until the register changes (the version of ``register_changed``), at most
    ``GOVAPP_PUBLIC_CACHE_SECONDS``: app stores ask for the same numbers again and again.
    """
    number = normalise_number(raw)
    if not number or len(number) > MAX_NUMBER_LENGTH:
        return None
    digest = hashlib.sha256(f"{_register_version()}|{get_language()}|{number}".encode()).hexdigest()
    key = f"public:record:{digest}"
    cached = cache.get(key)
    if cached is not None:
        return cached if isinstance(cached, PublicRecord) else None
    record = _lookup(number)
    cache.set(key, record if record is not None else _NOT_FOUND, cache_seconds())
    return record


_NOT_FOUND = "-"  # cached answers for unknown numbers too: a scanner retrying a typo costs nothing


def _lookup(number: str) -> PublicRecord | None:
    row = (
        FilingNumber.objects.select_related("app__unit", "app__current_number", "filing")
        .only(*_NUMBER_FIELDS, *_APP_FIELDS, "filing__app_name", "filing__app_kind",
              *(f"app__current_number__{name}" for name in _CURRENT_NUMBER_FIELDS))
        .annotate(
            # One query for the whole answer: the first submission and forwarding of the procedure that earned
            # the number (a shutdown notice is read only for the few apps that announced one).
            submitted_at=_first_event_at(EventAction.SUBMIT), forwarded_at=_first_event_at(EventAction.FORWARD),
        )
        .filter(number=number)
        .first()
    )  # fmt: skip
    if row is None:
        return None
    return with_timeline(record_for(row), row)


def _first_event_at(action: str) -> Subquery:
    events = FilingEvent.objects.filter(filing_id=OuterRef("filing_id"), action=action)
    return Subquery(events.order_by("at", "pk").values("at")[:1])


def with_timeline(record: PublicRecord, number: FilingNumber) -> PublicRecord:
    """The record with the submitted / forwarded dates and the working days its procedure took (annotated by
    ``lookup_number``, else one query)."""
    moments: dict[str, dt.datetime] = {}
    if hasattr(number, "submitted_at"):  # annotated by lookup_number(): no query here
        annotated: Any = number
        for action, at in (
            (EventAction.SUBMIT, annotated.submitted_at),
            (EventAction.FORWARD, annotated.forwarded_at),
        ):
            if at is not None:
                moments[action] = at
    else:
        events = FilingEvent.objects.filter(
            filing_id=number.filing_id, action__in=[EventAction.SUBMIT, EventAction.FORWARD]
        ).order_by("at", "pk")
        for name, at in events.values_list("action", "at"):
            moments.setdefault(name, at)
    submitted = _local_date(moments.get(EventAction.SUBMIT))
    filed = timezone.localdate(number.issued_at)
    taken = None
    if submitted is not None:
        try:
            taken = workdays_between(submitted, filed)
        except CalendarGap:
            taken = None  # a year without the official calendar: no figure rather than a wrong one
    return dataclasses.replace(
        record,
        submitted_on=submitted,
        forwarded_on=_local_date(moments.get(EventAction.FORWARD)),
        working_days_taken=taken,
    )


# ----------------------------------------------------------------- the register (公示) list

_PACKAGE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")
_APPID_RE = re.compile(r"^[A-Za-z0-9_\-]{6,40}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

IDENTITY_PARAMETERS = ("package", "bundle", "appid", "cert_sha256")


def _identity_value(parameter: str, raw: str) -> str:
    value = normalise_text(raw)
    if parameter in ("package", "bundle"):
        if len(value) > 200 or not _PACKAGE_RE.match(value):
            raise LookupError_(
                parameter,
                gettext_lazy(
                    "Parameter “%(name)s” must be a package or bundle name such as cn.gov.example.app."
                ),
                {"name": parameter},
            )
        return value
    if parameter == "appid":
        if not _APPID_RE.match(value):
            raise LookupError_(
                parameter,
                gettext_lazy("Parameter “appid” must be a mini-program appid of 6 to 40 letters, digits, _ or -, "
                  "such as wx1234567890abcdef."),
            )  # fmt: skip
        return value
    hexdigits = value.replace(":", "").lower()
    if not _SHA256_RE.match(hexdigits):
        raise LookupError_(
            parameter,
            gettext_lazy("Parameter “cert_sha256” must be a SHA-256 fingerprint: 64 hexadecimal characters, "
              "optionally separated by colons in pairs."),
        )  # fmt: skip
    return hexdigits


def identity_filter(params: dict[str, str]) -> Q | None:
    """The app-store look-up condition from package / bundle / appid / cert_sha256 (all given must match)."""
    condition: Q | None = None
    for parameter in IDENTITY_PARAMETERS:
        raw = params.get(parameter)
        if raw is None:
            continue
        value = _identity_value(parameter, raw)
        if parameter == "package":
            clause = Q(android_package=value) | Q(quickapp_package=value)
        elif parameter == "bundle":
            clause = Q(harmony_bundle=value) | Q(ios_bundle=value)
        elif parameter == "appid":
            clause = Q(miniprogram_appid=value)
        else:
            clause = Q(android_cert_sha256=value)
        condition = clause if condition is None else condition & clause
    return condition


def _checked_choice(parameter: str, value: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise LookupError_(
            parameter,
            gettext_lazy("Parameter “%(name)s” must be one of: %(allowed)s."),
            {"name": parameter, "allowed": ", ".join(allowed)},
        )
    return value


def public_apps(
    *,
    q: str = "",
    province: str = "",
    kind: str = "",
    status: str = "",
    identity: dict[str, str] | None = None,
) -> QuerySet[App]:
    """Apps of the public register (they hold or held a number), filtered; newest filing first.

    Raises LookupError_ naming the parameter when a filter value is malformed.
    """
    apps = (
        App.objects.publicly_listed()
        .select_related("unit", "current_number")
        .only("pk", "name", "kind", "state", "current_number_id", "changed_at", "offline_date", "filed_at",
              "unit__name", "unit__province", *(f"current_number__{name}" for name in _CURRENT_NUMBER_FIELDS))
        .annotate(shutdown_announced_at=_announcement_subquery("pk"))
    )  # fmt: skip
    if identity:
        condition = identity_filter(identity)
        if condition is not None:
            apps = apps.filter(condition)
    text = normalise_text(q)
    if len(text) > MAX_QUERY_LENGTH:
        raise LookupError_(
            "q", gettext_lazy("Parameter “q” must be at most %(max)d characters."), {"max": MAX_QUERY_LENGTH}
        )
    if len(text) >= TRIGRAM:
        apps = apps.filter(pk__in=_search_ids(text))
    elif text:
        # One or two characters hold no trigram: no index can narrow them, so the register is read in its order
        # (app_register_order) and filtered, which stops at the first page when matches are common.
        matching = FilingNumber.objects.filter(number__icontains=text.upper()).values("app_id")
        apps = apps.filter(Q(name__icontains=text) | Q(unit__name__icontains=text) | Q(pk__in=matching))
    if province:
        code = _checked_choice("province", province, [CENTRAL, *BY_CODE])
        apps = apps.filter(unit__province="" if code == CENTRAL else code)
    if kind:
        apps = apps.filter(kind=_checked_choice("kind", kind, AppKind.values))
    if status:
        apps = apps.filter(
            current_number__status=_PUBLIC_TO_RECORD[_checked_choice("status", status, LIST_STATUSES)]
        )
    return apps.order_by("-filed_at", "-pk")


def _search_ids(text: str) -> QuerySet[App, Any]:
    """The ids of the apps whose name, unit name or any number they ever held contains ``text``.

    One subquery per table, each on its own trigram index on PostgreSQL (registry migration `register_order_and_search_indexes`), joined by
    UNION: an OR across the joined tables would make the planner scan the apps instead. Every number the app
    ever held finds it, so an old number leads to the current entry.
    """
    by_name = App.objects.filter(name__icontains=text).order_by().values("pk")
    by_unit = App.objects.filter(unit__in=Unit.objects.filter(name__icontains=text)).order_by().values("pk")
    by_number = FilingNumber.objects.filter(number__icontains=text.upper()).order_by().values("app_id")
    return by_name.union(by_unit, by_number)


# ----------------------------------------------------------------- the register's count

# The number of apps a register query matches, cached until the register changes: an exact COUNT over every
# listed app on each page was most of a page's time at national size. The version below changes whenever an
# app, a filing number or a unit is saved (public/apps.py); the TTL bounds what a process can miss when its
# cache is not shared with the process that wrote (the embedded default's local memory cache and its worker).
REGISTER_VERSION_KEY = "public:register:version"


def cache_seconds() -> int:
    """settings.GOVAPP_PUBLIC_CACHE_SECONDS: the longest a cached answer may be served; 0 turns the cache off."""
    return max(0, int(settings.GOVAPP_PUBLIC_CACHE_SECONDS))


def register_changed() -> None:
    """Forget every cached count of the register (a new version; old entries expire on their own)."""
    cache.set(REGISTER_VERSION_KEY, uuid.uuid4().hex, None)


def _register_version() -> str:
    version = cache.get(REGISTER_VERSION_KEY)
    if version is None:
        cache.add(REGISTER_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(REGISTER_VERSION_KEY, "")
    return str(version)


def _register_key(kind: str, *parts: Any) -> str:
    blob = json.dumps([_register_version(), *parts], sort_keys=True, ensure_ascii=False, default=str)
    return f"public:register:{kind}:" + hashlib.sha256(blob.encode()).hexdigest()


def register_count(apps: QuerySet[App], filters: dict[str, Any]) -> int:
    """``apps.count()`` for the register query described by ``filters``, cached (see above)."""
    key = _register_key("count", filters)
    count = cache.get(key)
    if count is None:
        count = apps.count()
        cache.set(key, count, cache_seconds())
    return int(count)


class RegisterPaginator(Paginator):
    """A paginator whose total is the register's cached count instead of a COUNT on every page."""

    def __init__(self, apps: QuerySet[App], per_page: int, *, filters: dict[str, Any]) -> None:
        super().__init__(apps, per_page)
        self._apps = apps
        self._filters = filters

    @cached_property
    def count(self) -> int:
        return register_count(self._apps, self._filters)


def page_records(page: Page[App], filters: dict[str, Any]) -> list[PublicRecord]:
    """The register lines of one page (``list_record`` of each app), cached like the count."""
    key = _register_key("page", get_language(), filters, page.number, page.paginator.per_page)
    records = cache.get(key)
    if records is None:
        records = [list_record(app) for app in page.object_list]
        cache.set(key, records, cache_seconds())
    return list(records)


def list_record(app: App) -> PublicRecord:
    """The register line of an app: the record of its current number."""
    number = app.current_number
    assert number is not None  # publicly_listed() guarantees it
    number.app = app
    return record_for(number)

"""Every app the system knows, as index documents: filed and in-review apps with their current filing
and latest scan, legacy apps not yet in the register, and unfiled apps named in complaints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from govapp.complaints.models import Complaint
from govapp.inspection.models import Scan
from govapp.registry.choices import FilingState
from govapp.registry.models import App, Filing
from govapp.supervision.legacy.models import LegacyApp

from .index import AppDocument
from .text import normalise

# A filing in one of these states says nothing about an app (never submitted, or given up).
_NOT_SUBMITTED = (FilingState.DRAFT, FilingState.WITHDRAWN, FilingState.ABANDONED)


def app_key(app_id: int) -> str:
    return f"app:{app_id}"


def _fingerprints(report: dict[str, Any]) -> dict[str, frozenset[str]]:
    """SDKs, endpoint domains, page names and formalism categories of one scan report."""
    sdks = {str(s.get("id") or s.get("name") or "") for s in report.get("sdks") or [] if isinstance(s, dict)}
    domains = {str(e.get("host") or "") for e in report.get("endpoints") or [] if isinstance(e, dict)}
    package: dict[str, Any] = report["package"] if isinstance(report.get("package"), dict) else {}
    routes = {str(p) for p in (package.get("pages") or package.get("routes") or []) if p}
    categories = {
        str(f.get("category") or "")
        for f in report.get("findings") or []
        if isinstance(f, dict) and f.get("status") == "violation"
    }
    return {k: frozenset(v - {""}) for k, v in
            (("sdks", sdks), ("domains", domains), ("routes", routes), ("categories", categories))}  # fmt: skip


def current_filing(app: App) -> Filing | None:
    """The filing that describes the app now: the one under review, else the approved one."""
    filings = sorted(app.filings.all(), key=lambda f: (f.created_at, f.pk), reverse=True)
    for filing in filings:
        if filing.state not in _NOT_SUBMITTED and filing.state != FilingState.FILED:
            return filing
    if app.approved_filing_id:
        return next((f for f in filings if f.pk == app.approved_filing_id), None)
    return next((f for f in filings if f.state == FilingState.FILED), None)


def app_document(app: App) -> AppDocument | None:
    """The app as the index sees it, or None when it was never submitted or is deregistered."""
    if app.state == App.State.DEREGISTERED:
        return None
    filing = current_filing(app)
    if filing is None:
        return None
    scan = Scan.objects.filter(filing__app=app, report__isnull=False).order_by("-id").only("report").first()
    fingerprints = _fingerprints(scan.report_data) if scan else {}
    return AppDocument(
        key=app_key(app.pk),
        name=filing.app_name or app.name,
        functions="\n".join(x for x in (filing.main_functions, filing.grassroots_functions) if x),
        kind=filing.app_kind or app.kind,
        province=app.unit.province,
        level=app.unit.level,
        unit=app.unit.name,
        state=app.state if app.current_number_id else filing.state,
        unit_id=app.unit_id,
        public=app.current_number_id is not None,
        **fingerprints,
    )


def legacy_document(legacy: LegacyApp) -> AppDocument | None:
    if legacy.app_id:
        return None  # the register's own document describes it
    return AppDocument(
        key=f"legacy:{legacy.pk}",
        name=legacy.name,
        kind=legacy.kind,
        province=legacy.unit.province,
        level=legacy.unit.level,
        unit=legacy.unit.name,
        state="legacy",
        unit_id=legacy.unit_id,
    )


def unfiled_key(province: str, name: str) -> str:
    return f"unfiled:{province}:{normalise(name)}"


def unfiled_document(province: str, name: str, descriptions: list[str]) -> AppDocument:
    """An app the public reported in use without filing: the complaints' words are all we know of it."""
    return AppDocument(
        key=unfiled_key(province, name),
        name=name,
        functions="\n".join(descriptions)[:2000],
        province=province,
        state="unfiled",
    )


def _apps() -> Iterator[App]:
    return (
        App.objects.exclude(state=App.State.DEREGISTERED)
        .select_related("unit")
        .prefetch_related("filings")
        .iterator(chunk_size=500)
    )


def unfiled_documents(province: str | None = None, name: str | None = None) -> Iterator[AppDocument]:
    complaints = Complaint.objects.filter(unfiled=True, app__isnull=True).exclude(app_name="")
    if province is not None:
        complaints = complaints.filter(province=province)
    grouped: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for complaint in complaints.only("province", "app_name", "description").order_by("id"):
        key = (complaint.province, normalise(complaint.app_name))
        if name is not None and key[1] != normalise(name):
            continue
        entry = grouped.setdefault(key, (complaint.app_name, []))
        entry[1].append(complaint.description[:300])
    for (prov, _norm), (shown, descriptions) in grouped.items():
        yield unfiled_document(prov, shown, descriptions)


def all_documents() -> Iterator[AppDocument]:
    for app in _apps():
        doc = app_document(app)
        if doc is not None:
            yield doc
    for legacy in LegacyApp.objects.filter(app__isnull=True).select_related("unit").iterator(chunk_size=500):
        legacy_doc = legacy_document(legacy)
        if legacy_doc is not None:
            yield legacy_doc
    yield from unfiled_documents()

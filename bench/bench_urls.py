"""The project's URLs plus the bare Django view the public API is measured against (bench/public_api.py).

The bare view gives the JSON document of GET /api/v1/public/filings/{number} (the same keys and values) from one
indexed query of just the columns it needs, with nothing of ninja, schemas or the register's query layer. It is
mounted under the stateless prefix, so both go through the same middleware on the same server.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import include, path, reverse
from django.utils import timezone

from govapp.public import queries
from govapp.registry.choices import AppKind
from govapp.registry.models import App, FilingNumber

_STATUS = {"active": "valid", "revoked": "revoked", "deregistered": "deregistered"}


_COLUMNS = ("number", "status", "issued_at", "status_changed_at", "app__name", "app__kind", "app__changed_at",
            "app__unit__name", "app__unit__province")  # fmt: skip


def _record(request: HttpRequest, row: dict[str, Any]) -> dict[str, Any]:
    """The public record's JSON of a current number, from one row of ``_COLUMNS``."""
    status = _STATUS.get(row["status"], "superseded")
    moments = [m for m in (row["issued_at"], row["status_changed_at"], row["app__changed_at"]) if m]
    return {
        "number": row["number"], "status": status, "status_label": str(queries.STATUS_LABELS[status]),
        "explanation": str(queries.STATUS_EXPLANATIONS[status]), "valid": status == "valid",
        "app_name": row["app__name"], "kind": row["app__kind"], "kind_label": str(AppKind(row["app__kind"]).label),
        "unit": row["app__unit__name"], "province": row["app__unit__province"],
        "province_name": queries.province_label(row["app__unit__province"]),
        "filing_date": timezone.localdate(row["issued_at"]).isoformat(), "last_change": max(moments).isoformat(),
        "current_number": None, "current_status": None,
        "verify_url": request.build_absolute_uri(reverse("public:verify", args=[row["number"]])),
        "shutdown_announced_on": None, "planned_offline_date": None, "revoked_on": None, "deregistered_on": None,
        "submitted_on": None, "forwarded_on": None, "working_days_taken": None,
    }  # fmt: skip


def bare_verify(request: HttpRequest, number: str) -> JsonResponse:
    row = FilingNumber.objects.filter(number=number).values(*_COLUMNS).first()
    if row is None:
        return JsonResponse({"detail": "not found"}, status=404)
    return JsonResponse(_record(request, row), json_dumps_params={"ensure_ascii": False})


def bare_package(request: HttpRequest) -> JsonResponse:
    """The app-store look-up (apps carrying an Android package, with their current number) from one query."""
    package = request.GET.get("package", "")
    apps = App.objects.filter(android_package=package, current_number__isnull=False).order_by(
        "-filed_at", "-pk"
    )
    rows = [
        {
            name: row[f"current_number__{name}" if not name.startswith("app__") else name[5:]]
            for name in _COLUMNS
        }
        for row in apps.values(
            *(f"current_number__{name}" for name in _COLUMNS if not name.startswith("app__")),
            *(name[5:] for name in _COLUMNS if name.startswith("app__")),
        )[:20]
    ]
    results = [_record(request, row) for row in rows]
    return JsonResponse({"count": len(results), "page": 1, "page_size": 20, "next": None, "previous": None,
                         "results": results}, json_dumps_params={"ensure_ascii": False})  # fmt: skip


urlpatterns = [
    path("api/v1/public/_bare/filings/<str:number>", bare_verify),
    path("api/v1/public/_bare/filings", bare_package),
    path("", include("govapp.urls")),
]

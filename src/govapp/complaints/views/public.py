"""Public complaint pages: send a complaint (no login), see the receipt, track it by receipt code.

The tracking page shows status, dates and the outcome only: never the description, the contact, the
app's unit's view or any internal note, whoever asks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from govapp.core.ratelimit import RateLimited, check_rate

from .. import limits, services
from ..forms import ComplaintWebForm, TrackForm
from ..models import Complaint
from ..receipts import normalise_receipt
from ..uploads import MAX_REQUEST_BYTES

SESSION_RECEIPT = "complaints:last_receipt"


def _too_many(request: HttpRequest, exc: RateLimited, *, template: str = "errors/429.html") -> HttpResponse:
    response = render(request, template, {"retry_after": exc.retry_after}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The shared public budget of an address, and a friendly 429 for any of our limits."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            check_rate(request)
            return view(request, *args, **kwargs)
        except RateLimited as exc:
            return _too_many(request, exc)

    return wrapper


@csrf_protect
def _new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            limits.check_submit(request, consume=False)
        except RateLimited as exc:
            return _too_many(request, exc, template="complaints/429.html")
        form = ComplaintWebForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                limits.check_submit(request, consume=True)
            except RateLimited as exc:
                return _too_many(request, exc, template="complaints/429.html")
            complaint = form.submit()
            request.session[SESSION_RECEIPT] = complaint.receipt
            return redirect("complaints:submitted")
        return render(request, "complaints/new.html", {"form": form}, status=400)
    return render(request, "complaints/new.html", {"form": ComplaintWebForm()})


@csrf_exempt  # the size check runs first; _new then checks the CSRF token itself
@require_http_methods(["GET", "POST"])
@limited
def new(request: HttpRequest) -> HttpResponse:
    """The complaint form. Oversized requests are refused from Content-Length, before the body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if request.method == "POST" and length > MAX_REQUEST_BYTES:
        return render(
            request, "complaints/too_large.html", {"limit_mb": MAX_REQUEST_BYTES // 1024 // 1024}, status=413
        )
    return _new(request)


@never_cache
@require_GET
@limited
def submitted(request: HttpRequest) -> HttpResponse:
    # Shown once: the code is a secret of the complainant's and the system keeps only its hash.
    receipt = request.session.pop(SESSION_RECEIPT, None)
    if not receipt:
        return redirect("complaints:new")
    return render(
        request,
        "complaints/submitted.html",
        {
            "receipt": receipt,
            "track_url": request.build_absolute_uri(reverse("complaints:status", args=[receipt])),
        },
    )


@require_GET
@limited
def track(request: HttpRequest) -> HttpResponse:
    """The look-up form; with ?receipt= it goes to that receipt's status page."""
    if "receipt" not in request.GET:
        return render(request, "complaints/track.html", {"form": TrackForm()})
    form = TrackForm(request.GET)
    if form.is_valid():
        receipt = normalise_receipt(form.cleaned_data["receipt"])
        if receipt is not None:
            return redirect("complaints:status", receipt=receipt)
        form.add_error("receipt", _malformed_message())
    return render(request, "complaints/track.html", {"form": form}, status=400)


def _malformed_message() -> str:
    return _(
        "This is not a receipt code: it looks like TS-7KQ2-M9XD-4HRP (letters and digits, without 0, O, 1 or I)."
    )


@never_cache
@require_GET
@limited
def status(request: HttpRequest, receipt: str) -> HttpResponse:
    try:
        limits.check_lookup(request)
    except RateLimited as exc:
        return _too_many(request, exc)
    complaint = services.find_by_receipt(receipt)
    if complaint is None:
        malformed = normalise_receipt(receipt) is None
        context = {"form": TrackForm(initial={"receipt": receipt[:40]}), "malformed": malformed}
        return render(request, "complaints/not_found.html", context, status=404)
    return render(
        request,
        "complaints/status.html",
        {"c": public_view(complaint, receipt=normalise_receipt(receipt) or "")},
    )


def public_view(complaint: Complaint, *, receipt: str) -> dict[str, Any]:
    """Everything the complainant may see — and nothing else (the template gets only this). ``receipt``
    is the code the complainant gave: the system keeps only its hash."""
    return {
        "receipt": receipt,
        "status": complaint.status,
        "status_label": complaint.get_status_display(),
        "received_at": complaint.received_at,
        "due": complaint.due,
        "closed_at": complaint.closed_at,
        "outcome": complaint.outcome if not complaint.is_open else "",
    }

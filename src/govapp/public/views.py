"""Public pages: verify a filing number, browse the register (公示). No login, Chinese by default."""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.encoding import uri_to_iri
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from govapp.certificates.messages import STATUS_IS_ONLINE
from govapp.certificates.services import current_certificate
from govapp.core.ratelimit import rate_limited_page
from govapp.registry.choices import AppKind

from . import queries

PAGE_SIZE = 20
EXAMPLE_NUMBERS = ("浙政备2026000001A", "国政备2026000012X")


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=_("Filing number"),
        max_length=queries.MAX_NUMBER_LENGTH + 20,  # room for spaces that normalisation removes
        help_text=_(
            "As shown in the app, e.g. 浙政备2026000001A. Full-width characters and spaces are accepted."
        ),
        error_messages={
            "required": _("Enter the filing number shown in the app."),
            "max_length": _("A filing number has at most 40 characters; check what you typed."),
        },
    )


class RegisterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=queries.MAX_QUERY_LENGTH,
        help_text=_("App name, sponsoring unit or filing number."),
        error_messages={"max_length": _("Search with at most 100 characters.")},
    )
    province = forms.ChoiceField(label=_("Province"), required=False)
    kind = forms.ChoiceField(label=_("App kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        province, kind, status = self.fields["province"], self.fields["kind"], self.fields["status"]
        assert isinstance(province, forms.ChoiceField)
        assert isinstance(kind, forms.ChoiceField)
        assert isinstance(status, forms.ChoiceField)
        province.choices = [*everything, *queries.province_options()]
        kind.choices = [*everything, *AppKind.choices]
        status.choices = [*everything, *((s, queries.STATUS_LABELS[s]) for s in queries.LIST_STATUSES)]


def verify_url(request: HttpRequest, number: str) -> str:
    """The address of a number's verification page."""
    return request.build_absolute_uri(reverse("public:verify", args=[number]))


def qr_text(url: str, certificate: str | None) -> str:
    """What the QR code encodes: the address, and the signed certificate in its fragment.

    Phone scanners open the address (the fragment never reaches the server); an app store or an
    inspector reads the certificate after ``#`` and verifies it offline (docs/certificate.md).
    """
    return f"{url}#{certificate}" if certificate else url


@require_safe
@rate_limited_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html", {"form": VerifyForm(), "examples": EXAMPLE_NUMBERS})


def _card(request: HttpRequest, raw: str) -> HttpResponse:
    record = queries.lookup_number(raw)
    if record is None:
        context = {
            "number": raw.strip(),
            "normalised": queries.normalise_number(raw),
            "form": VerifyForm(initial={"number": raw.strip()}),
        }
        return render(request, "public/not_found.html", context, status=404)
    url = verify_url(request, record.number)
    certificate = current_certificate(record.number)
    qr_svg = ""
    if record.is_valid:
        qr = segno.make(qr_text(url, certificate.text if certificate else None), error="m")
        qr_svg = mark_safe(qr.svg_inline(scale=3, dark="#1f2329", light="#ffffff"))
    context = {
        "record": record,
        "verify_url": url,
        "verify_url_display": uri_to_iri(url),
        "certificate": certificate,
        "certificate_statement": STATUS_IS_ONLINE,
        # Units print or show this QR code in the app; it is drawn here from our own URL and our own
        # signed certificate only, and only while the number is valid: a revoked, deregistered or
        # replaced number is not for display. Scale 3 keeps a certificate-sized symbol near 300 px.
        "qr_svg": qr_svg,
        "current_url": verify_url(request, record.current_number) if record.current_number else "",
    }
    return render(request, "public/verify.html", context)


@require_safe
@rate_limited_page
def verify(request: HttpRequest, number: str | None = None) -> HttpResponse:
    """/verify/<number>/ (what QR codes encode) or /verify/?number=… (the form)."""
    if number is not None:
        return _card(request, number)
    if "number" not in request.GET:
        return render(request, "public/home.html", {"form": VerifyForm(), "examples": EXAMPLE_NUMBERS})
    form = VerifyForm(request.GET)
    if not form.is_valid() or not queries.normalise_number(form.cleaned_data["number"]):
        if form.is_valid():
            form.add_error("number", _("Enter the filing number shown in the app."))
        return render(request, "public/home.html", {"form": form, "examples": EXAMPLE_NUMBERS}, status=400)
    return _card(request, form.cleaned_data["number"])


@require_safe
@rate_limited_page
def register(request: HttpRequest) -> HttpResponse:
    """The public register (公示): every app that holds or held a filing number."""
    form = RegisterFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "public/register.html", {"form": form, "page": None}, status=400)
    cleaned = form.cleaned_data if request.GET else {}
    filters = {name: cleaned.get(name, "") for name in ("q", "province", "kind", "status")}
    apps = queries.public_apps(**filters)
    page = queries.RegisterPaginator(apps, PAGE_SIZE, filters=filters).get_page(request.GET.get("page"))
    records = queries.page_records(page, filters)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "records": records, "query": query.urlencode()}
    return render(request, "public/register.html", context)

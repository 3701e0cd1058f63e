"""The complaints API (STABLE shape, architecture.md): POST /api/v1/public/complaints, GET …/{receipt}.

Validation is the public form's (ComplaintForm), so both channels accept and refuse the same things.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy, override
from ninja import Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import Field, StrictBool, field_validator

from govapp.accounts.divisions import PROVINCES
from govapp.complaints import limits, services
from govapp.complaints.choices import ComplaintCategory
from govapp.complaints.forms import ComplaintForm
from govapp.complaints.receipts import normalise_receipt
from govapp.core.ratelimit import check_rate

from .public import ApiError
from .schemas import ErrorOut

router = Router(tags=["complaints"])

UNSUPPORTED_MEDIA_TYPE = gettext_lazy(
    "Send the complaint as JSON, with the header Content-Type: application/json."
)


def json_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """415 for any body that is not declared JSON, before it is parsed: a cross-site form can send
    text/plain without a preflight, a page's script cannot send application/json without one."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.content_type != "application/json":
            with override("en"):
                detail = str(UNSUPPORTED_MEDIA_TYPE)
            body = {"detail": detail, "message": str(UNSUPPORTED_MEDIA_TYPE), "parameter": "Content-Type"}
            return JsonResponse(body, status=415)
        return view(request, *args, **kwargs)

    return wrapper


class ContactIn(Schema):
    name: str = Field(default="", max_length=200, description="The complainant's name.")
    phone: str = Field(default="", max_length=200, description="Telephone, 7 to 20 digits.")
    email: str = Field(default="", max_length=300, description="E-mail address.")


_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")


def _short_name(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name.removesuffix(suffix)
    return name


_PROVINCE_LOOKUP: dict[str, str] = {
    key: p.code for p in PROVINCES for key in (p.code, p.name, _short_name(p.name), p.name_en.casefold())
}


def province_code(value: str) -> str:
    """The GB/T 2260 code of a province given by code, name (浙江省, 浙江) or English name; else unchanged."""
    text = value.strip()
    return _PROVINCE_LOOKUP.get(text) or _PROVINCE_LOOKUP.get(text.casefold()) or text


_PROVINCE_DESCRIPTION = (
    "Optional: the province where the app is used (routes complaints about apps not in the register). "
    "Either the 2-digit GB/T 2260 code or the province's name in Chinese (浙江省 or 浙江) or English "
    "(Zhejiang). Codes: " + "; ".join(f"{p.code} {p.name} ({p.name_en})" for p in PROVINCES) + "."
)


class ComplaintIn(Schema):
    """A complaint: name the app (app_name and/or filing_number), say what it forces and what happened."""

    app_name: str | None = Field(None, description="The app's name as shown on the phone.")
    filing_number: str | None = Field(None, description="The filing number the app shows, if any.")
    category: str = Field(description="One of: " + ", ".join(ComplaintCategory.values) + ".")
    description: str = Field(description="What happened: 10 to 5000 characters.")
    # Strict: "yes", "no", 1 or "true" are refused (422) rather than guessed at.
    anonymous: StrictBool | None = Field(
        None,
        description="JSON true or false (strings and numbers are refused). Default: true without a contact. "
        "When false, contact.name and a phone or e-mail.",
    )
    contact: ContactIn | None = Field(None, description="Only used when anonymous is false.")
    province: str | None = Field(None, description=_PROVINCE_DESCRIPTION)

    @field_validator("province", mode="before")
    @classmethod
    def _province_code(cls, value: object) -> object:
        return province_code(value) if isinstance(value, str) else value


class ReceiptOut(Schema):
    receipt: str = Field(description="Keep this code: it is the only way to follow the complaint.")


class ComplaintStatusOut(Schema):
    """The status of a complaint: nothing of its content, its complainant or its handling notes."""

    receipt: str
    status: Literal["received", "assigned", "in_handling", "closed", "rejected"]
    status_label: str = Field(description="The status in the language of the request.")
    received_at: dt.datetime
    due: dt.date = Field(description="Handling is due by this date (working days, settings COMPLAINT).")
    closed_at: dt.datetime | None
    outcome: str | None = Field(description="The published outcome once closed or rejected; otherwise null.")


_LOCATIONS = {"contact_name": ("contact", "name"), "contact_phone": ("contact", "phone"),
              "contact_email": ("contact", "email")}  # fmt: skip


def _message(error: DjangoValidationError) -> Promise:
    """The error in whatever language is active when it is rendered (English `detail`, local `message`)."""

    def render() -> str:
        text = str(error.message)
        return text % error.params if error.params else text

    # django-stubs types lazy(f) as f itself, so the call's result looks like a str, not a Promise.
    return lazy(render, str)()  # type: ignore[return-value]


def _field_errors(form: ComplaintForm) -> list[dict[str, Any]]:
    errors = []
    for name, items in form.errors.as_data().items():
        location = _LOCATIONS.get(name, (name,))
        for item in items:
            errors.append({"loc": ["body", *location], "msg": _message(item), "type": item.code or "invalid"})
    return errors


def _invalid(form: ComplaintForm) -> dict[str, Any]:
    """422 body: the first problem as one sentence (English `detail`, local `message`), all under `errors`."""
    errors = _field_errors(form)
    first = errors[0]
    with override("en"):
        detail = str(first["msg"])
    return {
        "detail": detail,
        "message": str(first["msg"]),
        "parameter": ".".join(first["loc"][1:]),
        "errors": [{**error, "msg": str(error["msg"])} for error in errors],
    }


@router.post(
    "",
    response={201: ReceiptOut, 415: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Send a complaint",
    operation_id="public_complaint_create",
)
@decorate_view(json_only)
def complaint_create(request: HttpRequest, payload: ComplaintIn) -> Status[Any]:
    """Complain (optionally anonymously) about forced use of a government app; answers the receipt code.

    Limited to a few complaints per address per hour (429 with Retry-After).
    """
    check_rate(request)
    limits.check_submit(request, consume=False)
    contact = payload.contact or ContactIn()
    anonymous = payload.anonymous if payload.anonymous is not None else payload.contact is None
    form = ComplaintForm(
        {
            "app_name": payload.app_name or "",
            "filing_number": payload.filing_number or "",
            "province": payload.province or "",
            "category": payload.category,
            "description": payload.description,
            "anonymous": anonymous,
            "contact_name": contact.name,
            "contact_phone": contact.phone,
            "contact_email": contact.email,
        }
    )
    if not form.is_valid():
        return Status(422, _invalid(form))
    limits.check_submit(request, consume=True)
    complaint = form.submit()
    return Status(201, ReceiptOut(receipt=complaint.receipt))


@router.get(
    "/{receipt}",
    response={200: ComplaintStatusOut, 404: ErrorOut, 429: ErrorOut},
    summary="Follow a complaint",
    operation_id="public_complaint_status",
)
def complaint_status(request: HttpRequest, receipt: str) -> ComplaintStatusOut:
    """Status, dates and outcome of the complaint with this receipt code (any case; dashes optional)."""
    check_rate(request)
    limits.check_lookup(request)
    complaint = services.find_by_receipt(receipt)
    if complaint is None:
        raise ApiError(
            404,
            gettext_lazy(
                "There is no complaint with receipt code %(receipt)s. Check each character; codes look like "
                "TS-7KQ2-M9XD-4HRP and never contain 0, O, 1 or I."
            ),
            {"receipt": receipt.strip()[:40]},
            parameter="receipt",
        )
    return ComplaintStatusOut(
        receipt=normalise_receipt(receipt) or receipt.strip(),
        status=complaint.status,
        status_label=complaint.get_status_display(),
        received_at=complaint.received_at,
        due=complaint.due,
        closed_at=complaint.closed_at,
        outcome=None if complaint.is_open else complaint.outcome,
    )

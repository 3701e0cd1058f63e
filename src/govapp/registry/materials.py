"""Completeness of filing materials (regulation §4): what is missing, field by field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Field
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .choices import AppKind, AttachmentKind, FormalismCategory, Platform, ProcedureKind
from .models import Filing
from .steps import CHANGE_FIELDS, MATERIAL_FIELDS, REQUIRED_FIELDS

# Items of a deficiency list that are no field of a filing: its documents, and "anything else".
ATTACHMENTS = "attachments"
OTHER = "other"


# Materials every filing needs, grouped as in the national filing guide.
@dataclass(frozen=True)
class Deficiency:
    """One item of a deficiency list: which field, and what the unit must do."""

    field: str
    label: str | Promise
    message: str


@dataclass(frozen=True)
class MaterialCheck:
    """A completeness rule that a context above the registry adds (the inspection app: a package per
    declared platform), registered from its ``AppConfig.ready()`` with ``register_material_check``.

    Its gaps are items of the deficiency list under ``field``; ``link`` is where the filer fixes them.
    """

    field: str
    label: str | Promise
    missing: Callable[[Filing], list[Deficiency]]
    link: Callable[[Filing], str]


# Filled by contexts above the registry; the registry never imports them.
MATERIAL_CHECKS: list[MaterialCheck] = []


def register_material_check(check: MaterialCheck) -> None:
    """Add ``check`` to every completeness check (submission, completeness review, supplement)."""
    if all(existing.field != check.field for existing in MATERIAL_CHECKS):
        MATERIAL_CHECKS.append(check)


def material_check_for(field: str) -> MaterialCheck | None:
    """The registered check whose gaps are filed under ``field``, if any."""
    return next((check for check in MATERIAL_CHECKS if check.field == field), None)


def filing_field_label(name: str) -> str:
    """The verbose name of a field of a filing, in the active language."""
    field = Filing._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{name!r} is a relation to filings, not a field of one")
    return str(field.verbose_name)


def deficiency_item_choices() -> list[tuple[str, str]]:
    """Every item a deficiency list may name, with its label in the active language: the material and
    change fields, the documents, the items of the registered material checks, and "other"."""
    names = [
        *MATERIAL_FIELDS,
        *CHANGE_FIELDS,
        ATTACHMENTS,
        *(check.field for check in MATERIAL_CHECKS),
        OTHER,
    ]
    return [(name, item_label(name)) for name in names]


def item_label(field: str, recorded: str = "") -> str:
    """The label of a deficiency item in the reader's language. A material check's item keeps the label
    recorded with it (it names the platform); a name that is no item shows as recorded, or as written."""
    if field == ATTACHMENTS:
        return str(_("Documents (attachments)"))
    if field == OTHER:
        return str(_("Other"))
    if field in MATERIAL_FIELDS or field in CHANGE_FIELDS:
        return filing_field_label(field)
    check = material_check_for(field)
    if check is not None:
        return recorded or str(check.label)
    return recorded or field[:60]


def missing_materials(filing: Filing) -> list[Deficiency]:
    """Every gap that makes a filing incomplete, in form order; empty when it can be submitted."""
    items: list[Deficiency] = []

    def need(name: str, message: str) -> None:
        items.append(Deficiency(name, filing_field_label(name), message))

    for name in REQUIRED_FIELDS:
        value = getattr(filing, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            need(name, _("Required: fill in “%(field)s”.") % {"field": filing_field_label(name)})
    if not filing.platforms:
        need("platforms", _("Choose at least one platform the app runs on."))
    kind = filing.app_kind
    # An app offered only as an H5 web app has no store identifier; every native build has one.
    web_only = bool(filing.platforms) and set(filing.platforms) <= {Platform.H5}
    if (
        kind == AppKind.APP
        and not web_only
        and not (filing.android_package or filing.harmony_bundle or filing.ios_bundle)
    ):
        need(
            "android_package",
            _(
                "A native app needs at least one identifier: Android package, HarmonyOS bundle "
                "or iOS bundle ID."
            ),
        )
    if filing.android_package and not filing.android_cert_sha256:
        need(
            "android_cert_sha256",
            _(
                "Give the SHA-256 of the Android signing certificate, so that app stores "
                "can verify the package."
            ),
        )
    if kind == AppKind.MINI_PROGRAM and not filing.miniprogram_appid:
        need("miniprogram_appid", _("A mini-program needs its appid."))
    if kind == AppKind.QUICK_APP and not filing.quickapp_package:
        need("quickapp_package", _("A quick app needs its package name."))
    if filing.special_scenario:
        if not filing.special_scenario_justification.strip():
            need(
                "special_scenario_justification",
                _("Explain which security or emergency rule requires the declared features."),
            )
        if not filing.declared_categories:
            need("declared_categories", _("Tick the features the special scenario requires."))
    if filing.declared_categories:
        unknown = set(filing.declared_categories) - set(FormalismCategory.values)
        if unknown:
            need(
                "declared_categories",
                _("Unknown feature(s): %(list)s.") % {"list": ", ".join(sorted(unknown))},
            )
        if not filing.special_scenario:
            need(
                "special_scenario",
                _(
                    "Declared features are allowed only under a security or emergency "
                    "scenario: choose the scenario."
                ),
            )
        if FormalismCategory.CHECKIN in filing.declared_categories and not filing.checkin_functions.strip():
            need(
                "checkin_functions", _("Explain the check-in function separately, with its reason and basis.")
            )
    if filing.app_id and filing.app.unit.is_below_county and not filing.below_county_justification.strip():
        need(
            "below_county_justification",
            _(
                "Units below county level should not build government apps in principle: explain why this "
                "app is needed."
            ),
        )
    if not filing.commitment_confirmed:
        need("commitment_confirmed", _("Confirm that the materials are true and complete."))
    if (
        filing.pk
        and not filing.attachments.filter(kind=AttachmentKind.COMMITMENT, withdrawn_at=None).exists()
    ):
        items.append(
            Deficiency(
                ATTACHMENTS,
                _("Signed commitment (with seal)"),
                _("Upload the signed commitment bearing the unit's seal."),
            )
        )
    if filing.procedure == ProcedureKind.CHANGE:
        if not filing.change_description.strip():
            need("change_description", _("Describe what changes and why."))
        if not filing.change_effective_date:
            need("change_effective_date", _("Give the date the change takes effect."))
    if filing.pk:
        for check in MATERIAL_CHECKS:
            items.extend(check.missing(filing))
    return items

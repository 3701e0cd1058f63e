"""The filing's materials, step by step as in the national filing guide: the one list that the filing
form, the completeness check, the change diff and the deficiency list are all built from.

A new material field is added here (and to ``Filing``); ``tests/registry/test_steps.py`` fails when a
field of ``Filing`` is neither a material listed here nor a procedure field named there.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Step slug -> (title, material fields), in the order of the national filing guide.
MATERIAL_STEPS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "basic": (
        _("Basic information"),
        (
            "app_name", "app_kind", "platforms", "android_package", "android_cert_sha256", "harmony_bundle",
            "ios_bundle", "miniprogram_appid", "quickapp_package", "responsible_name", "responsible_post",
            "responsible_phone", "responsible_email", "below_county_justification",
        ),
    ),
    "approval": (
        _("Project approval"),
        ("approval_basis", "approval_content", "approval_result", "approval_doc_number"),
    ),
    "functions": (
        _("Function configuration"),
        (
            "main_functions", "grassroots_functions", "checkin_functions", "special_scenario",
            "declared_categories", "special_scenario_justification",
        ),
    ),
    "operations": (
        _("O&M and security"),
        ("om_team", "om_rules", "technical_plan", "security_testing", "mlps_level", "mlps_assessment",
         "security_rules"),
    ),
    "acceptance": (
        _("Acceptance"),
        ("acceptance_requirements", "acceptance_content", "acceptance_result", "acceptance_opinion"),
    ),
    "declarations": (
        _("Same-kind apps and commitment"),
        ("same_kind_apps", "commitment_signed_by", "commitment_date", "commitment_confirmed"),
    ),
}  # fmt: skip

# Every material field, in form order: what a change filing copies and diffs.
MATERIAL_FIELDS: tuple[str, ...] = tuple(name for _title, names in MATERIAL_STEPS.values() for name in names)

# Materials that must be filled in before submission (the rest depend on the kind of app, or are optional).
REQUIRED_FIELDS: tuple[str, ...] = (
    "app_name", "app_kind", "responsible_name", "responsible_post", "responsible_phone", "responsible_email",
    "approval_basis", "approval_result", "approval_doc_number", "main_functions", "om_team", "om_rules",
    "technical_plan", "security_testing", "mlps_level", "security_rules", "acceptance_requirements",
    "acceptance_result", "acceptance_opinion", "same_kind_apps", "commitment_signed_by", "commitment_date",
)  # fmt: skip

# Fields of a change filing only: what changes and from when (not materials of the app).
CHANGE_FIELDS: tuple[str, ...] = ("change_description", "change_effective_date")

_unknown = sorted(set(REQUIRED_FIELDS) - set(MATERIAL_FIELDS))
if _unknown or len(set(MATERIAL_FIELDS)) != len(MATERIAL_FIELDS):
    raise ImproperlyConfigured(
        f"registry.steps: required fields not among the materials or repeated: {_unknown}"
    )

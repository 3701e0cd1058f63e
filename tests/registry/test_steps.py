"""The filing's material fields have one source (registry.steps): form, completeness, diff and deficiencies agree."""

from __future__ import annotations

from govapp.registry import forms, materials
from govapp.registry.models import Filing
from govapp.registry.steps import CHANGE_FIELDS, MATERIAL_FIELDS, MATERIAL_STEPS, REQUIRED_FIELDS

# Fields of the procedure itself, set by the workflow and never by the unit's form.
PROCEDURE_FIELDS = {
    "id", "app", "procedure", "state", "created_by", "created_at", "submitted_at", "decided_at",
    "clock_limit", "clock_start", "clock_due", "clock_provisional", "extended", "extension_reason",
    "assignee",
}  # fmt: skip


def test_every_filing_field_is_a_material_a_change_field_or_a_procedure_field() -> None:
    names = {field.name for field in Filing._meta.concrete_fields}

    unlisted = names - set(MATERIAL_FIELDS) - set(CHANGE_FIELDS) - PROCEDURE_FIELDS
    assert unlisted == set(), f"add these Filing fields to registry/steps.py or PROCEDURE_FIELDS: {unlisted}"
    assert set(MATERIAL_FIELDS) | set(CHANGE_FIELDS) <= names


def test_each_step_form_edits_exactly_the_fields_of_its_step() -> None:
    for step, (_title, names) in MATERIAL_STEPS.items():
        form_class = forms.STEP_FORMS[step]
        assert tuple(form_class.base_fields) == names, step
    assert tuple(forms.STEP_FORMS["change"].base_fields) == CHANGE_FIELDS
    assert tuple(forms.STEP_FORMS) == forms.FORM_STEPS


def test_every_material_maps_to_its_step_and_every_required_one_is_checked() -> None:
    assert {name: forms.FIELD_STEP[name] for name in MATERIAL_FIELDS} == {
        name: step for step, (_t, names) in MATERIAL_STEPS.items() for name in names
    }
    blank = Filing(app_kind="", platforms=[])
    missing = {item.field for item in materials.missing_materials(blank)}
    assert set(REQUIRED_FIELDS) <= missing

"""The formalism categories have one source, the engine's list: every other enumeration agrees with it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from govapp.complaints.choices import ComplaintCategory
from govapp.inspection.engine.categories import CATEGORIES, FORMALISM_CATEGORIES
from govapp.registry.choices import FormalismCategory, require_formalism_ids
from govapp.supervision.campaigns.selfcheck import QUESTIONS


def test_registry_and_complaints_give_the_engine_ids_in_its_order() -> None:
    assert tuple(FormalismCategory.values) == FORMALISM_CATEGORIES
    assert tuple(ComplaintCategory.values) == (*FORMALISM_CATEGORIES, "unfiled_app", "other")


def test_self_inspection_questions_name_only_known_categories() -> None:
    for question in QUESTIONS:
        assert set(question.scan) <= set(CATEGORIES), question.id
        assert set(question.complaint) <= set(ComplaintCategory.values), question.id
    covered = {category for question in QUESTIONS for category in question.scan}
    assert set(FORMALISM_CATEGORIES) <= covered  # every category has its question


def test_a_diverging_copy_refuses_to_load() -> None:
    with pytest.raises(ImproperlyConfigured, match="forced_download"):
        require_formalism_ids("a copy", FORMALISM_CATEGORIES[:-1])
    with pytest.raises(ImproperlyConfigured):
        require_formalism_ids("a reordered copy", reversed(FORMALISM_CATEGORIES))

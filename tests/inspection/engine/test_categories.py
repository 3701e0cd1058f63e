"""The category ids: the stable formalism ids, their order, and the report schema that lists them."""

from __future__ import annotations

import json
from pathlib import Path

from govapp.inspection.engine.categories import (
    CATEGORIES,
    FINDING_CATEGORIES,
    FORMALISM_ARTICLES,
    FORMALISM_CATEGORIES,
    TECHNICAL_CATEGORIES,
)

SCHEMA_PATH = (
    Path(__file__).resolve().parents[3] / "src/govapp/inspection/engine/schema/scan-report.schema.json"
)


def test_formalism_ids_are_the_stable_interface_in_its_order() -> None:
    assert FORMALISM_CATEGORIES == (
        "checkin",
        "ranking",
        "online_time",
        "engagement_metrics",
        "forced_upload",
        "location_tracking",
        "forced_login",
        "forced_download",
    )
    assert tuple(FORMALISM_ARTICLES) == FORMALISM_CATEGORIES
    assert CATEGORIES[: len(FORMALISM_CATEGORIES)] == FORMALISM_CATEGORIES
    assert not set(FORMALISM_CATEGORIES) & set(TECHNICAL_CATEGORIES)


def test_the_report_schema_lists_exactly_the_categories() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["properties"]["declarations"]["items"]["enum"] == list(CATEGORIES)
    assert schema["$defs"]["finding"]["properties"]["category"]["enum"] == list(FINDING_CATEGORIES)

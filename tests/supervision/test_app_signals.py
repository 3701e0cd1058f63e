"""What supervision learns about apps from the contexts above it: complaints registers its open complaints
as a source; without a source supervision sees none; several sources add up, and registering again replaces."""

from __future__ import annotations

import datetime as dt

import pytest

from govapp.complaints.services import complaint_submit
from govapp.registry.models import App
from govapp.supervision import app_signals
from govapp.supervision.app_signals import AppSignalSource, register_app_signals
from govapp.supervision.campaigns.risk import risk_scores
from tests.supervision.campaigns.test_campaigns import file_app


@pytest.fixture
def app(filer, provincial_reviewer, national_reviewer, without_technical_test) -> App:  # type: ignore[no-untyped-def]
    return file_app(filer, provincial_reviewer, national_reviewer, "社区网格通", 1)


def _complain(app: App, category: str) -> str:
    assert app.current_number is not None
    complaint = complaint_submit(
        category=category,
        description="每天必须打卡签到，否则通报批评。",
        filing_number=app.current_number.number,
    )
    return str(complaint.case_number)


def test_complaints_registers_its_open_complaints_when_the_app_loads(app: App) -> None:
    checkin = _complain(app, "checkin")
    ranking = _complain(app, "ranking")
    assert app_signals.open_complaint_counts([app.pk]) == {app.pk: 2}
    assert app_signals.open_complaint_cases(app.pk) == {"checkin": [checkin], "ranking": [ranking]}
    assert risk_scores([app.pk], dt.date(2026, 9, 29))[app.pk][1]["complaints"] == 2


def test_without_a_source_supervision_sees_no_complaints(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    _complain(app, "checkin")
    monkeypatch.setattr(app_signals, "_sources", {})
    assert app_signals.open_complaint_counts([app.pk]) == {}
    assert app_signals.open_complaint_cases(app.pk) == {}
    assert risk_scores([app.pk], dt.date(2026, 9, 29))[app.pk][1]["complaints"] == 0


def test_sources_add_up_and_registering_again_replaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_signals, "_sources", {})

    def source(counts: dict[int, int], receipts: dict[str, list[str]]) -> AppSignalSource:
        return AppSignalSource(open_complaint_counts=lambda ids: {k: v for k, v in counts.items() if k in ids},
                               open_complaint_cases=lambda app_id: receipts)  # fmt: skip

    register_app_signals("a", source({1: 2, 3: 1}, {"checkin": ["A1"]}))
    register_app_signals("b", source({1: 1, 2: 1}, {"checkin": ["B1"], "ranking": ["B2"]}))
    assert app_signals.open_complaint_counts([1, 2]) == {1: 3, 2: 1}
    assert app_signals.open_complaint_counts([]) == {}
    assert app_signals.open_complaint_cases(1) == {"checkin": ["A1", "B1"], "ranking": ["B2"]}
    register_app_signals("a", source({1: 5}, {}))
    assert app_signals.open_complaint_counts([1, 2]) == {1: 6, 2: 1}

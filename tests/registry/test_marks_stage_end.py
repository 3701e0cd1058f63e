"""A stage's deficiency marks end with the stage, whichever way the filing leaves it (one place:
``workflow.transition``), and a list is never sent over marks its sender did not see."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from govapp.inspection import conflicts
from govapp.registry import joint_review, marks, services, workflow
from govapp.registry.choices import EventAction, FilingState
from govapp.registry.materials import (
    ATTACHMENTS,
    MATERIAL_CHECKS,
    OTHER,
    Deficiency,
    deficiency_item_choices,
    item_label,
)
from govapp.registry.models import App, DeficiencyMark, Filing
from tests.factories import add_attachment, attach_packages, complete_filing


@pytest.fixture(autouse=True)
def _workflow_only(without_technical_test):  # type: ignore[no-untyped-def]
    """The approval guard of the technical test is tested in tests/inspection."""


@pytest.fixture
def today(monkeypatch):  # type: ignore[no-untyped-def]
    day = dt.date(2026, 9, 28)
    monkeypatch.setattr(workflow, "today", lambda: day)
    return day


def _in_provincial_review(filer: Any, **materials: Any) -> Filing:
    filing = complete_filing(filer, **materials)
    return services.filing_submit(filing=filing, actor=filer)


def _in_national_review(filer: Any, provincial_reviewer: Any, **materials: Any) -> Filing:
    filing = _in_provincial_review(filer, **materials)
    return services.filing_forward(filing=filing, actor=provincial_reviewer)


def _marked(filing: Filing, reviewer: Any, field: str = "om_team") -> Filing:
    marks.mark_set(filing=filing, actor=reviewer, field=field, message="需补正")
    assert DeficiencyMark.objects.filter(filing=filing, stage=filing.state).exists()
    return filing


def _seen(filing: Filing) -> frozenset[marks.MarkVersion]:
    return marks.parse_marks_token(marks.marks_token(marks.current_marks(filing)))


ITEM = [Deficiency("om_team", "运维团队", "请列明运维团队")]


def test_forwarding_clears_the_completeness_reviews_marks(filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    filing = _marked(_in_provincial_review(filer), provincial_reviewer)
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    assert not DeficiencyMark.objects.filter(filing=filing).exists()


def test_sending_the_list_clears_the_marks_it_was_built_from(filer, provincial_reviewer, national_reviewer):  # type: ignore[no-untyped-def]
    returned = _marked(_in_provincial_review(filer), provincial_reviewer)
    services.filing_return_incomplete(
        filing=returned, actor=provincial_reviewer, items=ITEM, marks_seen=_seen(returned)
    )
    assert not DeficiencyMark.objects.filter(filing=returned).exists()

    supplement = _marked(_in_national_review(filer, provincial_reviewer, name="浙里办"), national_reviewer)
    services.filing_request_supplement(
        filing=supplement, actor=national_reviewer, items=ITEM, marks_seen=_seen(supplement)
    )
    assert not DeficiencyMark.objects.filter(filing=supplement).exists()


def test_approval_clears_the_national_reviews_marks(filer, provincial_reviewer, national_reviewer):  # type: ignore[no-untyped-def]
    filing = _marked(_in_national_review(filer, provincial_reviewer), national_reviewer)
    services.filing_approve(filing=filing, actor=national_reviewer)
    assert Filing.objects.get(pk=filing.pk).state == FilingState.FILED
    assert not DeficiencyMark.objects.filter(filing=filing).exists()


def test_the_units_withdrawal_clears_the_marks(filer, provincial_reviewer, national_reviewer):  # type: ignore[no-untyped-def]
    provincial = _marked(_in_provincial_review(filer), provincial_reviewer)
    services.filing_withdraw(filing=provincial, actor=filer)
    national = _marked(_in_national_review(filer, provincial_reviewer, name="浙里办"), national_reviewer)
    services.filing_withdraw(filing=national, actor=filer)
    assert not DeficiencyMark.objects.exists()


def test_closing_a_filing_on_an_identity_conflict_clears_its_marks(
    filer, other_filer, provincial_reviewer, national_reviewer
):  # type: ignore[no-untyped-def]
    # Two units claim the same package name; the national office refuses the second filing.
    _in_provincial_review(other_filer, name="别家应用")
    filing = _marked(_in_national_review(filer, provincial_reviewer), national_reviewer)
    assert conflicts.identity_conflicts(filing)
    conflicts.conflict_refuse(filing=filing, actor=national_reviewer, reason="包名已被占用")
    filing.refresh_from_db()
    assert filing.state == FilingState.WITHDRAWN
    assert not DeficiencyMark.objects.filter(filing=filing).exists()


def test_revoking_the_filing_clears_the_marks_of_the_change_under_review(
    filer, provincial_reviewer, national_reviewer, today
):  # type: ignore[no-untyped-def]
    first = _in_national_review(filer, provincial_reviewer)
    services.filing_approve(filing=first, actor=national_reviewer)
    app = App.objects.get(pk=first.app_id)
    change = services.change_start(app=app, actor=filer)
    change.change_description = "更名"
    change.change_effective_date = dt.date(2026, 10, 16)
    change.save()
    add_attachment(change)
    attach_packages(change)
    change = services.filing_submit(filing=change, actor=filer)
    _marked(change, provincial_reviewer)

    services.app_revoke(
        app=app, actor=national_reviewer, reason="以虚假材料取得备案", basis="false_materials"
    )
    change.refresh_from_db()
    assert change.state == FilingState.WITHDRAWN
    assert not DeficiencyMark.objects.filter(filing=change).exists()


def test_extending_the_review_keeps_the_marks(filer, provincial_reviewer, national_reviewer, today):  # type: ignore[no-untyped-def]
    # Not a change of stage: the list being written stays.
    filing = _marked(_in_national_review(filer, provincial_reviewer), national_reviewer)
    filing.refresh_from_db()
    services.filing_extend(
        filing=filing,
        actor=national_reviewer,
        reason="案情复杂",
        expected_date=filing.clock_due + dt.timedelta(days=10),
    )
    assert DeficiencyMark.objects.filter(filing=filing).count() == 1


def test_a_list_is_refused_over_a_mark_its_sender_did_not_see(
    filer, provincial_reviewer, provincial_coreviewer
):  # type: ignore[no-untyped-def]
    filing = _marked(_in_provincial_review(filer), provincial_reviewer)
    seen = _seen(filing)
    # A colleague marks another field, then rewrites the one the sender saw.
    marks.mark_set(filing=filing, actor=provincial_coreviewer, field="om_rules", message="制度缺版本号")
    with pytest.raises(marks.MarksChanged) as refused:
        services.filing_return_incomplete(
            filing=filing, actor=provincial_reviewer, items=ITEM, marks_seen=seen
        )
    assert [m.field for m in refused.value.unseen] == ["om_rules"]
    assert "1 item was marked since you opened the list" in refused.value.message
    assert [i.field for i in refused.value.items] == ["om_rules"]

    marks.mark_set(filing=filing, actor=provincial_coreviewer, field="om_team", message="运维团队须列明人数")
    with pytest.raises(marks.MarksChanged) as changed:
        services.filing_return_incomplete(
            filing=filing, actor=provincial_reviewer, items=ITEM, marks_seen=seen
        )
    assert [m.field for m in changed.value.unseen] == ["om_team", "om_rules"]
    # A caller that says nothing of the marks has seen none.
    with pytest.raises(marks.MarksChanged):
        services.filing_return_incomplete(filing=filing, actor=provincial_reviewer, items=ITEM)
    filing.refresh_from_db()
    assert filing.state == FilingState.PROVINCIAL_REVIEW
    assert DeficiencyMark.objects.filter(filing=filing).count() == 2

    # A mark cleared since loses nothing: the list is sent (the other department agreeing).
    seen = _seen(filing)
    joint_review.opinion_record(filing=filing, actor=provincial_coreviewer, verdict="incomplete")
    marks.mark_clear(filing=filing, actor=provincial_coreviewer, field="om_rules")
    services.filing_return_incomplete(filing=filing, actor=provincial_reviewer, items=ITEM, marks_seen=seen)
    assert filing.events.filter(action=EventAction.RETURN_INCOMPLETE).exists()


def test_a_garbled_record_of_the_marks_is_a_value_error() -> None:
    for text in ("x", "12", "12@yesterday", "a@2026-12-04T10:00:00+00:00", "12@2026-12-04T10:00:00"):
        with pytest.raises(ValueError):
            marks.parse_marks_token(text)
    assert marks.parse_marks_token("") == frozenset()


def test_one_label_for_each_item_of_a_list() -> None:
    with translation.override("en"):
        choices = dict(deficiency_item_choices())
        assert choices[ATTACHMENTS] == item_label(ATTACHMENTS) == "Documents (attachments)"
        assert choices["om_team"] == item_label("om_team") == item_label("om_team", "recorded") == "O&M team"
        assert choices[OTHER] == item_label(OTHER) == "Other"
        # A material check's item keeps the label recorded with it (it names the platform).
        for check in MATERIAL_CHECKS:
            assert choices[check.field] == item_label(check.field) == str(check.label)
            assert item_label(check.field, "App package for Android") == "App package for Android"
    # A name that is no item shows as recorded, or as written.
    assert item_label("gone_field", "旧标签") == "旧标签"
    assert item_label("gone_field") == "gone_field"

"""Upgrading a database with receipt codes in clear: hashed, case numbers given, references converted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from govapp.accounts.models import Unit, User
from govapp.complaints.receipts import receipt_digest
from govapp.registry.models import App

BEFORE = [("complaints", "0001_initial"), ("supervision", "0003_campaigns")]
AFTER = [("complaints", "0003_drop_receipt_code"), ("supervision", "0004_complaint_case_number")]
CODE = "TS-7KQ2-M9XD-4HRP"


@pytest.mark.django_db(transaction=True)
def test_receipts_become_hashes_and_every_reference_a_case_number() -> None:
    # Units, users and apps are at the latest schema throughout: made with today's models.
    unit = Unit.objects.create(name="某市数据局", level="municipal", kind="government", province="33")
    user = User.objects.create(username="r", role="provincial_reviewer", unit=unit)
    app = App.objects.create(unit=unit, name="某某通", kind="app", state="filed")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        complaint = old.get_model("complaints", "Complaint").objects.create(
            receipt=CODE, receipt_prefix="7KQ2", category="checkin", description="每天打卡", app_id=app.pk,
            due=dt.date(2026, 12, 18),
        )  # fmt: skip
        old.get_model("supervision", "RectificationOrder").objects.create(
            app_id=app.pk, source="complaint", findings=[], required_actions="删除打卡", article="第十三条",
            workdays=20, issued_on=dt.date(2026, 12, 1), due=dt.date(2026, 12, 29), issued_by_id=user.pk,
            complaint_receipt=CODE,
        )  # fmt: skip
        old.get_model("supervision", "TypicalProblemNotice").objects.create(
            title="通报",
            body="…",
            created_by_id=user.pk,
            cases=[{"kind": "complaint", "ref": CODE, "app": "某某通"}],
        )

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps

        upgraded = new.get_model("complaints", "Complaint").objects.get(pk=complaint.pk)
        case = f"C{upgraded.received_at.year}-{complaint.pk:06d}"
        assert upgraded.receipt_hash == receipt_digest(CODE) and upgraded.case_number == case
        assert not hasattr(upgraded, "receipt")
        assert new.get_model("supervision", "RectificationOrder").objects.get().complaint_case == case
        notice = new.get_model("supervision", "TypicalProblemNotice").objects.get()
        assert notice.cases == [{"kind": "complaint", "ref": case, "app": "某某通"}]
    finally:
        # Whatever happened above, the next test on this database finds the latest schema.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

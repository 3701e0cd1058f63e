"""Recorded rows are refused UPDATE and DELETE by the database itself, not only by the ORM."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from govapp.registry import services
from govapp.registry.models import FilingEvent, FilingNumber
from tests.factories import complete_filing


@pytest.fixture
def filed(filer, provincial_reviewer, national_reviewer, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(services, "APPROVAL_CHECKS", [])  # the technical test is not the subject here
    filing = complete_filing(filer, name="办事通")
    services.filing_submit(filing=filing, actor=filer)
    services.filing_forward(filing=filing, actor=provincial_reviewer)
    return services.filing_approve(filing=filing, actor=national_reviewer)


def _refused(sql: str, params: list[object]) -> None:
    with (
        pytest.raises(IntegrityError, match="append-only|never changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_raw_sql_cannot_rewrite_or_delete_an_event(filed) -> None:  # type: ignore[no-untyped-def]
    event = FilingEvent.objects.filter(filing=filed).first()
    assert event is not None
    _refused("UPDATE registry_filingevent SET reason = %s WHERE id = %s", ["rewritten", event.pk])
    _refused("DELETE FROM registry_filingevent WHERE id = %s", [event.pk])
    _refused("DELETE FROM registry_filingevent", [])
    assert FilingEvent.objects.filter(pk=event.pk, reason=event.reason).exists()


@pytest.mark.django_db
def test_a_filing_number_keeps_its_number_while_its_status_may_change(filed) -> None:  # type: ignore[no-untyped-def]
    number = FilingNumber.objects.get(filing=filed)
    _refused("UPDATE registry_filingnumber SET number = %s WHERE id = %s", ["浙政备2099000001A", number.pk])
    _refused("UPDATE registry_filingnumber SET sequence = sequence + 1 WHERE id = %s", [number.pk])
    _refused("DELETE FROM registry_filingnumber WHERE id = %s", [number.pk])
    # A plain queryset goes around the model, not around the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        FilingNumber.objects.filter(pk=number.pk).delete()
    FilingNumber.objects.filter(pk=number.pk).update(status=FilingNumber.Status.REVOKED)  # allowed
    number.refresh_from_db()
    number.save()  # a full save writes the same values: allowed
    assert number.status == FilingNumber.Status.REVOKED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "table", ["supervision_supervisionevent", "supervision_campaignevent", "complaints_complaintevent",
              "registry_filingevent_attachments"],
)  # fmt: skip
def test_every_event_table_is_guarded(table: str) -> None:
    from govapp.core.db_guards import GUARDS

    guard = next(guard for guard in GUARDS if guard.table == table)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass", [table])
            names = {row[0] for row in cursor.fetchall()}
        assert guard.trigger in names
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            names = {row[0] for row in cursor.fetchall()}
        assert {f"{guard.trigger}_delete", f"{guard.trigger}_update"} <= names

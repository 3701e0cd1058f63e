"""Append-only in the database itself: triggers refuse to change or delete recorded rows.

The ORM already refuses (core/append_only.py), but a plain queryset of another model, a raw SQL
statement or a database console does not go through it. These triggers (PostgreSQL and SQLite,
installed by each app's migration with ``ProtectRows``) make such a statement fail with an
integrity error. Some tables keep one mutable column set apart: a filing number's status changes
(revoked, deregistered) while the number, its app and its sequence never do.

SQLite rebuilds a table to alter it and drops its triggers with the old table, so every migrate
re-installs the triggers of all guarded tables (``install_all``, on post_migrate).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connections, migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

_FUNCTION = "govapp_refuse_change"


@dataclass(frozen=True)
class Guard:
    """``table``: rows never deleted; never updated, or, with ``frozen``, never in these columns."""

    table: str
    frozen: tuple[str, ...] = ()

    @property
    def trigger(self) -> str:
        return f"govapp_guard_{self.table}"[:60]


GUARDS: tuple[Guard, ...] = (
    Guard("registry_filingevent"),
    Guard("registry_filingevent_attachments"),
    Guard(
        "registry_filingnumber",
        frozen=("number", "app_id", "filing_id", "region", "year", "sequence", "issued_at"),
    ),
    Guard("supervision_supervisionevent"),
    Guard("supervision_campaignevent"),
    Guard("complaints_complaintevent"),
)


def _postgres_install(guard: Guard) -> list[str]:
    function = (
        f"CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger AS $$\n"
        "DECLARE col text; old_row jsonb; new_row jsonb;\n"
        "BEGIN\n"
        "  IF TG_OP = 'UPDATE' AND TG_NARGS > 0 THEN\n"
        "    old_row := to_jsonb(OLD); new_row := to_jsonb(NEW);\n"
        "    FOREACH col IN ARRAY TG_ARGV LOOP\n"
        "      IF old_row -> col IS DISTINCT FROM new_row -> col THEN\n"
        "        RAISE EXCEPTION 'govapp: %.% is never changed once recorded', TG_TABLE_NAME, col\n"
        "          USING ERRCODE = 'restrict_violation';\n"
        "      END IF;\n"
        "    END LOOP;\n"
        "    RETURN NEW;\n"
        "  END IF;\n"
        "  RAISE EXCEPTION 'govapp: % rows are append-only (% refused)', TG_TABLE_NAME, TG_OP\n"
        "    USING ERRCODE = 'restrict_violation';\n"
        "END $$ LANGUAGE plpgsql"
    )
    args = ", ".join(f"'{column}'" for column in guard.frozen)
    return [
        function,
        f'DROP TRIGGER IF EXISTS {guard.trigger} ON "{guard.table}"',
        f'CREATE TRIGGER {guard.trigger} BEFORE UPDATE OR DELETE ON "{guard.table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {_FUNCTION}({args})",
    ]


def _sqlite_install(guard: Guard) -> list[str]:
    refuse = "SELECT RAISE(ABORT, 'govapp: {table} rows are append-only ({op} refused)')"
    statements = [
        f"DROP TRIGGER IF EXISTS {guard.trigger}_delete",
        f"DROP TRIGGER IF EXISTS {guard.trigger}_update",
        f'CREATE TRIGGER {guard.trigger}_delete BEFORE DELETE ON "{guard.table}" '
        f"BEGIN {refuse.format(table=guard.table, op='DELETE')}; END",
    ]
    changed = " OR ".join(f'OLD."{column}" IS NOT NEW."{column}"' for column in guard.frozen)
    statements.append(
        f'CREATE TRIGGER {guard.trigger}_update BEFORE UPDATE ON "{guard.table}" '
        + (f"WHEN {changed} " if changed else "")
        + f"BEGIN {refuse.format(table=guard.table, op='UPDATE')}; END"
    )
    return statements


def install_sql(vendor: str, guard: Guard) -> list[str]:
    if vendor == "postgresql":
        return _postgres_install(guard)
    if vendor == "sqlite":
        return _sqlite_install(guard)
    return []  # other databases: the ORM's refusal only


def remove_sql(vendor: str, guard: Guard) -> list[str]:
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS {guard.trigger} ON "{guard.table}"']
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {guard.trigger}_delete",
            f"DROP TRIGGER IF EXISTS {guard.trigger}_update",
        ]
    return []


class ProtectRows(migrations.operations.base.Operation):
    """Migration operation: install the guard triggers of ``tables`` (RunSQL chosen per vendor)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, *tables: str) -> None:
        self.tables = tables

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, list(self.tables), {})

    def _guards(self) -> list[Guard]:
        known = {guard.table: guard for guard in GUARDS}
        return [known[table] for table in self.tables]

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: Any, to_state: Any
    ) -> None:
        for guard in self._guards():
            for statement in install_sql(schema_editor.connection.vendor, guard):
                schema_editor.execute(statement, params=None)

    def database_backwards(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: Any, to_state: Any
    ) -> None:
        for guard in self._guards():
            for statement in remove_sql(schema_editor.connection.vendor, guard):
                schema_editor.execute(statement, params=None)

    def describe(self) -> str:
        return f"Refuse UPDATE/DELETE of recorded rows in {', '.join(self.tables)}"


def install_all(connection: BaseDatabaseWrapper) -> None:
    """(Re-)install every guard whose table exists; idempotent."""
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for guard in GUARDS:
            if guard.table in existing:
                for statement in install_sql(connection.vendor, guard):
                    cursor.execute(statement)


def remove_all(connection: BaseDatabaseWrapper) -> None:
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for guard in GUARDS:
            if guard.table in existing:
                for statement in remove_sql(connection.vendor, guard):
                    cursor.execute(statement)


@contextmanager
def guards_lifted(using: str = "default") -> Iterator[None]:
    """The guards removed for the block and put back after it, to be used inside one transaction.

    Only the embedded demo uses it: it writes its story's events, then dates them in the past.
    """
    target = connections[using]
    if not target.in_atomic_block:
        raise RuntimeError("guards_lifted() must run inside a transaction")
    remove_all(target)
    try:
        yield
    finally:
        install_all(target)

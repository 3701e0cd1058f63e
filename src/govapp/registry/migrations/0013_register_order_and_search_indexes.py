"""Indexes of the public register: its order (newest filing first, over the apps it lists) on every backend,
and on PostgreSQL trigram indexes (pg_trgm, GIN) for its search in app names, unit names and filing numbers.

The search is ``icontains``, which Django writes as ``UPPER(col::text) LIKE UPPER('%…%')`` on PostgreSQL, so the
trigram indexes are on ``UPPER(col)``. Trigrams fit Chinese: pg_trgm hashes multibyte characters into its
trigrams, and any substring of three or more characters is found through the index (docs/public.md). SQLite
keeps its plain LIKE scan; nothing runs there.
"""

from typing import Any

from django.db import migrations, models

TRIGRAM_INDEXES = (
    ("registry_app_name_trgm", "registry_app", "name"),
    ("registry_filingnumber_number_trgm", "registry_filingnumber", "number"),
    ("accounts_unit_name_trgm", "accounts_unit", "name"),
)


def create_trigram_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    # The extension stays: other database objects may use it, and it costs nothing unused.


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_external_identities_and_email_language"),
        ("registry", "0012_seed_deficiency_phrases"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="app",
            index=models.Index(
                models.OrderBy(models.F("filed_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("current_number__isnull", False)),
                name="app_register_order",
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]

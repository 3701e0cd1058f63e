"""Recorded rows refused UPDATE and DELETE by the database itself (core/db_guards.py)."""

from django.db import migrations

from govapp.core.db_guards import ProtectRows


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_drop_receipt_code")]

    operations = [ProtectRows("complaints_complaintevent")]

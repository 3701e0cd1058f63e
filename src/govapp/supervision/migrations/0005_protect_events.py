"""Recorded rows refused UPDATE and DELETE by the database itself (core/db_guards.py)."""

from django.db import migrations

from govapp.core.db_guards import ProtectRows


class Migration(migrations.Migration):
    dependencies = [("supervision", "0004_complaint_case_number")]

    operations = [ProtectRows("supervision_supervisionevent", "supervision_campaignevent")]

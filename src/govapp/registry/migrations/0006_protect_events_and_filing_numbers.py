"""Recorded rows refused UPDATE and DELETE by the database itself (core/db_guards.py)."""

from django.db import migrations

from govapp.core.db_guards import ProtectRows


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_attachment_withdrawal")]

    operations = [ProtectRows("registry_filingevent", "registry_filingevent_attachments", "registry_filingnumber")]

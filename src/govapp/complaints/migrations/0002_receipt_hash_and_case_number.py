"""Receipt codes are kept only as a keyed hash; staff get a case number of their own."""

from django.db import migrations, models
from django.utils import timezone


def hash_receipts(apps, schema_editor):  # type: ignore[no-untyped-def]
    from govapp.complaints.receipts import receipt_digest

    Complaint = apps.get_model("complaints", "Complaint")
    for complaint in Complaint.objects.all().only("pk", "receipt", "received_at"):
        Complaint.objects.filter(pk=complaint.pk).update(
            receipt_hash=receipt_digest(complaint.receipt),
            case_number=f"C{timezone.localtime(complaint.received_at).year}-{complaint.pk:06d}",
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="case_number",
            field=models.CharField(max_length=20, null=True, verbose_name="case number"),
        ),
        migrations.AddField(
            model_name="complaint", name="receipt_hash", field=models.CharField(max_length=64, null=True)
        ),
        migrations.RunPython(hash_receipts, migrations.RunPython.noop),
    ]

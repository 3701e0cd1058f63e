"""The receipt code in clear goes once supervision's references have become case numbers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_receipt_hash_and_case_number"),
        ("supervision", "0004_complaint_case_number"),
    ]

    operations = [
        migrations.RemoveField(model_name="complaint", name="receipt"),
        migrations.AlterField(
            model_name="complaint",
            name="case_number",
            field=models.CharField(max_length=20, unique=True, verbose_name="case number"),
        ),
        migrations.AlterField(
            model_name="complaint", name="receipt_hash", field=models.CharField(max_length=64, unique=True)
        ),
    ]

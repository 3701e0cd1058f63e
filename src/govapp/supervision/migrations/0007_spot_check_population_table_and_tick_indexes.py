"""The population snapshot of a spot check moves to its own table (reading a campaign or an item no longer
loads megabytes of JSON), and partial indexes on the rows the campaign time rule still has to look at."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def move_snapshots(apps: Any, schema_editor: Any) -> None:
    Campaign = apps.get_model("supervision", "SpotCheckCampaign")
    Population = apps.get_model("supervision", "SpotCheckPopulation")
    for pk in Campaign.objects.order_by("pk").values_list("pk", flat=True).iterator():
        rows = Campaign.objects.filter(pk=pk).values_list("population", flat=True).get() or []
        Population.objects.create(campaign_id=pk, rows=rows)
        Campaign.objects.filter(pk=pk).update(population_size=len(rows))


def restore_snapshots(apps: Any, schema_editor: Any) -> None:
    Campaign = apps.get_model("supervision", "SpotCheckCampaign")
    Population = apps.get_model("supervision", "SpotCheckPopulation")
    for snapshot in Population.objects.order_by("pk").iterator():
        Campaign.objects.filter(pk=snapshot.campaign_id).update(population=snapshot.rows)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0006_article_as_reference_and_note"),
    ]

    operations = [
        migrations.CreateModel(
            name="SpotCheckPopulation",
            fields=[
                (
                    "campaign",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="population_snapshot",
                        serialize=False,
                        to="supervision.spotcheckcampaign",
                    ),
                ),
                ("rows", models.JSONField(default=list, verbose_name="population snapshot")),
            ],
            options={
                "verbose_name": "spot-check population snapshot",
                "verbose_name_plural": "spot-check population snapshots",
            },
        ),
        migrations.AddField(
            model_name="spotcheckcampaign",
            name="population_size",
            field=models.PositiveIntegerField(default=0, verbose_name="population size"),
        ),
        migrations.RunPython(move_snapshots, restore_snapshots),
        migrations.RemoveField(model_name="spotcheckcampaign", name="population"),
        migrations.AddIndex(
            model_name="selfinspectionreturn",
            index=models.Index(
                condition=models.Q(("overdue", False), ("submitted_at__isnull", True)),
                fields=["campaign", "reminded_on"],
                name="self_inspection_unanswered",
            ),
        ),
        migrations.AddIndex(
            model_name="spotcheckitem",
            index=models.Index(
                condition=models.Q(("overdue", False), ("package__isnull", True)),
                fields=["campaign", "reminded_on"],
                name="spot_check_item_waiting",
            ),
        ),
    ]

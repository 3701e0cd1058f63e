"""Supervision refers to a complaint by its case number, never by the complainant's receipt code."""

from django.db import migrations, models


def receipts_to_cases(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The complaint still has its receipt column here (complaints 0003 drops it after this migration).
    Complaint = apps.get_model("complaints", "Complaint")
    case_numbers = dict(Complaint.objects.values_list("receipt", "case_number"))

    def case_of(receipt: str) -> str:
        return case_numbers.get(receipt, "") if receipt else ""

    Order = apps.get_model("supervision", "RectificationOrder")
    for order in Order.objects.exclude(complaint_case=""):
        Order.objects.filter(pk=order.pk).update(complaint_case=case_of(order.complaint_case))
    Notice = apps.get_model("supervision", "TypicalProblemNotice")
    for notice in Notice.objects.all():
        cases = [
            {**case, "ref": case_of(case.get("ref", ""))} if case.get("kind") == "complaint" else case
            for case in notice.cases
        ]
        if cases != notice.cases:
            Notice.objects.filter(pk=notice.pk).update(cases=cases)
    Item = apps.get_model("supervision", "SelfInspectionReturn")
    for item in Item.objects.exclude(flags=[]):
        flags = [
            {**{k: v for k, v in flag.items() if k != "receipts"}, "cases": [case_of(r) for r in flag["receipts"]]}
            if "receipts" in flag
            else flag
            for flag in item.flags
        ]
        if flags != item.flags:
            Item.objects.filter(pk=item.pk).update(flags=flags)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_campaigns"),
        ("complaints", "0002_receipt_hash_and_case_number"),
    ]

    operations = [
        migrations.RenameField(model_name="rectificationorder", old_name="complaint_receipt", new_name="complaint_case"),
        migrations.RunPython(receipts_to_cases, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="rectificationorder",
            name="complaint_case",
            field=models.CharField(blank=True, max_length=40, verbose_name="complaint case number"),
        ),
    ]

"""Rectification orders cite the article as data ("13", "13.2") instead of free text.

"Art. 13", "《办法》第十三条第二项" and the like become the reference; whatever else a reviewer wrote beside
it is kept as the note; a text that names no article is kept whole as the note, under Art. 13 (the five
prohibitions every order so far was about). The findings' own "article" texts are converted the same way.
"""

from django.db import migrations, models

from govapp.inspection.engine.articles import split_article

DEFAULT_REF = "13"


def to_reference(apps, schema_editor):  # type: ignore[no-untyped-def]
    Order = apps.get_model("supervision", "RectificationOrder")
    for order in Order.objects.all().iterator():
        ref, note = split_article(order.article)
        order.article_ref = ref or DEFAULT_REF
        order.article_note = note[:200]
        findings = []
        for finding in order.findings or []:
            if isinstance(finding, dict) and finding.get("article"):
                found, _rest = split_article(str(finding["article"]))
                finding = {**finding, "article": found or finding["article"]}
            findings.append(finding)
        order.findings = findings
        order.save(update_fields=["article_ref", "article_note", "findings"])


def to_text(apps, schema_editor):  # type: ignore[no-untyped-def]
    from govapp.inspection.engine.articles import article_label

    Order = apps.get_model("supervision", "RectificationOrder")
    for order in Order.objects.all().iterator():
        text = article_label(order.article_ref, english=False)
        order.article = f"{text}（{order.article_note}）" if order.article_note else text
        order.save(update_fields=["article"])


class Migration(migrations.Migration):
    dependencies = [("supervision", "0005_protect_events")]

    operations = [
        migrations.AddField(
            model_name="rectificationorder",
            name="article_ref",
            field=models.CharField(default="13", max_length=8, verbose_name="article breached"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rectificationorder",
            name="article_note",
            field=models.CharField(blank=True, max_length=200, verbose_name="note on the article"),
        ),
        migrations.RunPython(to_reference, to_text),
        migrations.RemoveField(model_name="rectificationorder", name="article"),
    ]

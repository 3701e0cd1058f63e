"""Every reviewing office (the national office and each province) starts with the same standard remarks,
in Chinese and in English; offices add their own and retire these on the phrases page."""

from django.db import migrations

# Frozen here: a later change of the defaults is a new migration, not an edit of this one.
DEFAULT_PHRASES = (
    ("材料不清晰，请重新上传盖章扫描件。", "The document is not legible: upload a new scan bearing the unit's seal."),
    ("与统一社会信用代码不一致，请核对后更正。",
     "Does not match the unit's unified social credit code: check and correct it."),
    ("缺少单位公章或签字，请盖章签字后重新上传。",
     "The unit's seal or a signature is missing: seal and sign it, then upload it again."),
    ("填写不完整，请按备案指南逐项补正。", "Incomplete: complete every item as the national filing guide requires."),
    ("与立项审核文件不一致，请核对后更正。", "Does not agree with the project-approval document: check and correct it."),
    ("请补充立项审核文件及其文号。", "Provide the project-approval document and its number."),
    ("等级保护测评材料缺失或已过期，请补充有效的测评报告。",
     "The MLPS assessment is missing or out of date: provide a valid assessment report."),
    ("请单独说明该功能的设置理由和依据。", "Explain this function separately, with its reason and basis."),
    ("同类应用说明不充分，请说明与已有应用的功能是否重复。",
     "The same-kind apps declaration is not sufficient: explain whether the functions duplicate an existing app."),
    ("联系方式无法联系，请填写有效的电话和电子邮箱。",
     "The contact details do not reach anyone: give a working telephone number and e-mail address."),
)  # fmt: skip

# The provincial-level offices of accounts.divisions (tests check that the two lists agree).
PROVINCE_CODES = (
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "66",
)  # fmt: skip


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Phrase = apps.get_model("registry", "DeficiencyPhrase")
    rows = [
        Phrase(office=office, language=language, text=text)
        for office in ("national", *PROVINCE_CODES)
        for zh, en in DEFAULT_PHRASES
        for language, text in (("zh-hans", zh), ("en", en))
    ]
    Phrase.objects.bulk_create(rows, ignore_conflicts=True)


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("registry", "DeficiencyPhrase").objects.filter(created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0011_deficiency_marks_and_phrases")]

    operations = [migrations.RunPython(seed, unseed)]

"""Load the official working-day calendar (core/data/, see its README) into CalendarDay and CalendarYear."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from govapp.core.calendar_data import load_seed


def load(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    calendar_day = apps.get_model("core", "CalendarDay")
    calendar_year = apps.get_model("core", "CalendarYear")
    rows, years = load_seed()
    db = schema_editor.connection.alias
    calendar_day.objects.using(db).bulk_create(
        calendar_day(date=r.date, is_workday=r.is_workday, name=r.name, source=r.source) for r in rows
    )
    calendar_year.objects.using(db).bulk_create(calendar_year(year=y, source=s) for y, s in years.items())


def unload(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Only the seeded rows go; years imported later from a notice stay.
    rows, years = load_seed()
    db = schema_editor.connection.alias
    apps.get_model("core", "CalendarDay").objects.using(db).filter(
        date__in=[r.date for r in rows], source__in={r.source for r in rows}
    ).delete()
    apps.get_model("core", "CalendarYear").objects.using(db).filter(
        year__in=list(years), source__in=list(years.values())
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

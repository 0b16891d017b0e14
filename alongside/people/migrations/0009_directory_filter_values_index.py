"""The values the directory's filters offer (``people_filter_options``: each department,
location and level in use, with whether people share them) are read on the people page,
the enrolment page and the dashboard overview. On PostgreSQL a partial index holding
exactly those columns for the people it counts lets the query read the index alone, in
order, instead of reading every person and grouping: measured on a 10,000-person
organisation, 3.1 → 1.3 ms.

SQLite keeps its scan (small directories).
"""

from django.db import migrations

INDEX = (
    'CREATE INDEX IF NOT EXISTS people_person_filter_values ON "{table}" '
    "(organisation_id, department, location, level, share_department, share_location) "
    "WHERE is_active AND erased_at IS NULL"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("people", "Person")._meta.db_table
    schema_editor.execute(INDEX.format(table=table))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS people_person_filter_values")


class Migration(migrations.Migration):
    dependencies = [("people", "0008_stored_folded_name")]

    operations = [migrations.RunPython(create, drop)]

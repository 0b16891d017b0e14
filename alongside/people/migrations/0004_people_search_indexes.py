"""Trigram indexes for the people search on PostgreSQL (name, email, job title).

The search matches any part of a word (``icontains``: ``UPPER(col) LIKE UPPER('%term%')``),
which an ordinary index cannot serve; a GIN index of trigrams can. SQLite keeps its scan
(small directories). Where the pg_trgm extension cannot be created (a managed database
without the right), the indexes are skipped and the search still works, unindexed.
"""

from django.db import migrations, transaction

COLUMNS = ("name", "email", "job_title")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("people", "Person")._meta.db_table
    try:
        with transaction.atomic():
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - no right to add extensions: search stays unindexed
        return
    for column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS people_person_{column}_trgm ON "{table}" '
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS people_person_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("people", "0003_profile_sharing_and_erasure")]

    operations = [migrations.RunPython(create, drop)]

"""Accent-insensitive name search on PostgreSQL: ``alongside_fold(text)`` lowers a text and,
where the ``unaccent`` extension can be created, takes the accents off ("Zoë" → "zoe");
a trigram index on ``alongside_fold(name)`` serves the search. The function is declared
IMMUTABLE (it calls ``unaccent`` with its dictionary named) so it can be indexed.
Without the right to create extensions it only lowers, and the search stays
case-insensitive. SQLite gets the same function from Python on each connection
(alongside/core/folding.py).
"""

from django.db import migrations, transaction

FOLD_WITH_UNACCENT = """
CREATE OR REPLACE FUNCTION alongside_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$
"""
FOLD_LOWER_ONLY = """
CREATE OR REPLACE FUNCTION alongside_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(value) $$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic():
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
            schema_editor.execute(FOLD_WITH_UNACCENT)
    except Exception:  # noqa: BLE001 - no right to add extensions: fold case only
        schema_editor.execute(FOLD_LOWER_ONLY)
    table = apps.get_model("people", "Person")._meta.db_table
    try:
        with transaction.atomic():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS people_person_name_folded_trgm ON "{table}" '
                'USING gin (alongside_fold("name") gin_trgm_ops)'
            )
    except Exception:  # noqa: BLE001 - without pg_trgm the search stays unindexed
        return


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS people_person_name_folded_trgm")
    schema_editor.execute("DROP FUNCTION IF EXISTS alongside_fold(text)")


class Migration(migrations.Migration):
    dependencies = [("people", "0005_import_progress")]

    operations = [migrations.RunPython(create, drop)]

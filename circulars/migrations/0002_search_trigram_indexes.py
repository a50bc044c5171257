"""Trigram indexes for the search box on PostgreSQL.

Search folds diacritics and case into ``search_text`` and filters with LIKE '%word%'
(``search_text__contains``); a GIN trigram index serves exactly that query. SQLite has no
such index type and scans, which is fine at its scale."""

from django.db import migrations

INDEXES = [
    ("circulars_circular", "circular_search_trgm"),
    ("circulars_incomingdispatch", "incoming_search_trgm"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, name in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("circulars", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]

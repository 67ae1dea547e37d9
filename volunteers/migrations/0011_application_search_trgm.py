"""On PostgreSQL, a trigram index (pg_trgm, GIN) on ``Application.search_text``, so that the
inbox search ``search_text LIKE '%berzin%'`` reads the index instead of every application.

Not in ``Application.Meta.indexes``: SQLite has no GIN, and SQLite rebuilds a table with the
indexes of its model state on later schema changes. Elsewhere than PostgreSQL this
migration does nothing (the search is the same LIKE, over fewer rows)."""

from django.db import migrations

INDEX = "application_search_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("volunteers", "Application")._meta.db_table)
    # A trusted extension since PostgreSQL 13: the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(INDEX)} ON {table} "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays: something else may use it, and it costs nothing.
    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(INDEX)}")


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0010_application_search_text"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]

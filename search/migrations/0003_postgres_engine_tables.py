"""The PostgreSQL search engine's tables (search/engine/postgres/schema.py), on PostgreSQL only.

On SQLite nothing is made: that database cannot hold the engine (SEARCH_URL=postgres: is
refused there at startup).  With a search database of its own (SEARCH_URL=postgres://...)
the tables are made where the routers send ``SearchDocument``.  The text vector gets a RUM
index when the server has the extension (Debian: postgresql-15-rum), else GIN.
"""

from django.db import migrations, models, router


def create_tables(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    if router.db_for_write(apps.get_model("search", "SearchDocument")) != connection.alias:
        return
    from search.engine.postgres.schema import create_all

    with connection.cursor() as cursor:
        create_all(cursor)


def drop_tables(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from search.engine.postgres.schema import drop_all

    with connection.cursor() as cursor:
        drop_all(cursor)


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0002_queue_statements_only"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("identifier", models.TextField(primary_key=True, serialize=False)),
                ("django_ct", models.TextField()),
                ("django_id", models.BigIntegerField()),
                ("fingerprint", models.TextField()),
                ("stored", models.JSONField()),
                ("date", models.DateField(null=True)),
            ],
            options={"db_table": "search_document", "managed": False},
        ),
        # Named for the model, so a router can send it to a search database of its own.
        migrations.RunPython(create_tables, drop_tables, hints={"model_name": "searchdocument"}),
    ]

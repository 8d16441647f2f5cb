"""The queue holds statements only: the model label column goes, the pk is the statement's."""

from django.db import migrations, models


def drop_other_models(apps, schema_editor):
    # Nothing but statements was ever indexed; a row of another label could never be done.
    apps.get_model("search", "IndexQueue").objects.exclude(model="archive.statement").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_index_queue"),
    ]

    operations = [
        migrations.RunPython(drop_other_models, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="indexqueue", name="indexqueue_once"),
        migrations.RemoveField(model_name="indexqueue", name="model"),
        migrations.RenameField(
            model_name="indexqueue", old_name="object_pk", new_name="statement_pk"
        ),
        migrations.AlterField(
            model_name="indexqueue",
            name="statement_pk",
            field=models.BigIntegerField(unique=True),
        ),
    ]

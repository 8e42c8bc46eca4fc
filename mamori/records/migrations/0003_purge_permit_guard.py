"""The purge permit bound to the next record and guarded (mamori/events/triggers.py): installs the
events app's triggers again on databases migrated before, on SQLite and PostgreSQL alike.  It lives
here because the events app's migrations belong to another change set; it only needs the events
tables to exist."""

from django.db import migrations

from mamori.events import triggers


def forwards(apps, schema_editor):
    for statement in triggers.statements(schema_editor.connection.vendor, install=True):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_append_only"),
        ("events", "0002_partitions_and_triggers"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

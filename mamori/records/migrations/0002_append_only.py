from django.db import migrations

from mamori.records import triggers


def forwards(apps, schema_editor):
    triggers.install(schema_editor)


def backwards(apps, schema_editor):
    triggers.remove(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

from django.db import migrations

from mamori.records import triggers
from mamori.records.chain import GENESIS


def forwards(apps, schema_editor):
    triggers.install(schema_editor)
    # The chain's head exists from the start, so that the first two writers lock the same row
    # instead of racing to create it.
    apps.get_model("records", "RecordHead").objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})


def backwards(apps, schema_editor):
    triggers.remove(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

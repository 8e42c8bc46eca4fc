"""Issue 14: a source's expected evtx channels (["Security"] for the existing evtx sources), the
integrity findings and process of a batch, the states partial and interrupted, and a 64-bit line
(EventRecordID is 64-bit).

``line`` changes type in the state only on SQLite, where an INTEGER column holds 64-bit values
already: altering it there would rebuild events_event and drop its append-only triggers.  On
PostgreSQL the partitioned table is altered in place (ALTER TYPE does not fire row triggers)."""

from django.db import migrations, models


def line_to_bigint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE events_event ALTER COLUMN line TYPE bigint")


def line_to_integer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE events_event ALTER COLUMN line TYPE integer")


def security_for_evtx(apps, schema_editor):
    EventSource = apps.get_model("events", "EventSource")
    EventSource.objects.filter(format="evtx", channels=[]).update(channels=["Security"])


class Migration(migrations.Migration):
    dependencies = [("events", "0002_partitions_and_triggers")]

    operations = [
        migrations.AddField(
            model_name="eventsource",
            name="channels",
            field=models.JSONField(blank=True, default=list, verbose_name="想定するチャンネル"),
        ),
        migrations.RunPython(security_for_evtx, migrations.RunPython.noop),
        migrations.AddField(
            model_name="ingestbatch",
            name="findings",
            field=models.JSONField(blank=True, default=list, verbose_name="ファイルの検査結果"),
        ),
        migrations.AddField(
            model_name="ingestbatch",
            name="heartbeat",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最終更新"),
        ),
        migrations.AddField(
            model_name="ingestbatch",
            name="missing",
            field=models.BigIntegerField(default=0, verbose_name="欠落"),
        ),
        migrations.AddField(
            model_name="ingestbatch",
            name="process",
            field=models.CharField(blank=True, max_length=120, verbose_name="実行プロセス"),
        ),
        migrations.AlterField(
            model_name="ingestbatch",
            name="state",
            field=models.CharField(
                choices=[
                    ("running", "取込中"),
                    ("complete", "完了"),
                    ("partial", "一部保存（欠落・隔離あり）"),
                    ("interrupted", "中断"),
                    ("rejected", "不採用"),
                ],
                default="running",
                max_length=12,
                verbose_name="状態",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="line",
                    field=models.BigIntegerField(verbose_name="行・EventRecordID"),
                )
            ],
            database_operations=[migrations.RunPython(line_to_bigint, line_to_integer)],
        ),
    ]

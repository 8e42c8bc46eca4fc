"""PostgreSQL: the events table becomes partitioned by month (RANGE on ``at``, primary key
(id, at)); partitions are created on demand at ingest.  Both backends: append-only triggers."""

from django.db import migrations

from mamori.events import triggers

POSTGRES_PARTITION = [
    "ALTER TABLE events_event RENAME TO events_event_plain",
    "CREATE TABLE events_event (LIKE events_event_plain INCLUDING DEFAULTS) PARTITION BY RANGE (at)",
    "DROP TABLE events_event_plain",
    "CREATE SEQUENCE events_event_id_seq OWNED BY events_event.id",
    "ALTER TABLE events_event ALTER COLUMN id SET DEFAULT nextval('events_event_id_seq')",
    "ALTER TABLE events_event ADD PRIMARY KEY (id, at)",
    "ALTER TABLE events_event ADD CONSTRAINT events_fingerprint_unique UNIQUE (fingerprint, at)",
    "CREATE INDEX events_person_at ON events_event (person_id, at)",
    "CREATE INDEX events_host_at ON events_event (host, at)",
    "CREATE INDEX events_subject_at ON events_event (subject, at)",
    "CREATE INDEX events_account_at ON events_event (account, at)",
    "CREATE INDEX events_at ON events_event (at)",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRES_PARTITION:
            schema_editor.execute(statement)
    for statement in triggers.statements(vendor, install=True):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for statement in triggers.statements(schema_editor.connection.vendor, install=False):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate

from . import anchors  # imports no model: safe while the app registry loads


def _restart_empty_chains(sender, using, **kwargs) -> None:
    """A chain with no rows after ``migrate`` (a new installation, a database flushed between tests)
    starts its anchor file afresh; a chain with rows is never restarted (records/anchors.py)."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    # The event store's chunk chain is anchored here too (the events app depends on records).
    for chain, table in ((anchors.RECORDS, "records_record"), (anchors.EVENTS, "events_eventchunk")):
        if table not in tables:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
            empty = cursor.fetchone() is None
        if empty and anchors.latest(chain, using) is not None:
            anchors.restart(chain, using=using)


class RecordsConfig(AppConfig):
    name = "mamori.records"
    label = "records"

    def ready(self) -> None:
        post_migrate.connect(_restart_empty_chains, sender=self)

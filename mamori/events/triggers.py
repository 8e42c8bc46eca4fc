"""Append-only triggers of the event store, on SQLite and on PostgreSQL.

Events, chunks and purge checkpoints refuse UPDATE and DELETE.  The one way past is the purge
(MAI-25): :func:`mamori.events.purge.events_purge` inserts a row into ``events_purgepermit``,
deletes, and removes the row again in the same transaction, so no other connection ever sees the
permit.  Whoever can write to the database can still do the same — which is why the store is also
hash-chained and ``mamori records verify`` names what changed."""

from __future__ import annotations

GUARDED = ("events_eventchunk", "events_purgecheckpoint")

SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS events_event_no_update BEFORE UPDATE ON events_event
       BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS events_event_no_delete BEFORE DELETE ON events_event
       WHEN NOT EXISTS (SELECT 1 FROM events_purgepermit)
       BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused outside the purge'); END""",
    *[
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"""
        for table in GUARDED
        for op in ("UPDATE", "DELETE")
    ],
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS events_event_no_update",
    "DROP TRIGGER IF EXISTS events_event_no_delete",
    *[f"DROP TRIGGER IF EXISTS {table}_no_{op}" for table in GUARDED for op in ("update", "delete")],
]
POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION events_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND (TG_TABLE_NAME = 'events_event' OR left(TG_TABLE_NAME, 14) = 'events_event_p')
            AND EXISTS (SELECT 1 FROM events_purgepermit) THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused';
       END;
       $$ LANGUAGE plpgsql""",
    # On the partitioned table the row trigger is cloned onto every partition, present and future.
    """CREATE OR REPLACE TRIGGER events_event_no_change BEFORE UPDATE OR DELETE ON events_event
       FOR EACH ROW EXECUTE FUNCTION events_refuse_change()""",
    """CREATE OR REPLACE TRIGGER events_event_no_truncate BEFORE TRUNCATE ON events_event
       FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change()""",
    *[
        f"""CREATE OR REPLACE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION events_refuse_change()"""
        for table in GUARDED
    ],
    *[
        f"""CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change()"""
        for table in GUARDED
    ],
]
POSTGRES_REMOVE = [
    *[
        f"DROP TRIGGER IF EXISTS {table}_no_{what} ON {table}"
        for table in ("events_event", *GUARDED)
        for what in ("change", "truncate")
    ],
    "DROP FUNCTION IF EXISTS events_refuse_change()",
]


def statements(vendor: str, install: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_REMOVE
    raise NotImplementedError(f"append-only triggers are not written for {vendor}")


def run(cursor, vendor: str, *, install: bool) -> None:
    for statement in statements(vendor, install):
        cursor.execute(statement)

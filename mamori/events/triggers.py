"""Append-only triggers of the event store, on SQLite and on PostgreSQL.

Events, chunks and purge checkpoints refuse UPDATE and DELETE.  The one way past is the purge
(MAI-25): :func:`mamori.events.purge.events_purge` inserts a row into ``events_purgepermit``,
deletes, and removes the row again in the same transaction, so no other connection ever sees the
permit.  Whoever can write to the database can still do the same — which is why the store is also
hash-chained and ``mamori records verify`` names what changed.

The permit table is guarded too: a permit must name the last purge checkpoint (``MAI-25 purge
after checkpoint #N``; the purge writes checkpoint N+1), only one at a time, and is never updated.
A permit opens the table only until the next checkpoint is written, so one left behind (or slipped
in by hand) closes by itself at the next purge, and ``verify`` reports any permit it finds.  (The
events' own tables only: a trigger naming another app's table breaks SQLite's table rebuilds in
migrations that run before that app's.)"""

from __future__ import annotations

GUARDED = ("events_eventchunk", "events_purgecheckpoint")
PERMIT_PREFIX = "MAI-25 purge after checkpoint #"
# The one permit that may exist: the one naming the last checkpoint (0: none yet).
NEXT_PERMIT = f"'{PERMIT_PREFIX}' || coalesce((SELECT max(id) FROM events_purgecheckpoint), 0)"

SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS events_event_no_update BEFORE UPDATE ON events_event
       BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END""",
    # Dropped and made again: databases migrated before the permit was bound have the older form.
    "DROP TRIGGER IF EXISTS events_event_no_delete",
    f"""CREATE TRIGGER events_event_no_delete BEFORE DELETE ON events_event
       WHEN NOT EXISTS (SELECT 1 FROM events_purgepermit WHERE reason = {NEXT_PERMIT})
       BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused outside the purge'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS events_purgepermit_guard BEFORE INSERT ON events_purgepermit
       WHEN EXISTS (SELECT 1 FROM events_purgepermit) OR NEW.reason IS NOT ({NEXT_PERMIT})
       BEGIN SELECT RAISE(ABORT, 'events_purgepermit: only the purge, naming the last checkpoint, may insert a permit'); END""",
    """CREATE TRIGGER IF NOT EXISTS events_purgepermit_no_update BEFORE UPDATE ON events_purgepermit
       BEGIN SELECT RAISE(ABORT, 'events_purgepermit: UPDATE refused'); END""",
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
    "DROP TRIGGER IF EXISTS events_purgepermit_guard",
    "DROP TRIGGER IF EXISTS events_purgepermit_no_update",
    *[f"DROP TRIGGER IF EXISTS {table}_no_{op}" for table in GUARDED for op in ("update", "delete")],
]
POSTGRES_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION events_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND (TG_TABLE_NAME = 'events_event' OR left(TG_TABLE_NAME, 14) = 'events_event_p')
            AND EXISTS (SELECT 1 FROM events_purgepermit WHERE reason = {NEXT_PERMIT}) THEN
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
    f"""CREATE OR REPLACE FUNCTION events_permit_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'INSERT' AND NOT EXISTS (SELECT 1 FROM events_purgepermit)
            AND NEW.reason = {NEXT_PERMIT} THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION USING MESSAGE = 'events_purgepermit: ' || TG_OP
           || ' refused (only the purge, naming the last checkpoint, may insert a permit)';
       END;
       $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER events_purgepermit_guard BEFORE INSERT OR UPDATE ON events_purgepermit
       FOR EACH ROW EXECUTE FUNCTION events_permit_guard()""",
]
POSTGRES_REMOVE = [
    *[
        f"DROP TRIGGER IF EXISTS {table}_no_{what} ON {table}"
        for table in ("events_event", *GUARDED)
        for what in ("change", "truncate")
    ],
    "DROP TRIGGER IF EXISTS events_purgepermit_guard ON events_purgepermit",
    "DROP FUNCTION IF EXISTS events_refuse_change()",
    "DROP FUNCTION IF EXISTS events_permit_guard()",
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

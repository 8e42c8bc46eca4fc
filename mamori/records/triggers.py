"""Database triggers that make records append-only, on SQLite and on PostgreSQL."""

from __future__ import annotations

SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS records_record_no_update BEFORE UPDATE ON records_record
       BEGIN SELECT RAISE(ABORT, 'records are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS records_record_no_delete BEFORE DELETE ON records_record
       BEGIN SELECT RAISE(ABORT, 'records are append-only: DELETE refused'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS records_record_no_update",
    "DROP TRIGGER IF EXISTS records_record_no_delete",
]
POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION records_refuse_change() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION USING MESSAGE = 'records are append-only: ' || TG_OP || ' refused'; END;
       $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER records_record_no_change BEFORE UPDATE OR DELETE ON records_record
       FOR EACH ROW EXECUTE FUNCTION records_refuse_change()""",
    """CREATE OR REPLACE TRIGGER records_record_no_truncate BEFORE TRUNCATE ON records_record
       FOR EACH STATEMENT EXECUTE FUNCTION records_refuse_change()""",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS records_record_no_change ON records_record",
    "DROP TRIGGER IF EXISTS records_record_no_truncate ON records_record",
    "DROP FUNCTION IF EXISTS records_refuse_change()",
]


def _statements(vendor: str, install: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_REMOVE
    raise NotImplementedError(f"append-only triggers are not written for {vendor}")


def install(schema_editor) -> None:
    for statement in _statements(schema_editor.connection.vendor, True):
        schema_editor.execute(statement)


def remove(schema_editor) -> None:
    for statement in _statements(schema_editor.connection.vendor, False):
        schema_editor.execute(statement)

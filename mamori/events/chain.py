"""The event store's hashing: fingerprints, the canonical encoding of a chunk and its chain.

Why not an HMAC per row like :mod:`mamori.records.chain`?  At millions of events a Python HMAC
over JSON per row costs more than the insert and makes ``verify`` slow.  Instead:

* a chunk (up to a few thousand events, one transaction) is encoded canonically — each row is its
  columns in :data:`COLUMNS` order as text joined by U+001F, rows joined by U+001E in id order — and
  its digest is the SHA-256 of those UTF-8 bytes.  The database can produce exactly those bytes
  itself (:func:`chunk_sql`), so ``verify`` makes one ``group_concat`` / ``string_agg`` per chunk
  and hashes in C, at millions of events per second;
* chunks are chained (``chain = sha256(prev_chain || digest)``) and each chunk appends one keyed
  Record, so rewriting a chunk and its digest still breaks the HMAC chain of the records;
* each event carries a keyed BLAKE2b *fingerprint* of its source and content: it makes re-ingesting
  the same file idempotent, and when a chunk's digest fails, recomputing the fingerprints names the
  row that was edited (a deleted row shows as a gap in the chunk's contiguous ids).

Control characters U+001E/U+001F are refused in event text at ingest, so the encoding is unambiguous.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from mamori.records import anchors
from mamori.records.actions import RecordAction

GENESIS = "0" * 64
UNIT, RECORD = "\x1f", "\x1e"
# The canonical column order.  id and batch_id come first so that the rest of a row's encoding can
# be made while the file is read, before the batch exists; the fingerprinted columns are contiguous.
COLUMNS = (
    "id",
    "batch_id",
    "at",
    "kind",
    "account",
    "host",
    "system",
    "subject",
    "action",
    "result_count",
    "session",
    "logon_type",
    "training",
    "source_id",
    "person_id",
    "line",
    "fingerprint",
)
# What the fingerprint covers: the source and the event's own columns (rows[2:14]) — not its id,
# batch, line or resolved person, which differ between two ingestions of the same event.
FINGERPRINTED = slice(2, 14)
NULLABLE = {"person_id", "result_count", "logon_type"}


def at_text(moment: dt.datetime, vendor: str) -> str:
    """``at`` exactly as the database renders it in :func:`chunk_sql` (UTC, no offset).

    SQLite keeps what Django would write (``isoformat(" ")``, no microseconds when they are 0);
    PostgreSQL's ``to_char(... 'US')`` always prints six digits.  (Slicing off "+00:00" is twice as
    fast as ``replace(tzinfo=None)``, and this runs once per event.)"""
    if vendor == "sqlite":
        return moment.astimezone(dt.UTC).isoformat(" ")[:-6]
    return moment.astimezone(dt.UTC).isoformat(" ", "microseconds")[:-6]


def text(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "1"
    if value is False:
        return "0"
    return str(value)


def encode_row(row: Sequence[Any]) -> str:
    """One row's columns after id and batch_id (``at`` already as :func:`at_text`), canonically."""
    return UNIT.join([text(value) for value in row])


def chunk_header(first_id: int, batch_id: int) -> str:
    """A chunk's digest starts with its first id and its batch: the rows themselves are encoded
    without id and batch_id (so they can be encoded while the file is read, before either exists).
    Ids stay bound: verify reads ``id BETWEEN first AND last`` in id order and counts the rows, so a
    renumbered, moved or missing row changes the digest or the count."""
    return f"{first_id}{UNIT}{batch_id}{RECORD}"


def chunk_digest(first_id: int, batch_id: int, encoded_rows: Sequence[str]) -> str:
    return hashlib.sha256((chunk_header(first_id, batch_id) + RECORD.join(encoded_rows)).encode()).hexdigest()


def chain_step(prev_chain: str, digest: str) -> str:
    return hashlib.sha256((prev_chain + digest).encode()).hexdigest()


def _key() -> bytes:
    return hashlib.sha256(b"mamori-events-fingerprint:" + settings.MAMORI_RECORD_KEY.encode()).digest()


class Fingerprinter:
    """The moment (10 hex digits of UTC epoch seconds) followed by a keyed BLAKE2b-88 of the row's
    content.  The key lives outside the database (the record key), so nobody who can only write to
    the database can forge a consistent fingerprint; the time prefix keeps the unique index's inserts
    near its right-hand edge for a log read in time order, instead of at random pages (a random
    32-character key costs as much as every other index together on a large table)."""

    def __init__(self) -> None:
        # The keyed state is made once and copied per event: a copy costs a third less than
        # re-keying BLAKE2b (which hashes a whole key block) for every event.
        self._keyed = hashlib.blake2b(key=_key(), digest_size=11)

    def __call__(self, content: str, seconds: int) -> str:
        mac = self._keyed.copy()
        mac.update(content.encode())
        return f"{seconds:010x}{mac.hexdigest()}"


def seconds_of(at_text_value: str) -> int:
    """UTC epoch seconds of an ``at`` rendered by :func:`at_text` (either vendor's form)."""
    moment = dt.datetime.fromisoformat(at_text_value).replace(tzinfo=dt.UTC)
    return int(moment.timestamp())


def content_of(row: Sequence[Any], occurrence: str) -> str:
    """What a fingerprint is taken over (a full row in COLUMNS order), plus which occurrence of
    identical content in its file this is — two identical lines in one export are two operations,
    but the same line in two overlapping exports is one."""
    return UNIT.join([text(value) for value in row[FINGERPRINTED]]) + UNIT + occurrence


def row_columns(vendor: str) -> list[str]:
    """SQL expressions rendering each column of an events_event row as in the canonical encoding."""
    parts = []
    for name in COLUMNS:
        column = f'"{name}"'
        if vendor == "sqlite":
            # SQLite keeps ``at`` as the text written at ingest, booleans as 0/1; NULL prints as ''.
            expr = f"ifnull({column}, '')" if name in NULLABLE else column
        elif name == "at":
            expr = "to_char(\"at\" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
        elif name == "training":
            expr = '("training")::int::text'
        elif name in NULLABLE:
            expr = f"coalesce({column}::text, '')"
        else:
            expr = f"{column}::text"
        parts.append(expr)
    return parts


def chunk_sql(vendor: str) -> str:
    """One query giving a chunk's (digest or its source, row count, rows of another batch).

    Parameters: the header (PostgreSQL only), the batch, the first and the last id.  PostgreSQL
    hashes inside the server (only 32 bytes travel).  SQLite formats each row with one ``printf``
    (a chain of ``||`` copies the growing string once per column: 2.5× slower), joins the chunk with
    ``group_concat`` in rowid order, and Python's hashlib hashes it."""
    columns = row_columns(vendor)[2:]
    if vendor == "sqlite":
        template = "%%s" + "\x1f%%s" * (len(columns) - 1)
        return (
            f"SELECT group_concat(r, char(30)), count(*), ifnull(sum(b <> %s), 0) FROM "
            f"(SELECT printf('{template}', {', '.join(columns)}) AS r, batch_id AS b FROM events_event "
            "WHERE id BETWEEN %s AND %s ORDER BY id)"
        )
    row = " || chr(31) || ".join(columns)
    return (
        f"SELECT encode(sha256(convert_to(%s || coalesce(string_agg({row}, chr(30) ORDER BY id), ''), 'UTF8')), "
        "'hex'), count(*), count(*) FILTER (WHERE batch_id <> %s) FROM events_event WHERE id BETWEEN %s AND %s"
    )


def chunk_state(
    cursor: Any, vendor: str, *, first_id: int, last_id: int, batch_id: int
) -> tuple[str, int, int]:
    """What a chunk's rows are now: (digest, count, rows of another batch)."""
    header = chunk_header(first_id, batch_id)
    if vendor == "sqlite":
        cursor.execute(chunk_sql(vendor), [batch_id, first_id, last_id])
        value, count, foreign = cursor.fetchone()
        return hashlib.sha256((header + (value or "")).encode()).hexdigest(), count, foreign
    cursor.execute(chunk_sql(vendor), [header, batch_id, first_id, last_id])
    return cursor.fetchone()


def _anchored_head(record: Any) -> tuple[str, int, str] | None:
    """The chunk chain's new head, anchored outside the database with the record that attests the
    chunk (mamori/records/anchors.py): a store cut back together with its records shows in verify."""
    after = record.after or {}
    if "chain" not in after:
        return None
    return anchors.EVENTS, int(record.object_id), str(after["chain"])


anchors.watch(RecordAction.EVENT_CHUNK_APPENDED, _anchored_head)

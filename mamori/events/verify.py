"""Verifying the event store: chunk by chunk inside the database, row by row only where it fails.

The fast path makes the database render each chunk in the canonical encoding (one aggregate per
chunk; PostgreSQL even hashes it) and compares the digest with the chunk's, which the keyed record
chain attests.  Only a chunk that fails is read into Python to name the first bad event: a gap in
its contiguous ids (deleted), a fingerprint that no longer matches its content (edited), a row of
another batch (inserted)."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections

from mamori.records import anchors
from mamori.records.actions import RecordAction
from mamori.records.models import Record
from mamori.regulations.registry import implements

from . import chain
from .models import EventChunk, PurgeCheckpoint, PurgePermit

CHUNK_FIELDS = ("batch", "first_id", "last_id", "count", "digest", "chain")


@dataclass
class EventVerification:
    chunks: int = 0
    checked: int = 0
    head_chain: str = chain.GENESIS
    problems: list[str] = field(default_factory=list)
    first_bad: str | None = None
    head_seq: int = 0
    anchor: anchors.Anchor | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, position: str, message: str) -> None:
        if self.first_bad is None:
            self.first_bad = position
        self.problems.append(message)


def _expected() -> dict[int, tuple[int, str]]:
    """Chunks whose rows a purge removed: (remaining count, digest of the remaining rows)."""
    residual: dict[int, tuple[int, str]] = {}
    for checkpoint in PurgeCheckpoint.objects.order_by("id"):
        for entry in checkpoint.chunks:
            residual[entry["chunk"]] = (entry["remaining"], entry["digest"])
    return residual


def _checkpoints_match_records(result: EventVerification) -> None:
    records = dict(Record.objects.filter(action=RecordAction.EVENTS_PURGED).values_list("seq", "after"))
    for checkpoint in PurgeCheckpoint.objects.order_by("id"):
        after = records.get(checkpoint.record_seq) or {}
        if after.get("chunks") != checkpoint.chunks or after.get("count") != checkpoint.count:
            result.fail(
                f"purge #{checkpoint.pk}", f"purge checkpoint #{checkpoint.pk}: does not match its record"
            )


def _fingerprint_candidates(row: tuple, fingerprint: chain.Fingerprinter) -> set[str]:
    candidates = ["0", f"r{row[chain.COLUMNS.index('line')]}", *map(str, range(1, 4))]
    seconds = chain.seconds_of(str(row[chain.COLUMNS.index("at")]))
    return {fingerprint(chain.content_of(row, occurrence), seconds) for occurrence in candidates}


def _name_the_row(chunk: EventChunk, remaining: int, purged: bool) -> str:
    """The slow path for a chunk whose digest failed: which event is it?"""
    fingerprint = chain.Fingerprinter()
    columns = ", ".join(chain.row_columns(connection.vendor))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM events_event WHERE id BETWEEN %s AND %s ORDER BY events_event.id",
            [chunk.first_id, chunk.last_id],
        )
        rows = cursor.fetchall()
    where = f"chunk #{chunk.seq}"
    expected_id = chunk.first_id
    for row in rows:
        row_id = int(row[0])
        if not purged and row_id != expected_id:
            return f"{where}, event #{expected_id}: missing — the event was deleted"
        if str(row[chain.COLUMNS.index("batch_id")]) != str(chunk.batch_id):
            return f"{where}, event #{row_id}: belongs to another batch — a row was inserted or moved"
        if row[-1] not in _fingerprint_candidates(row, fingerprint):
            return f"{where}, event #{row_id}: {_edited_column(row)} — the event was edited"
        expected_id = row_id + 1
    if len(rows) < remaining:
        if not purged and expected_id <= chunk.last_id:
            return f"{where}, event #{expected_id}: missing — the event was deleted"
        return f"{where}: {remaining - len(rows)} event(s) missing — events were deleted"
    if len(rows) > remaining:
        return f"{where}: {len(rows) - remaining} event(s) more than chained — rows were inserted"
    return f"{where} (events #{chunk.first_id}–#{chunk.last_id}): a column outside the fingerprint (person) was edited"


CONTENT_COLUMNS = chain.COLUMNS[chain.FINGERPRINTED]


def _edited_column(row: tuple) -> str:
    """Which column of an event whose fingerprint fails was changed, as far as the fingerprint tells:
    it starts with the moment in seconds, so a changed ``at`` is named; any other column only shows
    as content that no longer matches the keyed hash."""
    stored = str(row[-1])
    moment = chain.seconds_of(str(row[chain.COLUMNS.index("at")]))
    if stored[:10] != f"{moment:010x}":
        return "column at (日時) changed — content does not match its fingerprint"
    others = ", ".join(c for c in CONTENT_COLUMNS if c != "at")
    return f"content does not match its fingerprint (one of the columns {others} changed)"


def _stray_permits(result: EventVerification) -> None:
    """A purge permit is inserted and removed inside the purge's own transaction: one that is here
    to be seen was left or slipped in behind mamori's back, and opens the events to DELETE."""
    for pk, reason in PurgePermit.objects.values_list("pk", "reason"):
        result.fail(
            f"purge permit #{pk}",
            f"purge permit #{pk} ({reason}): present outside a purge — inserted behind mamori's back; "
            "events may have been deleted through it",
        )


PARALLEL_CHUNKS = 32  # fewer chunks verify faster on the one connection


def _states_in_parallel(chunks: list[EventChunk]) -> dict[int, tuple[str, int, int]] | None:
    """Each chunk's state, several chunks at a time: the database formats and hashes with the GIL
    released, so threads with a connection each use the cores.  Only outside a transaction (other
    connections would not see uncommitted rows) and for enough chunks to be worth the connections."""
    workers = min(os.cpu_count() or 1, 4)
    if workers < 2 or len(chunks) < PARALLEL_CHUNKS or connection.in_atomic_block:
        return None
    vendor = connection.vendor

    def state(part: list[EventChunk]) -> list[tuple[int, tuple[str, int, int]]]:
        try:
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                return [
                    (
                        c.seq,
                        chain.chunk_state(
                            cursor, vendor, first_id=c.first_id, last_id=c.last_id, batch_id=c.batch_id
                        ),
                    )
                    for c in part
                ]
        finally:
            connections[DEFAULT_DB_ALIAS].close()

    parts = [chunks[i::workers] for i in range(workers)]
    if vendor == "sqlite":
        in_processes = _sqlite_states_in_processes(parts)
        if in_processes is not None:
            return in_processes
    with ThreadPoolExecutor(workers) as pool:
        return {seq: value for part in pool.map(state, parts) for seq, value in part}


def _sqlite_states(
    job: tuple[str, list[tuple[int, int, int, int]]],
) -> list[tuple[int, tuple[str, int, int]]]:
    """In a forked worker: its own read-only connection to the database file (never the parent's)."""
    name, part = job
    sql = chain.chunk_sql("sqlite").replace("%%", "\0").replace("%s", "?").replace("\0", "%")
    db = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
    try:
        out = []
        for seq, first_id, last_id, batch_id in part:
            value, count, foreign = db.execute(sql, (batch_id, first_id, last_id)).fetchone()
            header = chain.chunk_header(first_id, batch_id)
            digest = hashlib.sha256((header + (value or "")).encode()).hexdigest()
            out.append((seq, (digest, count, foreign)))
        return out
    finally:
        db.close()


def _sqlite_states_in_processes(parts: list[list[EventChunk]]) -> dict[int, tuple[str, int, int]] | None:
    """SQLite formats with a process-wide allocator mutex: threads do not scale (measured: 2 threads
    0.32 s, one 0.36 s for 200,000 events) but processes do (0.21 s).  The workers only read the
    committed file (WAL readers); an in-memory database cannot be shared, so it stays on one thread."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or not os.path.exists(name):
        return None
    # Fork only a single-threaded process (the verify command, the bench): in a threaded server
    # another thread may hold a lock (SQLite's, logging's) at the fork, and the child would hang.
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return None
    jobs = [(name, [(c.seq, c.first_id, c.last_id, c.batch_id) for c in part]) for part in parts]
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        return {seq: value for part in pool.map(_sqlite_states, jobs) for seq, value in part}


@implements("MAI-25", "FUK-18-1")
def events_verify(*, stop_at_first: bool = True) -> EventVerification:
    """Recompute every chunk's digest and the chunk chain; check them against the records."""
    result = EventVerification()
    vendor = connection.vendor
    records: dict[int, Any] = dict(
        Record.objects.filter(action=RecordAction.EVENT_CHUNK_APPENDED).values_list("seq", "after")
    )
    residual = _expected()
    _stray_permits(result)
    _checkpoints_match_records(result)
    prev_chain = chain.GENESIS
    expected_total = 0
    seen_records = set()
    chunks = list(EventChunk.objects.order_by("seq"))
    states = _states_in_parallel(chunks) or {}
    with connection.cursor() as cursor:
        for chunk in chunks:
            result.chunks += 1
            position = f"chunk #{chunk.seq}"
            if chunk.seq != result.chunks:
                result.fail(
                    f"chunk #{result.chunks}", f"chunk #{result.chunks}: missing — the chunk row was deleted"
                )
                result.chunks = chunk.seq
            after = records.get(chunk.record_seq) or {}
            seen_records.add(chunk.record_seq)
            mine = {
                "batch": chunk.batch_id,
                "first_id": chunk.first_id,
                "last_id": chunk.last_id,
                "count": chunk.count,
                "digest": chunk.digest,
                "chain": chunk.chain,
            }
            if {key: after.get(key) for key in CHUNK_FIELDS} != mine:
                result.fail(
                    position,
                    f"{position}: does not match its record #{chunk.record_seq} — the chunk was altered",
                )
            if chunk.prev_chain != prev_chain or chunk.chain != chain.chain_step(prev_chain, chunk.digest):
                result.fail(position, f"{position}: does not follow chunk #{chunk.seq - 1} in the chain")
            prev_chain = chunk.chain
            remaining, digest = residual.get(chunk.seq, (chunk.count, chunk.digest))
            expected_total += remaining
            now, count, foreign = states.get(chunk.seq) or chain.chunk_state(
                cursor, vendor, first_id=chunk.first_id, last_id=chunk.last_id, batch_id=chunk.batch_id
            )
            result.checked += count
            if now != digest or count != remaining or foreign:
                message = _name_the_row(chunk, remaining, chunk.seq in residual)
                result.fail(message.split(":")[0], message)
            if stop_at_first and result.problems:
                return result
        missing = [seq for seq in records if seq not in seen_records]
        if missing:
            seq = min(missing)
            result.fail(
                f"record #{seq}",
                f"chunk of record #{seq} ({records[seq]}): missing — the chunk row was deleted",
            )
        cursor.execute("SELECT count(*) FROM events_event")
        total = cursor.fetchone()[0]
        if total != expected_total and not result.problems:
            cursor.execute(
                "SELECT min(id) FROM events_event e WHERE NOT EXISTS "
                "(SELECT 1 FROM events_eventchunk c WHERE e.id BETWEEN c.first_id AND c.last_id)"
            )
            stray = cursor.fetchone()[0]
            result.fail(
                f"event #{stray}",
                f"event #{stray}: not in any chunk — {total - expected_total} row(s) added outside mamori",
            )
    result.head_chain = prev_chain
    result.head_seq = chunks[-1].seq if chunks else 0
    _compare_with_anchor(result, chunks)
    return result


def _compare_with_anchor(result: EventVerification, chunks: list[EventChunk]) -> None:
    """The chunk chain against the newest head anchored outside the database (records/anchors.py):
    chunks cut off the end together with their records and the record head show here."""
    anchor = result.anchor = anchors.latest(anchors.EVENTS)
    if anchor is None:
        return
    if result.head_seq < anchor.position:
        result.fail(
            f"chunk #{result.head_seq + 1}",
            f"chunks #{result.head_seq + 1}–#{anchor.position}: missing — the event store ends at chunk "
            f"#{result.head_seq} but the anchor {anchor.describe()} (events deleted at the end)",
        )
        return
    at_anchor = next((c for c in chunks if c.seq == anchor.position), None)
    if at_anchor is None or at_anchor.chain != anchor.hash:
        result.fail(
            f"chunk #{anchor.position}",
            f"chunk #{anchor.position}: differs from the anchor {anchor.describe()} — the chain was rewritten",
        )

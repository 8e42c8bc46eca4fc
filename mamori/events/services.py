"""Ingesting operation events: validate the whole file, then store it chunk by chunk.

A Windows log is first checked as a file (:mod:`.evtxfile`: header, chunk checksums, continuity
of EventRecordIDs) and refused if damaged; with a quarantine file its trusted records are stored
and the loss is stated.  A batch whose process was killed is marked ``interrupted`` by the next
ingest; one whose ingest crashed is marked so at once.

Why not one transaction per file: a month of logs is millions of rows, and ``kill -9`` halfway must
neither lose what was committed nor store it twice on the next run.  So each chunk of
:data:`CHUNK` events is one transaction that inserts the events (executemany on SQLite, COPY on
PostgreSQL), appends its :class:`EventChunk` and one Record carrying the chunk's digest; events
already present (same fingerprint) are counted as duplicates, which makes a re-run after a kill,
or of the same file, store exactly what is missing.  A file with a bad line is refused before
anything is written (or, with a quarantine file, its bad lines go there with their reasons).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from mamori.access.models import Entitlement
from mamori.accounts.models import User
from mamori.core import time
from mamori.core.policy import Actor
from mamori.core.time import TOKYO
from mamori.organisation.models import Person
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, _head_for_update, record_append_many
from mamori.regulations.registry import implements

from . import chain, evtxfile, parsers, winlog
from .batches import ingest_batch_interrupt, interrupted_batches, this_process
from .hooks import run_after_ingest
from .models import (
    BATCH_TRANSITIONS,
    BatchState,
    EventChunk,
    EventSource,
    IngestBatch,
    SourceFormat,
    default_retention_class,
)
from .outcome import IngestRejected, IngestReport, findings_as_data, quarantine_hint

__all__ = ["CHUNK", "IngestRejected", "IngestReport", "event_source_save", "events_ingest"]

CHUNK = 5000
COLUMN_LIST = ", ".join(f'"{name}"' for name in chain.COLUMNS)
_NOT_NULL_TEXT = ("kind", "account", "host", "system", "subject", "action", "session", "fingerprint")
COPY_SQL = (
    f"COPY events_event ({COLUMN_LIST}) FROM STDIN WITH (FORMAT csv, DELIMITER E'\\x1f', "
    f"QUOTE E'\\x1e', NULL '', FORCE_NOT_NULL ({', '.join(_NOT_NULL_TEXT)}))"
)


# --- sources ------------------------------------------------------------------------------------


@transaction.atomic
def event_source_save(
    *,
    code: str,
    name: str,
    format: str,
    system: str = "",
    mapping: dict | None = None,
    retention_class: str | None = None,
    channels: list[str] | None = None,
    actor: Actor = None,
) -> EventSource:
    """Register a source or change its mapping; a CSV mapping must name at least at and account.
    An evtx source expects the Security channel unless ``channels`` says otherwise.  Its events are
    kept for the period of ``retention_class``, by default the active pack's class for operation
    events (issue 9 item 6)."""
    retention_class = retention_class or default_retention_class()
    if format not in SourceFormat.values:
        raise ValueError(f"format: {format!r} は {', '.join(SourceFormat.values)} のいずれかです")
    if channels is None:
        channels = [winlog.SECURITY] if format == SourceFormat.EVTX else []
    channels = [str(channel).strip() for channel in channels if str(channel).strip()]
    if channels and format != SourceFormat.EVTX:
        raise ValueError("channels: チャンネルを指定できるのは evtx の取込元だけです")
    if format == SourceFormat.CSV:
        columns = parsers.Mapping.of(mapping or {}).columns
        missing = [name for name in ("at", "account") if name not in columns]
        if missing:
            raise ValueError(f"mapping: {', '.join(missing)} の列の指定が必要です")
    source, created = EventSource.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "format": format,
            "system": system,
            "mapping": mapping or {},
            "retention_class": retention_class,
            "channels": channels,
        },
    )
    record_append_many(
        entries=[
            Entry(
                action=RecordAction.EVENT_SOURCE_CREATED if created else RecordAction.EVENT_SOURCE_CHANGED,
                object_type="events.EventSource",
                object_id=source.code,
                actor=actor,
                after={
                    "name": name,
                    "format": format,
                    "system": system,
                    "mapping": mapping or {},
                    "retention_class": retention_class,
                    "channels": channels,
                },
            )
        ]
    )
    return source


# --- people -------------------------------------------------------------------------------------


class PersonResolver:
    """account → Person, loaded once per ingest: the management file's user ID on the same system
    (access.Entitlement.user_id), then the staff number, then mamori's own user name."""

    def __init__(self) -> None:

        self.by_system: dict[tuple[str, str], int] = {
            (system, user_id): person
            for system, user_id, person in Entitlement.objects.order_by("valid_from").values_list(
                "system__code", "user_id", "person_id"
            )
        }
        self.by_account: dict[str, int] = {
            username: person
            for username, person in User.objects.filter(person__isnull=False).values_list(
                "username", "person_id"
            )
        }
        self.by_account.update(Person.objects.values_list("staff_number", "id"))

    def __call__(self, account: str, system: str) -> int | None:
        if system:
            found = self.by_system.get((system, account))
            if found is not None:
                return found
        return self.by_account.get(account)


# --- storage ------------------------------------------------------------------------------------


def _month_starts(first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    local, end = first.astimezone(TOKYO), last.astimezone(TOKYO)
    month = dt.datetime(local.year, local.month, 1, tzinfo=TOKYO)
    months = []
    while month <= end:
        months.append(month)
        month = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=TOKYO)
    return months


def partition_name(month: dt.datetime) -> str:
    return f"events_event_p{month.year:04d}_{month.month:02d}"


def ensure_partitions(first: dt.datetime, last: dt.datetime) -> list[str]:
    """PostgreSQL: the month partitions (Japan time) that events between first and last fall in."""
    if connection.vendor != "postgresql":
        return []
    months = _month_starts(first, last)
    names = [partition_name(month) for month in months]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname = ANY(%s)", [names])
        present = {name for (name,) in cursor.fetchall()}
        for month, name in zip(months, names, strict=True):
            if name in present:
                continue
            following = _month_starts(month + dt.timedelta(days=32), month + dt.timedelta(days=32))[0]
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF events_event "
                f"FOR VALUES FROM ('{month.isoformat()}') TO ('{following.isoformat()}')"
            )
    return names


def _insert(stored: list[tuple], rests: list[str], batch_id: int) -> int:
    """Insert a chunk's rows with contiguous ids; returns the first id.  The caller holds the write
    lock (the record head; on SQLite the IMMEDIATE transaction), so nobody else takes ids meanwhile."""
    names = COLUMN_LIST.split(", ", 2)[2]  # the columns after id and batch_id
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT coalesce(max(id), 0) FROM events_event")
            first_id = cursor.fetchone()[0] + 1
            # The rows go in as their canonical encoding (made in pass 1), read as CSV with U+001F
            # between columns: no per-row Python formatting here.  Event text never holds U+001E,
            # U+001F, CR or LF (refused at ingest), so U+001E can be the never-used quote character;
            # an empty field is NULL only in the nullable integer columns.  ``at`` gets its "+00"
            # (the digest used it without) so COPY does not depend on the session's time zone.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(COPY_SQL) as copy,
            ):
                unit, head = chain.UNIT, f"{chain.UNIT}{int(batch_id)}{chain.UNIT}"
                offset = "+00" + unit
                copy.write(
                    "".join(
                        [
                            f"{first_id + i}{head}{rest.replace(unit, offset, 1)}\n"
                            for i, rest in enumerate(rests)
                        ]
                    )
                )
            cursor.execute("SELECT setval('events_event_id_seq', %s)", [first_id + len(stored) - 1])
            return first_id
        # SQLite: AUTOINCREMENT numbers one executemany's rows consecutively, and the batch is a
        # literal of the statement, so the rows go in as they were prepared, with no per-row Python.
        marks = ", ".join(["%s"] * len(chain.COLUMNS[2:]))
        cursor.executemany(
            f"INSERT INTO events_event (batch_id, {names}) VALUES ({int(batch_id)}, {marks})", stored
        )
        cursor.execute("SELECT max(id) FROM events_event")
        return cursor.fetchone()[0] - len(stored) + 1


def _present(fingerprints: list[str]) -> set[str]:
    found: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(fingerprints), 500):
            part = fingerprints[start : start + 500]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"SELECT fingerprint FROM events_event WHERE fingerprint IN ({marks})", part)
            found.update(value for (value,) in cursor.fetchall())
    return found


def _moment(at_text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(at_text).replace(tzinfo=dt.UTC)


@transaction.atomic
def _commit_chunk(
    *, stored: list[tuple], rests: list[str], batch: IngestBatch, source: EventSource, actor: Actor
) -> tuple[int, int]:
    """Store one chunk in one transaction; returns (stored, duplicates).

    ``stored`` are the rows without their first two columns (id, batch_id), ``rests`` their
    canonical encoding, both made while the file was read (:func:`_read`)."""
    _head_for_update()  # serialises ingests (and every record writer) on PostgreSQL
    at_min, at_max = min(row[0] for row in stored), max(row[0] for row in stored)
    ensure_partitions(_moment(at_min), _moment(at_max))
    duplicates = 0
    for attempt in range(2):
        if attempt == 1:  # some are stored already (a re-run, an overlapping export): leave them out
            present = _present([row[-1] for row in stored])
            keep = [i for i, row in enumerate(stored) if row[-1] not in present]
            duplicates = len(stored) - len(keep)
            stored, rests = [stored[i] for i in keep], [rests[i] for i in keep]
            if not stored:
                return 0, duplicates
        batch_id = batch.pk
        try:
            with transaction.atomic():
                first_id = _insert(stored, rests, batch_id)
            break
        except IntegrityError:
            if attempt == 1:
                raise
    digest = chain.chunk_digest(first_id, batch_id, rests)
    previous = EventChunk.objects.order_by("-seq").values_list("seq", "chain").first()
    seq, prev_chain = (previous[0] + 1, previous[1]) if previous else (1, chain.GENESIS)
    link = chain.chain_step(prev_chain, digest)
    last_id, count = first_id + len(stored) - 1, len(stored)
    record = record_append_many(
        entries=[
            Entry(
                action=RecordAction.EVENT_CHUNK_APPENDED,
                object_type="events.EventChunk",
                object_id=str(seq),
                actor=actor,
                after={
                    "batch": batch_id,
                    "source": source.code,
                    "first_id": first_id,
                    "last_id": last_id,
                    "count": count,
                    "digest": digest,
                    "chain": link,
                },
            )
        ]
    )[0]
    EventChunk.objects.create(
        seq=seq,
        batch=batch,
        first_id=first_id,
        last_id=last_id,
        count=count,
        at_min=_moment(at_min),
        at_max=_moment(at_max),
        digest=digest,
        prev_chain=prev_chain,
        chain=link,
        record_seq=record.seq,
    )
    IngestBatch.objects.filter(pk=batch.pk).update(
        stored=F("stored") + count, duplicate=F("duplicate") + duplicates, heartbeat=time.now()
    )
    return count, duplicates


def _write_quarantine(path: Path, report: IngestReport) -> None:
    """The quarantine file: one line per bad line or record, and for a Windows log one per problem
    of the file (its chunk and EventRecordID range)."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("# file\tline\tfield\treason\traw\n")
        for finding in report.findings:
            if not finding.refuses:
                continue
            ids = "" if finding.first_id is None else str(finding.first_id)
            if finding.last_id not in (None, finding.first_id):
                ids += f"-{finding.last_id}"
            place = f"chunk {finding.chunk}" if finding.chunk else "file"
            out.write(f"{report.file_name}\t{ids}\t{place}\t{finding.message}\t\n")
        for error in report.errors:
            raw = error.raw.replace("\t", " ").replace("\n", " ")
            out.write(f"{report.file_name}\t{error.line}\t{error.field}\t{error.reason}\t{raw}\n")


def _file_bytes(path: Path, file_name: str) -> bytes:
    """A file's bytes, or one clear line why not (a directory, a missing or unreadable file)."""
    try:
        if path.is_dir():
            raise IngestRejected(
                file_name, headline=f"{path}: ディレクトリです。取り込むファイルを指定してください"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise IngestRejected(file_name, headline=f"{path}: ファイルがありません") from None
    except PermissionError:
        raise IngestRejected(file_name, headline=f"{path}: 読む権限がありません") from None
    except OSError as error:
        raise IngestRejected(
            file_name, headline=f"{path}: ファイルを読めません（詳細: {error.strerror or error}）"
        ) from None


IN_MEMORY_CHUNKS = 40  # a day's log stays in memory; a month's goes to temporary files


@dataclass
class _Read:
    """Pass 1 of a file: the prepared rows in chunks — in memory, then in temporary files (memory
    stays flat at millions of events, and the file is parsed once) — the bad lines and the counts."""

    memory: list = field(default_factory=list)
    files: list = field(default_factory=list)
    order: list[tuple[int, int]] = field(default_factory=list)  # (file index or -1, memory index)
    total: int = 0
    read: int = 0
    skipped: int = 0
    skipped_reasons: Counter = field(default_factory=Counter)
    skipped_events: Counter = field(default_factory=Counter)  # (EventID, LogonType) → count
    errors: list[parsers.Bad] = field(default_factory=list)

    @property
    def chunks(self) -> int:
        return len(self.order)

    def add(self, stored: list[tuple], rests: list[str], *, in_memory: bool = True) -> None:
        if in_memory and len(self.memory) < IN_MEMORY_CHUNKS:
            self.order.append((-1, len(self.memory)))
            self.memory.append((stored, rests))
            return
        if not self.files:
            self.files.append(tempfile.TemporaryFile())  # noqa: SIM115 - closed by close()
        data = marshal.dumps((stored, rests))
        self.files[0].write(len(data).to_bytes(8, "little") + data)
        self.order.append((0, -1))

    def take(self, files_read: set[int]) -> Iterator[tuple[list[tuple], list[str]]]:
        for source, index in self.order:
            if source < 0:
                chunk, self.memory[index] = self.memory[index], ([], [])
                yield chunk
                continue
            spill = self.files[source]
            if source not in files_read:
                spill.seek(0)
                files_read.add(source)
            size = int.from_bytes(spill.read(8), "little")
            yield marshal.loads(spill.read(size))

    def close(self) -> None:
        for spill in self.files:
            spill.close()


def _prepare(
    lines: Iterable,
    *,
    result: _Read,
    context: dict[str, Any],
    in_memory: bool,
    progress: Callable[[int, int | None], None] | None = None,
) -> None:
    """Validate and prepare each line: the stored tuple (columns after id and batch_id), its canonical
    encoding and its fingerprint."""
    vendor, resolve, fingerprint = context["vendor"], context["resolve"], context["fingerprint"]
    source_id, default_system, chunk_size = context["source_id"], context["system"], context["chunk_size"]
    unit, utc = chain.UNIT, dt.UTC
    # chain.at_text inlined (UTC, offset sliced off): SQLite keeps isoformat(" "), PostgreSQL's
    # to_char always prints the microseconds.
    timespec = "auto" if vendor == "sqlite" else "microseconds"
    source_text = f"{unit}{source_id}"
    seen: dict[str, int] = {}
    people: dict[tuple[str, str], int | None] = {}  # resolve's answers: a few hundred accounts
    unknown = object()
    stored: list[tuple] = []
    rests: list[str] = []
    row_type, bad_type = parsers.Row, parsers.Bad
    for item in lines:
        result.total += 1
        if type(item) is not row_type:
            if isinstance(item, bad_type):
                result.errors.append(item)
            else:
                result.read += 1
                result.skipped += 1
                result.skipped_reasons[item.reason] += 1
                if item.event_id is not None:
                    result.skipped_events[item.event_id, item.logon_type] += 1
            continue
        result.read += 1
        system = item.system or default_system
        moment = item.at.astimezone(utc)
        at = moment.isoformat(" ", timespec)[:-6]
        kind, account, host, subject = item.kind, item.account, item.host, item.subject
        action, result_count, session = item.action, item.result_count, item.session
        logon_type, training = item.logon_type, item.training
        # The canonical text of the fingerprinted columns in one f-string (chain.encode_row's
        # rules: None → "", booleans → 1/0, numbers as str()).
        head = (
            f"{at}{unit}{kind}{unit}{account}{unit}{host}{unit}{system}{unit}{subject}{unit}{action}{unit}"
            f"{'' if result_count is None else result_count}{unit}{session}{unit}"
            f"{'' if logon_type is None else logon_type}{unit}{'1' if training else '0'}{source_text}"
        )
        seconds = int(moment.timestamp())
        mark = fingerprint(f"{head}{unit}{item.occurrence or '0'}", seconds)
        if item.occurrence is None:  # identical lines in one file are distinct operations
            count = seen.get(mark)
            if count is not None:
                seen[mark] = count + 1
                mark = fingerprint(f"{head}{unit}{count}", seconds)
            else:
                if len(seen) > 200_000:  # identical lines sit together (same second): a window suffices
                    seen.clear()
                seen[mark] = 1
        key = (account, system)
        person = people.get(key, unknown)
        if person is unknown:
            person = people[key] = resolve(account, system)
        stored.append(
            (
                at,
                kind,
                account,
                host,
                system,
                subject,
                action,
                result_count,
                session,
                logon_type,
                training,
                source_id,
                person,
                item.line,
                mark,
            )
        )
        rests.append(f"{head}{unit}{'' if person is None else person}{unit}{item.line}{unit}{mark}")
        if len(stored) >= chunk_size:
            result.add(stored, rests, in_memory=in_memory)
            stored, rests = [], []
            if progress:
                progress(result.total, None)
    if stored:
        result.add(stored, rests, in_memory=in_memory)


def _read(
    *, lines: Iterable, context: dict[str, Any], progress: Callable[[int, int | None], None] | None = None
) -> _Read:
    """Pass 1, in this process.  (Forked workers preparing parts of the file were tried: on a
    2-core machine the copying of their results cost more than the parallel work saved.)"""
    result = _Read()
    _prepare(lines, result=result, context=context, in_memory=True, progress=progress)
    return result


def _channel_refusal(file_name: str, source: EventSource, channels: Counter) -> IngestRejected | None:
    expected = list(source.channels or [])
    if not expected:
        return None
    other = {channel: count for channel, count in channels.items() if channel not in expected}
    if not other:
        return None
    wanted = "・".join(expected)
    if len(channels) == 1:
        (channel,) = other
        headline = f"{file_name}: このファイルは {channel} ログです（取込元は {wanted} を想定）"
    else:
        listed = "、".join(f"{channel or '(不明)'} {count} 件" for channel, count in other.items())
        headline = f"{file_name}: {wanted} 以外のログのレコードが含まれています（{listed}）"
    hint = (
        f"何も保存していません。このログを取り込むなら、そのチャンネルの取込元を登録してください"
        f'（mamori records source CODE --format evtx --channel "{next(iter(other))}"）'
    )
    return IngestRejected(file_name, headline=headline, hint=hint)


@implements("FUK-18-1", "YAN-13-1", "KIT-10", "MAI-25")
def events_ingest(
    *,
    source: EventSource,
    data: bytes | None = None,
    path: Path | str | None = None,
    values: Iterable[dict[str, Any]] | None = None,
    file_name: str = "",
    format: str | None = None,
    actor: Actor = None,
    quarantine: Path | str | None = None,
    chunk_size: int = CHUNK,
    progress: Callable[[int, int | None], None] | None = None,
) -> IngestReport:
    """Store the operation events of one file (FUK-18-1: 端末機の稼働状況を記録; the training mark of
    KIT-10 is kept per event).  Not one transaction: each chunk commits on its own (see the module);
    the whole file is read and checked first, so a refused file writes nothing.

    The events come from ``path`` or ``data`` (a file's bytes, read as ``format``) or ``values``
    (events already decoded into dicts with the JSON field names).  A Windows log is checked as a
    file first; damage refuses it unless ``quarantine`` is given, and an unreadable file or one of
    another channel is refused even then."""
    fmt = format or source.format
    path = Path(path) if path is not None else None
    file_name = file_name or (path.name if path else f"{source.code}.{fmt}")
    if data is None and path is not None:
        data = _file_bytes(path, file_name)
    report = IngestReport(file_name=file_name, unit="record" if fmt == SourceFormat.EVTX else "line")
    report.interrupted = interrupted_batches(actor=actor)
    check: evtxfile.FileCheck | None = None
    records: winlog.EvtxRecords | None = None
    lines: Iterable[parsers.Row | parsers.Skip | parsers.Bad]
    if values is not None:
        values = values if isinstance(values, list) else list(values)
        file_sha256, lines = "", parsers.read_values(values)
    else:
        data = data or b""
        file_sha256 = hashlib.sha256(data).hexdigest()
        if fmt == SourceFormat.EVTX:
            check = evtxfile.inspect(data, name=file_name)
            if not check.readable:  # nothing can be stored from it, quarantine or not
                raise IngestRejected(
                    file_name, headline=f"{file_name}: {check.findings[0].message}。何も保存していません"
                )
            lines = records = winlog.EvtxRecords(data, check)
        elif fmt == SourceFormat.CSV:
            lines = parsers.read_csv(data, parsers.Mapping.of(source.mapping), name=file_name)
        else:
            lines = parsers.read_jsonl(data, name=file_name)

    # Pass 1: read, check and prepare every line; nothing is written unless every line is good or
    # quarantined.
    context = {
        "vendor": connection.vendor,
        "resolve": PersonResolver(),
        "fingerprint": chain.Fingerprinter(),
        "source_id": source.pk,
        "system": source.system,
        "chunk_size": chunk_size,
    }
    read = _read(lines=lines, context=context, progress=progress)
    batch = None
    try:
        # 読込 counts every line or record: read = stored + duplicate + skipped + quarantined.
        report.read, report.skipped = read.total, read.skipped
        report.skipped_reasons, report.skipped_events = read.skipped_reasons, read.skipped_events
        report.errors = read.errors
        report.quarantined = len(read.errors)
        if records is not None and check is not None:
            refusal = _channel_refusal(file_name, source, records.channels)
            if refusal is not None:
                raise refusal
            report.findings = check.findings
            untrusted = check.untrusted_records()
            report.read += untrusted
            report.quarantined += untrusted
            report.missing, report.missing_at_least = check.missing, check.missing_at_least
        damaged = check is not None and check.refused
        if (read.errors or damaged) and quarantine is None:
            raise IngestRejected(
                file_name,
                read.errors,
                len(read.errors),
                findings=check.findings if check is not None else None,
                hint=quarantine_hint(report.unit),
            )
        if (read.errors or damaged) and quarantine is not None:  # (without it, refused just above)
            _write_quarantine(Path(quarantine), report)
        if file_sha256:
            report.earlier_batches = list(
                IngestBatch.objects.filter(source=source, file_sha256=file_sha256).values_list(
                    "pk", flat=True
                )
            )
        with transaction.atomic():
            batch = IngestBatch.objects.create(
                source=source,
                file_name=file_name[:255],
                file_sha256=file_sha256,
                started_at=time.now(),
                heartbeat=time.now(),
                process=this_process(),
                actor=actor,
            )
        report.batch_id = batch.pk
        # Pass 2: store, chunk by chunk.
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # The indexes of a large events table do not fit SQLite's default 2 MB page cache;
                # with 256 MB an insert finds their pages in memory instead of on the disk.
                cursor.execute("PRAGMA cache_size = -262144")
        done = 0
        for stored, rests in read.take(set()):
            added, duplicates = _commit_chunk(
                stored=stored, rests=rests, batch=batch, source=source, actor=actor
            )
            report.stored += added
            report.duplicate += duplicates
            done += len(stored)
            if progress:
                progress(done, report.read - report.skipped - report.quarantined)
    except BaseException as error:
        # A crash after the batch was created: mark it now rather than leave it running.
        if batch is not None and not isinstance(error, IngestRejected):
            batch.refresh_from_db(fields=["state", "stored"])
            ingest_batch_interrupt(
                batch=batch, reason=f"取込が異常終了しました（詳細: {type(error).__name__}: {error}）"[:2000]
            )
        raise
    finally:
        read.close()
    _finish(batch=batch, report=report, actor=actor)
    for problem in run_after_ingest(batch):
        report.hook_errors.append(problem)
    return report


@transaction.atomic
def _finish(*, batch: IngestBatch, report: IngestReport, actor: Actor) -> None:
    """The batch is complete (or partial: stored with losses): its counts, and one Record holding
    the root (last chain value) of its chunks."""
    chunks = list(batch.chunks.order_by("seq").values_list("seq", "chain"))
    state = BatchState.PARTIAL if report.lossy else BatchState.COMPLETE
    if state not in BATCH_TRANSITIONS[batch.state]:
        raise ValueError(f"batch #{batch.pk}: {batch.state} → {state} is not allowed")
    findings = findings_as_data(report.findings)
    batch.state = state
    batch.finished_at = time.now()
    batch.read, batch.stored, batch.duplicate = report.read, report.stored, report.duplicate
    batch.skipped, batch.quarantined, batch.missing = report.skipped, report.quarantined, report.missing
    batch.skipped_reasons = dict(report.skipped_reasons)
    batch.findings = findings
    batch.message = report.summary()
    batch.save()
    record_append_many(
        entries=[
            Entry(
                action=RecordAction.EVENT_BATCH_INGESTED,
                object_type="events.IngestBatch",
                object_id=str(batch.pk),
                actor=actor,
                after={
                    "file": batch.file_name,
                    "sha256": batch.file_sha256,
                    "state": str(state),
                    "read": report.read,
                    "stored": report.stored,
                    "duplicate": report.duplicate,
                    "skipped": report.skipped,
                    "quarantined": report.quarantined,
                    "missing": report.missing,
                    "skipped_reasons": dict(report.skipped_reasons),
                    "findings": [f for f in findings if f["severity"] != "info"],
                    "chunks": [seq for seq, _ in chunks],
                    "root": chunks[-1][1] if chunks else None,
                },
            )
        ]
    )


def batch_id_range(batch: IngestBatch) -> tuple[int, int] | None:
    """The ids of a batch's events (for rules run after it: ``id__range`` uses the primary key)."""
    bounds = list(batch.chunks.values_list("first_id", "last_id"))
    if not bounds:
        return None
    return min(first for first, _ in bounds), max(last for _, last in bounds)

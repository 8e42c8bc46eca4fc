"""Benchmark of operation-event ingestion, verification and the subject query (issue 4).

    .venv/bin/python bench/ingest.py [--events 1000000] [--database sqlite|postgres]
                                     [--orm-sample 20000] [--subject-db-events 10000000]

Runs in its own MAMORI_HOME (a temporary directory) or its own PostgreSQL database
(bench_events_<pid>, dropped at the end); never the developer's var/.  In one run it prints:

1. baseline: the same rows (already parsed) into an indexed table with raw ``sqlite3`` executemany
   (PostgreSQL: raw ``COPY``), no hashing, committed every CHUNK rows like mamori;
2. mamori: ``events_ingest`` of the same events from a JSON-lines file — reading and validating the
   whole file, person resolution, fingerprints, chunk digests and chain, one Record per chunk, the
   dedup check, month partitions (PostgreSQL) and an ``after_ingest`` rule hook;
3. per-row Django ORM ``save()`` of a sample, each in its own transaction;

then ``events_verify`` throughput and the p95 latency of "everything done to subject S" once the
store holds ``--subject-db-events`` events (filled with generated rows by SQL, then indexed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from _scratch import scratch_home

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
JST = dt.timezone(dt.timedelta(hours=9))
CHUNK = 5000
KINDS = [("search", 50), ("operation", 25), ("print", 7), ("extract", 3), ("logon", 8), ("logoff", 7)]
SYSTEMS = ["jukiki", "zeimu", "fukushi", "kokuho"]
ACTIONS = {
    "search": "照会",
    "operation": "更新",
    "print": "帳票印刷",
    "extract": "抽出",
    "logon": "4624",
    "logoff": "4634",
}
COLUMNS = (
    "at",
    "kind",
    "account",
    "person_id",
    "host",
    "system",
    "subject",
    "action",
    "result_count",
    "session",
    "logon_type",
    "training",
)


def generate(n: int, seed: int = 4) -> list[dict]:
    """n events of a month at a municipality: 300 staff at 200 terminals, 4 business systems, 50,000
    residents (a few looked up far more often), working hours with some overtime, a little training."""
    rng = random.Random(seed)
    kinds = [k for k, w in KINDS for _ in range(w)]
    days = [dt.date(2026, 10, 1) + dt.timedelta(days=d) for d in range(31)]
    days = [d for d in days if d.weekday() < 5]
    events = []
    for _ in range(n):
        day = rng.choice(days)
        second = (
            int(rng.triangular(8 * 3600, 19 * 3600, 11 * 3600))
            if rng.random() > 0.02
            else rng.randrange(86400)
        )
        at = dt.datetime(day.year, day.month, day.day, tzinfo=JST) + dt.timedelta(
            seconds=second, microseconds=rng.randrange(10**6)
        )
        kind = rng.choice(kinds)
        staff = rng.randrange(300)
        event = {"at": at, "kind": kind, "account": f"u{staff:05d}", "host": f"MIDORI-PC{staff % 200:03d}"}
        if kind in ("logon", "logoff"):
            event.update(session=f"0x{rng.randrange(16**6):x}", logon_type=2, action=ACTIONS[kind])
        else:
            resident = int(rng.paretovariate(1.2)) % 50_000 if rng.random() < 0.3 else rng.randrange(50_000)
            event.update(system=SYSTEMS[staff % 4], subject=f"{100_000_000 + resident}", action=ACTIONS[kind])
            if kind in ("search", "extract"):
                event["result_count"] = rng.randrange(1, 2000) if kind == "extract" else rng.randrange(1, 30)
            event["training"] = rng.random() < 0.005
        events.append(event)
    events.sort(key=lambda e: e["at"])
    return events


def write_jsonl(events: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for event in events:
            out.write(json.dumps({**event, "at": event["at"].isoformat()}, ensure_ascii=False) + "\n")


def baseline_rows(events: list[dict]) -> list[tuple]:
    return [
        (
            e["at"].astimezone(dt.UTC).replace(tzinfo=None).isoformat(" "),
            e["kind"],
            e["account"],
            None,
            e["host"],
            e.get("system", ""),
            e.get("subject", ""),
            e.get("action", ""),
            e.get("result_count"),
            e.get("session", ""),
            e.get("logon_type"),
            e.get("training", False),
        )
        for e in events
    ]


INDEXES = ["person_id, at", "host, at", "subject, at", "account, at", "at"]


def baseline_sqlite(rows: list[tuple], folder: Path) -> float:
    import sqlite3

    db = sqlite3.connect(folder / "baseline.sqlite3", isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-262144"):
        db.execute(f"PRAGMA {pragma}")
    db.execute(
        "CREATE TABLE ev (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT, kind TEXT, account TEXT, person_id INT, "
        "host TEXT, system TEXT, subject TEXT, action TEXT, result_count INT, session TEXT, logon_type INT, "
        "training INT)"
    )
    for n, columns in enumerate(INDEXES):
        db.execute(f"CREATE INDEX ev_{n} ON ev ({columns})")
    sql = f"INSERT INTO ev ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    start = time.perf_counter()
    for offset in range(0, len(rows), CHUNK):
        db.execute("BEGIN")
        db.executemany(sql, rows[offset : offset + CHUNK])
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return elapsed


def baseline_postgres(rows: list[tuple], url: str) -> float:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(
            "CREATE TABLE ev (id bigserial PRIMARY KEY, at timestamptz, kind text, account text, person_id bigint, "
            "host text, system text, subject text, action text, result_count int, session text, logon_type int, "
            "training boolean)"
        )
        for n, columns in enumerate(INDEXES):
            db.execute(f"CREATE INDEX ev_{n} ON ev ({columns})")
        moments = [(r[0] + "+00:00", *r[1:]) for r in rows]
        start = time.perf_counter()
        for offset in range(0, len(moments), CHUNK):
            with (
                db.transaction(),
                db.cursor() as cursor,
                cursor.copy(f"COPY ev ({', '.join(COLUMNS)}) FROM STDIN") as copy,
            ):
                for row in moments[offset : offset + CHUNK]:
                    copy.write_row(row)
        elapsed = time.perf_counter() - start
        db.execute("DROP TABLE ev")
    return elapsed


def fill_for_subject_query(total: int, vendor: str) -> int:
    """Top the store up to ``total`` events with generated rows (SQL inside the database; indexes
    dropped and rebuilt, as one would load a test database).  Returns rows added."""
    from django.db import connection

    from mamori.events import triggers

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM events_event")
        have, top = cursor.fetchone()
        add = total - have
        if add <= 0:
            return 0
        triggers.run(cursor, vendor, install=False)
        names = ["events_person_at", "events_host_at", "events_subject_at", "events_account_at", "events_at"]
        definitions = {
            "events_person_at": "person_id, at",
            "events_host_at": "host, at",
            "events_subject_at": "subject, at",
            "events_account_at": "account, at",
            "events_at": "at",
        }
        for name in names:
            cursor.execute(f"DROP INDEX {name}")
        if vendor == "sqlite":
            cursor.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
                "INSERT INTO events_event (id, at, kind, account, host, system, subject, action, session, training, "
                "source_id, batch_id, line, fingerprint) "
                "SELECT %s + i, strftime('%%Y-%%m-%%d %%H:%%M:%%f', '2026-09-01', '+' || (i * 7 %% 2592000) || ' seconds'), "
                "'search', 'u' || (i %% 300), 'MIDORI-PC' || (i %% 200), 'jukiki', "
                "CAST(100000000 + abs(random()) %% 50000 AS TEXT), '照会', '', 0, 0, 0, i, 'fill' || i FROM n",
                [add, top],
            )
        else:
            for month in ("2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01"):
                from mamori.events.services import ensure_partitions

                moment = dt.datetime.fromisoformat(month).replace(tzinfo=JST)
                ensure_partitions(moment, moment)
            cursor.execute(
                "INSERT INTO events_event (id, at, kind, account, host, system, subject, action, session, training, "
                "source_id, batch_id, line, fingerprint) "
                "SELECT %s + i, timestamptz '2026-09-01 00:00+09' + (i * 7 %% 2592000) * interval '1 second', "
                "'search', 'u' || (i %% 300), 'MIDORI-PC' || (i %% 200), 'jukiki', "
                "(100000000 + floor(random() * 50000))::text, '照会', '', false, 0, 0, i, 'fill' || i "
                "FROM generate_series(1, %s) AS i",
                [top, add],
            )
        for name in names:
            cursor.execute(f"CREATE INDEX {name} ON events_event ({definitions[name]})")
        cursor.execute("ANALYZE")
        triggers.run(cursor, vendor, install=True)
    return add


def p95_subject_query(samples: int = 300) -> tuple[float, float, int]:
    from mamori.events.models import Event

    rng = random.Random(9)
    latencies, rows = [], 0
    for _ in range(samples):
        subject = f"{100_000_000 + rng.randrange(50_000)}"
        start = time.perf_counter()
        found = list(
            Event.objects.filter(subject=subject)
            .order_by("at")
            .values_list("at", "kind", "account", "person_id", "host", "system", "action", "result_count")
        )
        latencies.append((time.perf_counter() - start) * 1000)
        rows += len(found)
    latencies.sort()
    return latencies[int(len(latencies) * 0.95) - 1], statistics.median(latencies), rows // samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--orm-sample", type=int, default=20_000)
    parser.add_argument("--file-events", type=int, default=200_000, help="(2b): events ingested from a file")
    parser.add_argument("--subject-db-events", type=int, default=10_000_000)
    args = parser.parse_args()

    with scratch_home(database=args.database, pg_url=args.pg_url, prefix="bench-events") as folder:
        run(args, folder)


def same_table_baseline(vendor: str, folder: Path) -> tuple[float, int]:
    """(1b) mamori's own rows, read back from events_event, into a fresh table with the very same
    columns and indexes (unique fingerprint included), raw executemany / COPY, no hashing."""
    from django.db import connection

    from mamori.events.chain import COLUMNS

    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM events_event ORDER BY id")
        rows = cursor.fetchall()
        if vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'events_event' AND sql IS NOT NULL "
                "AND type IN ('table', 'index')"
            )
            ddl = [
                sql.replace('"events_event"', "ev").replace("events_", "copy_")
                for (sql,) in cursor.fetchall()
            ]
    if vendor == "sqlite":
        import sqlite3

        db = sqlite3.connect(folder / "baseline-same.sqlite3", isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-262144"):
            db.execute(f"PRAGMA {pragma}")
        for statement in ddl:
            db.execute(statement)
        sql = f"INSERT INTO ev ({columns}) VALUES ({', '.join('?' * len(COLUMNS))})"
        start = time.perf_counter()
        for offset in range(0, len(rows), CHUNK):
            db.execute("BEGIN")
            db.executemany(sql, rows[offset : offset + CHUNK])
            db.execute("COMMIT")
        elapsed = time.perf_counter() - start
        db.close()
        return elapsed, len(rows)
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as db:
        db.execute(
            "CREATE TABLE ev (LIKE events_event INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING CONSTRAINTS)"
        )
        start = time.perf_counter()
        for offset in range(0, len(rows), CHUNK):
            with (
                db.transaction(),
                db.cursor() as cursor,
                cursor.copy(f"COPY ev ({columns}) FROM STDIN") as copy,
            ):
                for row in rows[offset : offset + CHUNK]:
                    copy.write_row(row)
        elapsed = time.perf_counter() - start
        db.execute("DROP TABLE ev")
    return elapsed, len(rows)


def run(args, folder: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mamori.events import hooks, triggers
    from mamori.events.models import Event, IngestBatch
    from mamori.events.services import batch_id_range, event_source_save, events_ingest
    from mamori.events.verify import events_verify

    vendor = "postgresql" if args.database == "postgres" else "sqlite"
    print(f"mamori bench/ingest: {args.events:,} events on {vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    events = generate(args.events)
    rows = baseline_rows(events)
    print(f"generated {len(events):,} events in {time.perf_counter() - t:.1f} s")

    # (1) the baseline
    if vendor == "sqlite":
        base = baseline_sqlite(rows, folder)
        label = "raw sqlite3 executemany"
    else:
        base = baseline_postgres(rows, os.environ["DATABASE_URL"])
        label = "raw COPY"
    base_rate = len(rows) / base
    print(
        f"(1)  baseline  {label} into a table with the 5 query indexes, no hashing: "
        f"{base:7.1f} s {base_rate:9,.0f} events/s"
    )

    # (2) mamori's ingest, with a rule hook after the batch (logons outside 08:30–17:15 JST)
    off_hours = []

    def rule_hook(batch):
        first, last = batch_id_range(batch)
        logons = Event.objects.filter(id__range=(first, last), batch_id=batch.pk, kind="logon")
        times = (at.astimezone(JST).time() for at in logons.values_list("at", flat=True))
        off_hours.append(sum(1 for moment in times if not dt.time(8, 30) <= moment <= dt.time(17, 15)))

    hooks.after_ingest(rule_hook)
    source = event_source_save(code="bench", name="bench", format="jsonl", system="jukiki")
    t = time.perf_counter()
    report = events_ingest(source=source, values=events, file_name="bench")
    ingest = time.perf_counter() - t
    rate = report.stored / ingest
    print(
        f"(2)  mamori    events_ingest of the same events (validate, resolve the person, fingerprint, dedup, "
        f"chunk digests and chain, a Record per chunk, rule hook): {ingest:7.1f} s {rate:9,.0f} events/s "
        f"(stored {report.stored:,}; the hook found {off_hours[0]:,} logons outside hours)"
    )

    same, same_rows = same_table_baseline(vendor, folder)
    same_rate = same_rows / same
    print(
        f"(1b) baseline  {label} of mamori's own rows into the same table and indexes "
        f"(unique fingerprint too), no hashing: {same:7.1f} s {same_rate:9,.0f} events/s"
    )

    if args.file_events:
        part = folder / "part.jsonl"
        write_jsonl([{**e, "account": e["account"] + "f"} for e in events[: args.file_events]], part)
        t = time.perf_counter()
        from_file = events_ingest(source=source, path=part)
        took = time.perf_counter() - t
        print(
            f"(2b) mamori    the same from a JSON-lines file (reading and decoding it too), "
            f"{from_file.stored:,} events: {took:7.1f} s {from_file.stored / took:9,.0f} events/s"
        )

    # (3) per-row ORM save() of a sample, each its own transaction
    sample = events[: args.orm_sample]
    batch = IngestBatch.objects.get(pk=report.batch_id)
    t = time.perf_counter()
    for n, e in enumerate(sample):
        Event(
            at=e["at"],
            kind=e["kind"],
            account=e["account"],
            host=e["host"],
            system=e.get("system", ""),
            subject=e.get("subject", ""),
            action=e.get("action", ""),
            result_count=e.get("result_count"),
            session=e.get("session", ""),
            logon_type=e.get("logon_type"),
            training=e.get("training", False),
            source=source,
            batch=batch,
            line=n,
            fingerprint=f"orm{n:029d}",
        ).save()
    orm = time.perf_counter() - t
    orm_rate = len(sample) / orm
    print(
        f"(3)  ORM       per-row save() of {len(sample):,} events, one transaction each: "
        f"{orm:7.1f} s {orm_rate:9,.0f} events/s"
    )
    for name, value, target in (
        ("(2)/(1) ", rate / base_rate, 0.7),
        ("(2)/(1b)", rate / same_rate, 0.7),
        ("(2)/(3) ", rate / orm_rate, 40),
    ):
        print(
            f"     ratio {name} = {value:6.2f}   target >= {target:<4}  {'OK' if value >= target else 'MISSED'}"
        )
    with connection.cursor() as cursor:  # the ORM rows are not mamori's: take them out before verifying
        triggers.run(cursor, vendor, install=False)
        cursor.execute("DELETE FROM events_event WHERE fingerprint LIKE 'orm%%'")
        triggers.run(cursor, vendor, install=True)

    # verify
    t = time.perf_counter()
    result = events_verify()
    took = time.perf_counter() - t
    print(
        f"verify         {result.checked:,} events in {result.chunks:,} chunks: {took:7.2f} s "
        f"{result.checked / took:9,.0f} events/s   target >= 1,000,000   ok={result.ok}"
    )

    # the subject query
    if args.subject_db_events:
        t = time.perf_counter()
        added = fill_for_subject_query(args.subject_db_events, vendor)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM events_event")
            total = cursor.fetchone()[0]
        print(
            f"subject db     {total:,} events ({added:,} generated by SQL in {time.perf_counter() - t:.0f} s)"
        )
        p95, median, per = p95_subject_query()
        print(
            f"subject query  everything done to subject S (~{per} events each, ORM, ordered by time): "
            f"p95 {p95:6.1f} ms  median {median:6.1f} ms   target p95 < 50 ms"
        )


if __name__ == "__main__":
    main()

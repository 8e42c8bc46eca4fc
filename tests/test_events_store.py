"""The event store: append-only, tamper-evident (verify names the chunk and the event), the
retention purge of MAI-25 that leaves the rest verifiable, and PostgreSQL's month partitions."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from mamori.core.time import TOKYO
from mamori.events import triggers
from mamori.events.models import Event, EventChunk, PurgeCheckpoint
from mamori.events.purge import PurgeRefused, events_purge, last_purgeable_day
from mamori.events.services import event_source_save, events_ingest
from mamori.events.verify import events_verify
from mamori.records.services import records_verify
from tests.conftest import TODAY, make_city
from tests.test_api import client_for


def jsonl(events: list[dict]) -> bytes:
    return "\n".join(json.dumps(event, ensure_ascii=False) for event in events).encode()


def operations(days: list[dt.date], per_day: int = 3) -> bytes:
    return jsonl(
        [
            {
                "at": f"{day.isoformat()}T{9 + n:02d}:00:00+09:00",
                "kind": "search",
                "account": "shokuin",
                "subject": f"{day:%Y%m%d}{n}",
                "host": "PC01",
            }
            for day in days
            for n in range(per_day)
        ]
    )


@pytest.fixture
def stored(db):
    source = event_source_save(code="ops", name="操作履歴", format="jsonl", system="jukiki")
    events_ingest(
        source=source, data=operations([TODAY - dt.timedelta(days=d) for d in range(10)]), chunk_size=10
    )
    return source


def _drop_triggers():
    """What someone with write access to the database would do first."""
    with connection.cursor() as cursor:
        triggers.run(cursor, connection.vendor, install=False)


def test_an_intact_store_verifies(stored):
    result = events_verify()
    assert result.ok, result.problems
    assert (result.checked, result.chunks) == (30, 3)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events_event SET subject = 'x' WHERE id = (SELECT min(id) FROM events_event)",
        "DELETE FROM events_event WHERE id = (SELECT min(id) FROM events_event)",
        "UPDATE events_eventchunk SET digest = 'x'",
        "DELETE FROM events_eventchunk",
    ],
)
def test_the_database_refuses_to_change_or_delete_events_and_chunks(stored, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def _event_ids() -> list[int]:
    return list(Event.objects.order_by("id").values_list("id", flat=True))


def test_verify_names_the_chunk_and_the_edited_event(stored):
    target = _event_ids()[14]
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_event SET subject = '999' WHERE id = %s", [target])
    result = events_verify()
    assert not result.ok
    chunk = EventChunk.objects.get(first_id__lte=target, last_id__gte=target)
    assert result.first_bad == f"chunk #{chunk.seq}, event #{target}"
    assert "edited" in result.problems[0]


def test_verify_names_the_deleted_event(stored):
    target = _event_ids()[21]
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM events_event WHERE id = %s", [target])
    result = events_verify()
    assert f"event #{target}" in result.first_bad
    assert "deleted" in result.problems[0]


def test_verify_names_an_edited_person(stored, people):
    target = _event_ids()[3]
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE events_event SET person_id = %s WHERE id = %s", [people.outsider.person_id, target]
        )
    result = events_verify()
    assert result.first_bad.startswith("chunk #1")
    assert "outside the fingerprint" in result.problems[0]


def test_verify_names_a_row_added_outside_mamori(stored):
    _drop_triggers()
    last = Event.objects.order_by("-id").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO events_event (id, at, kind, account, host, system, subject, action, session, training, "
            "source_id, batch_id, line, fingerprint) SELECT id + 100, at, kind, account, host, system, subject, action, "
            "session, training, source_id, batch_id, line, 'forged' FROM events_event WHERE id = %s",
            [last.pk],
        )
    result = events_verify()
    assert result.first_bad == f"event #{last.pk + 100}"


def test_verify_names_an_altered_chunk_digest(stored):
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_eventchunk SET digest = %s WHERE seq = 2", ["0" * 64])
    result = events_verify()
    assert result.first_bad == "chunk #2"


def test_records_verify_command_also_verifies_the_event_store(stored, capsys):
    call_command("records", "verify")
    assert "30 events in 3 chunks verified" in capsys.readouterr().out
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM events_event WHERE id = (SELECT max(id) FROM events_event)")
    with pytest.raises(CommandError, match="first bad position chunk #3"):
        call_command("records", "verify")


# --- MAI-25: retention ----------------------------------------------------------------------------


def test_mai_25_operation_history_may_go_five_years_from_the_day_of_the_operation(db):
    rule = make_city("maizuru").pack.parameters.retention["operation_history"]
    # 「当該操作を行った日から起算して5年間」: an operation on 2021-11-16 is kept up to 2026-11-15.
    assert last_purgeable_day(rule, dt.date(2026, 11, 16)) == dt.date(2021, 11, 16)
    assert last_purgeable_day(rule, dt.date(2026, 11, 15)) == dt.date(2021, 11, 15)
    # 民法第143条: a period from 2月29日 ends on 2月末日 five years later, so on 2025-03-01 the
    # operations of 2020-02-29 and 2020-03-01 may both go, and on 2025-02-28 neither.
    assert last_purgeable_day(rule, dt.date(2025, 3, 1)) == dt.date(2020, 3, 1)
    assert last_purgeable_day(rule, dt.date(2025, 2, 28)) == dt.date(2020, 2, 28)


@pytest.fixture
def maizuru_store(db):
    make_city("maizuru")
    source = event_source_save(code="juki", name="住基ネット操作履歴", format="jsonl", system="juki")
    days = [
        dt.date(2021, 10, 30),
        dt.date(2021, 11, 15),
        dt.date(2021, 11, 16),
        dt.date(2021, 11, 17),
        dt.date(2026, 11, 1),
    ]
    # Interleaved in ingest order, so each chunk holds events of several ages.
    events = json.loads("[" + operations(days, per_day=2).decode().replace("\n", ",") + "]")
    events = events[::2] + events[1::2]
    events_ingest(source=source, data=jsonl(events), chunk_size=4)
    return source


def test_mai_25_purge_dry_run_reports_per_class_and_month_and_deletes_nothing(maizuru_store):
    report = events_purge(today=TODAY, dry_run=True)
    (plan,) = report.classes
    assert plan.retention_class == "operation_history"
    assert plan.months == {
        "2021-10": 2,
        "2021-11": 4,
    }  # 10/30, 11/15 and 11/16 (the fifth anniversary is today)
    assert Event.objects.count() == 10
    assert any("2021-11: 4 件" in line for line in report.lines())


def test_mai_25_purge_deletes_what_expired_and_the_rest_still_verifies(maizuru_store, capsys):
    report = events_purge(today=TODAY, dry_run=False)
    assert report.purged == 6
    remaining = sorted(at.astimezone(TOKYO).date() for at in Event.objects.values_list("at", flat=True))
    assert remaining[0] == dt.date(2021, 11, 17)
    assert len(remaining) == 4
    checkpoint = PurgeCheckpoint.objects.get()
    assert sum(entry["purged"] for entry in checkpoint.chunks) == 6
    assert records_verify().ok
    assert events_verify().ok, events_verify().problems
    # A second purge the same day finds nothing; a later one removes the next day's.
    assert events_purge(today=TODAY, dry_run=False).purged == 0
    assert events_purge(today=TODAY + dt.timedelta(days=1), dry_run=False).purged == 2
    assert events_verify().ok
    call_command("records", "verify")
    assert "events in" in capsys.readouterr().out


def test_mai_25_a_purged_chunk_edited_afterwards_is_still_caught(maizuru_store):
    events_purge(today=TODAY, dry_run=False)
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE events_event SET account = 'someone' WHERE id = (SELECT min(id) FROM events_event)"
        )
    assert not events_verify().ok


def test_mai_25_the_purge_refuses_to_launder_a_tampered_chunk(maizuru_store):
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_event SET subject = 'x' WHERE id = (SELECT min(id) FROM events_event)")
    with connection.cursor() as cursor:
        triggers.run(cursor, connection.vendor, install=True)
    with pytest.raises(PurgeRefused):
        events_purge(today=TODAY, dry_run=False)


def test_a_pack_without_a_retention_period_purges_nothing(stored):
    report = events_purge(today=TODAY + dt.timedelta(days=365 * 30), dry_run=False)
    assert report.purged == 0
    assert report.classes[0].cutoff is None
    assert Event.objects.count() == 30


def test_purge_command_dry_run(maizuru_store, capsys):
    call_command("records", "purge", "--dry-run", "--today", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "2021-10: 2 件" in out
    assert Event.objects.count() == 10


# --- PostgreSQL -------------------------------------------------------------------------------------


@pytest.mark.skipif("config.getoption('--ds', default=None) == 'never'")
def test_on_postgresql_events_are_partitioned_by_month(stored):
    if connection.vendor != "postgresql":
        pytest.skip("month partitions exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'events_event'::regclass"
        )
        assert cursor.fetchone() == ("r",)
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'events_event'::regclass ORDER BY 1"
        )
        partitions = [name for (name,) in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM events_event_p2026_11")
        in_november = cursor.fetchone()[0]
    assert partitions == ["events_event_p2026_11"]
    assert in_november == 30


@pytest.mark.django_db(transaction=True)
def test_verify_over_several_connections_names_the_edited_event(monkeypatch):
    """Outside a transaction, with enough chunks, verify reads chunks on several connections at once."""
    from mamori.events import verify

    monkeypatch.setattr(verify.os, "cpu_count", lambda: 2)
    source = event_source_save(code="ops", name="操作履歴", format="jsonl", system="jukiki")
    events_ingest(
        source=source, data=operations([TODAY - dt.timedelta(days=d) for d in range(12)]), chunk_size=1
    )
    assert EventChunk.objects.count() >= verify.PARALLEL_CHUNKS
    assert events_verify().ok
    target = _event_ids()[30]
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_event SET subject = '999' WHERE id = %s", [target])
    result = events_verify()
    assert result.first_bad == f"chunk #31, event #{target}"


def test_the_api_verification_covers_the_event_store_and_names_an_edited_event(stored, people):
    """MAI-25 / YAN-20: /api/records/verify checks the events too, not only the record chain."""
    intact = client_for(people.admin).get("/api/records/verify").json()
    assert intact["ok"] and intact["events_checked"] == 30 and intact["events_chunks"] == 3
    target = _event_ids()[3]
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_event SET account = 'someone' WHERE id = %s", [target])
    broken = client_for(people.admin).get("/api/records/verify").json()
    assert not broken["ok"]
    assert broken["events_first_bad"].endswith(f"event #{target}")

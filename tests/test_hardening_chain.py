"""The chains cannot be shortened unnoticed (heads anchored outside the database), the purge permit
cannot be slipped in by hand, and verify names the column of an edited event."""

from __future__ import annotations

import datetime as dt
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import F

from mamori.events import triggers as event_triggers
from mamori.events.models import Event, EventChunk, PurgeCheckpoint
from mamori.events.services import event_source_save, events_ingest
from mamori.events.verify import events_verify
from mamori.records import anchors
from mamori.records import triggers as record_triggers
from mamori.records.actions import RecordAction
from mamori.records.models import Record, RecordHead
from mamori.records.services import record_append, records_verify
from tests.conftest import TODAY
from tests.test_api import client_for
from tests.test_events_store import operations

TODAY_MOMENT = dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def anchor_dir(settings, tmp_path):
    settings.MAMORI_ANCHOR_DIR = str(tmp_path / "anchors")
    return tmp_path / "anchors"


@pytest.fixture
def stored(db, django_capture_on_commit_callbacks):
    """Three chunks of ten events, ingested in committed transactions (their heads anchored)."""
    source = event_source_save(code="ops", name="操作履歴", format="jsonl", system="jukiki")
    with django_capture_on_commit_callbacks(execute=True):
        events_ingest(
            source=source, data=operations([TODAY - dt.timedelta(days=d) for d in range(10)]), chunk_size=10
        )
    return source


def _drop_triggers():
    with connection.cursor() as cursor:
        event_triggers.run(cursor, connection.vendor, install=False)
        for statement in record_triggers._statements(connection.vendor, install=False):
            cursor.execute(statement)


def _cut_back_the_last_chunk():
    """What someone with write access to the database does: the last chunk, its events and every
    record from the chunk's own on are deleted, and the record head is rewound — both chains are
    intact, only shorter."""
    last = EventChunk.objects.order_by("-seq").first()
    keep = Record.objects.filter(seq__lt=last.record_seq).order_by("-seq").values_list("seq", "hash")[0]
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM events_event WHERE id BETWEEN %s AND %s", [last.first_id, last.last_id])
        cursor.execute("DELETE FROM events_eventchunk WHERE seq = %s", [last.seq])
        cursor.execute("DELETE FROM records_record WHERE seq >= %s", [last.record_seq])
        cursor.execute("UPDATE records_recordhead SET seq = %s, hash = %s WHERE id = 1", list(keep))
    return last, keep


def test_it_anchors_every_committed_head_in_an_append_only_file(stored, anchor_dir):
    head = RecordHead.objects.get(pk=1)
    record_anchor = anchors.latest(anchors.RECORDS)
    assert (record_anchor.position, record_anchor.hash) == (head.seq, head.hash)
    last_chunk = EventChunk.objects.order_by("-seq").first()
    event_anchor = anchors.latest(anchors.EVENTS)
    assert (event_anchor.position, event_anchor.hash) == (last_chunk.seq, last_chunk.chain)
    for path in (record_anchor.file, event_anchor.file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        position, value, moment = path.read_text().splitlines()[-1].split("\t")
        assert int(position) >= 1 and len(value) == 64 and moment.startswith("20")
    assert records_verify().ok and events_verify().ok


def test_it_never_anchors_a_head_that_rolled_back(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record_append(action=RecordAction.SYSTEM_REGISTERED, object_type="t", object_id="1")
    kept = anchors.latest(anchors.RECORDS)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                record_append(action=RecordAction.SYSTEM_CHANGED, object_type="t", object_id="2")
                raise RuntimeError
        except RuntimeError:
            pass
    assert anchors.latest(anchors.RECORDS) == kept
    assert records_verify().ok


def test_a_chain_cut_back_with_its_head_fails_verify_naming_what_is_missing(stored, people, capsys):
    last, (kept_seq, _) = _cut_back_the_last_chunk()
    anchored_records = anchors.latest(anchors.RECORDS).position

    result = records_verify()
    assert not result.ok
    assert result.first_bad == kept_seq + 1
    assert f"records #{kept_seq + 1}–#{anchored_records}: missing" in result.problems[0]
    events = events_verify()
    assert not events.ok
    assert f"chunks #{last.seq}–#{last.seq}: missing" in events.problems[0]

    with pytest.raises(CommandError, match="記録の検証に失敗しました"):
        call_command("records", "verify")
    out = capsys.readouterr()
    assert f"record head: #{kept_seq}" in out.out and "missing" in out.err

    answer = client_for(people.admin).get("/api/records/verify").json()
    assert answer["ok"] is False
    assert any("missing" in problem for problem in answer["problems"])


def test_the_event_store_cut_back_alone_fails_verify(stored):
    """Only the event chain shortened (its records left, and the record chain still whole)."""
    last = EventChunk.objects.order_by("-seq").first()
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM events_event WHERE id BETWEEN %s AND %s", [last.first_id, last.last_id])
        cursor.execute("DELETE FROM events_eventchunk WHERE seq = %s", [last.seq])
    assert not events_verify(stop_at_first=False).ok
    with pytest.raises(CommandError, match="操作記録の検証に失敗しました"):
        call_command("records", "verify", "--all")


def test_a_chain_started_afresh_by_migrate_on_an_empty_table_is_not_behind(db, anchor_dir):
    anchors.write(anchors.RECORDS, 50, "a" * 64)
    assert anchors.latest(anchors.RECORDS).position == 50
    anchors.restart(anchors.RECORDS)
    assert anchors.latest(anchors.RECORDS) is None
    anchors.write(anchors.RECORDS, 3, "b" * 64)
    anchors.write(anchors.RECORDS, 2, "c" * 64)  # two processes may append out of order
    assert anchors.latest(anchors.RECORDS).position == 3


# --- the purge permit and the edited column ---------------------------------------------------


def _next_permit() -> str:
    last = PurgeCheckpoint.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return f"MAI-25 purge after checkpoint #{last}"


def test_a_permit_inserted_by_hand_is_refused(stored):
    for reason in ("let me in", "MAI-25 purge after checkpoint #7"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO events_purgepermit (reason) VALUES (%s)", [reason])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM events_event WHERE id = (SELECT min(id) FROM events_event)")
    assert events_verify().ok


def test_a_permit_that_guesses_the_checkpoint_is_reported_and_closes_at_the_next_purge(stored):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO events_purgepermit (reason) VALUES (%s)", [_next_permit()])
        with pytest.raises(DatabaseError), transaction.atomic():
            cursor.execute("UPDATE events_purgepermit SET reason = 'x'")
    result = events_verify(stop_at_first=False)
    assert not result.ok and result.first_bad.startswith("purge permit #")
    assert "present outside a purge" in result.problems[0]
    # one permit at a time
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO events_purgepermit (reason) VALUES (%s)", [_next_permit()])
    PurgeCheckpoint.objects.create(
        at=TODAY_MOMENT, retention_class="x", cutoff=TODAY_MOMENT, count=0, record_seq=1
    )
    # a purge since: the permit is dead
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM events_event WHERE id = (SELECT min(id) FROM events_event)")


def test_verify_names_the_edited_column_when_the_moment_changed(stored):
    target = Event.objects.order_by("id").values_list("id", flat=True)[4]
    _drop_triggers()
    # An hour later, in the same month (PostgreSQL keeps a month per partition).
    Event.objects.filter(pk=target).update(at=F("at") + dt.timedelta(hours=1))
    result = events_verify()
    assert not result.ok and result.first_bad.endswith(f"event #{target}")
    assert "column at (日時) changed" in result.problems[0]


def test_verify_says_the_content_changed_for_another_column(stored):
    target = Event.objects.order_by("id").values_list("id", flat=True)[4]
    _drop_triggers()
    Event.objects.filter(pk=target).update(subject="someone else")
    problem = events_verify().problems[0]
    assert f"event #{target}" in problem and "one of the columns" in problem and "subject" in problem

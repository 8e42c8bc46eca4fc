"""Tamper-evident records: append-only triggers, the hash chain and `mamori records verify`."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from mamori.records import triggers
from mamori.records.actions import RecordAction
from mamori.records.models import Record
from mamori.records.services import Entry, record_append, record_append_many, records_verify


@pytest.fixture
def chain(db):
    with transaction.atomic():
        record_append_many(
            entries=[
                Entry(
                    action=RecordAction.SYSTEM_CHANGED,
                    object_type="test.Thing",
                    object_id=str(i),
                    before={"n": i - 1},
                    after={"n": i, "名前": "試験"},
                )
                for i in range(1, 11)
            ]
        )
    return list(Record.objects.order_by("seq"))


def _drop_triggers():
    """What someone with write access to the database file would do first."""
    with connection.cursor() as cursor:
        for statement in triggers._statements(connection.vendor, install=False):
            cursor.execute(statement)


@pytest.mark.django_db(transaction=True)
def test_a_record_must_be_written_inside_the_changes_transaction():
    with pytest.raises(RuntimeError):
        record_append(action=RecordAction.SYSTEM_CHANGED, object_type="t", object_id="1")


def test_an_intact_chain_verifies(chain):
    result = records_verify()
    assert result.ok
    assert result.checked == 10
    assert result.head_seq == 10


@pytest.mark.parametrize(
    "statement",
    ["UPDATE records_record SET action = 'x' WHERE seq = 3", "DELETE FROM records_record WHERE seq = 3"],
)
def test_the_database_refuses_to_update_or_delete_a_record(chain, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_verify_names_an_edited_row(chain):
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE records_record SET object_id = '99' WHERE seq = 4")
    result = records_verify()
    assert not result.ok
    assert result.first_bad == 4
    assert "#4" in result.problems[0] and "edited" in result.problems[0]


def test_verify_names_a_deleted_row(chain):
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM records_record WHERE seq = 6")
    result = records_verify()
    assert result.first_bad == 6
    assert "missing" in result.problems[0]


def test_verify_names_a_deleted_last_row_from_the_head(chain):
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM records_record WHERE seq = 10")
    result = records_verify()
    assert result.first_bad == 10


def test_verify_names_a_row_inserted_by_hand(chain):
    _drop_triggers()
    original = chain[4]
    with connection.cursor() as cursor:
        # Re-number the tail to make room, then insert a copy with a forged position.
        cursor.execute("UPDATE records_record SET seq = seq + 100 WHERE seq >= 5")
        cursor.execute(
            "INSERT INTO records_record (seq, at, actor_label, capacity, action, object_type, object_id, before, after,"
            " article, requirement, retention_class, prev_hash, hash) VALUES (5, %s, 'x', '', 'forged', 't', '1',"
            " NULL, NULL, '', '', '', %s, %s)",
            [original.at, chain[3].hash, original.hash],
        )
    result = records_verify()
    assert result.first_bad == 5


def test_verify_can_list_every_problem(chain):
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE records_record SET action = 'x' WHERE seq IN (2, 7)")
    result = records_verify(stop_at_first=False)
    assert result.first_bad == 2
    assert len(result.problems) == 2

"""Appending records and verifying the chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model

from mamori.core import time
from mamori.core.policy import Actor
from mamori.regulations.active import NoActivePack, active_pack
from mamori.regulations.registry import implements

from . import anchors
from .actions import RecordAction
from .chain import FIELDS, GENESIS, row_hash
from .models import Record, RecordHead
from .retention import purge_on

BATCH = 5000


@dataclass(frozen=True)
class Entry:
    """What one record says.  ``actor`` is a user (or None for the system itself); ``action`` a
    member of :class:`RecordAction`, never a free string."""

    action: RecordAction
    object_type: str
    object_id: str
    actor: Actor = None
    capacity: str = ""
    before: dict | None = None
    after: dict | None = None
    article: str = ""
    requirement: str = ""
    retention_class: str = ""
    at: dt.datetime | None = None

    def __post_init__(self) -> None:
        # mypy checks the services; this refuses a free string from code it does not check.
        if not isinstance(self.action, RecordAction):
            raise TypeError(f"a record's action is a RecordAction member, not {self.action!r}")


def _actor_label(actor: Actor) -> str:
    if actor is None:
        return "システム"
    return getattr(actor, "display_name", None) or str(actor)


def _retention_rules() -> dict[str, Any]:
    """The active pack's retention classes.  A record whose class the pack does not name has no purge
    date: nothing is purged that the regulation has not given a period for (MAI-25)."""
    try:
        return dict(active_pack().parameters.retention)
    except NoActivePack:
        return {}


def _purge_on(entry: Entry, at: dt.datetime, rules: dict[str, Any]) -> dt.date | None:
    rule = rules.get(entry.retention_class) if entry.retention_class else None
    return purge_on(time.local(at).date(), rule) if rule else None


def _head_for_update() -> RecordHead:
    """Lock the chain's head: this serialises appenders on PostgreSQL.  The migration creates the
    row; it is created here only for a database emptied since (a flush between tests)."""
    head = RecordHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        RecordHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
        head = RecordHead.objects.select_for_update().get(pk=1)
    return head


def _build(entry: Entry, seq: int, prev_hash: str, moment: dt.datetime, rules: dict[str, Any]) -> Record:
    row = {
        "seq": seq,
        "at": moment,
        "actor_id": getattr(entry.actor, "pk", None),
        "actor_label": _actor_label(entry.actor),
        "capacity": entry.capacity,
        "action": entry.action.value,
        "object_type": entry.object_type,
        "object_id": str(entry.object_id),
        "before": entry.before,
        "after": entry.after,
        "article": entry.article,
        "requirement": entry.requirement,
        "retention_class": entry.retention_class,
        "purge_on": _purge_on(entry, moment, rules),
        "prev_hash": prev_hash,
    }
    row["hash"] = row_hash(row)
    return Record(**row)


@transaction.atomic
def record_append_many(*, entries: Iterable[Entry]) -> list[Record]:
    """Append entries to the chain in one transaction, in batches (executemany, never per-row saves)."""
    head = _head_for_update()
    seq, prev = head.seq, head.hash
    built: list[Record] = []
    moment = time.now()
    rules = _retention_rules()
    for entry in entries:
        seq += 1
        record = _build(entry, seq, prev, entry.at or moment, rules)
        prev = record.hash
        built.append(record)
    if not built:
        return built
    Record.objects.bulk_create(built, batch_size=BATCH)
    RecordHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    # The new heads go to the anchor files outside the database once this commits (anchors.py).
    anchors.on_commit(anchors.RECORDS, seq, prev)
    for record in built:
        watcher = anchors.WATCHERS.get(RecordAction(record.action))
        anchored = watcher(record) if watcher else None
        if anchored is not None:
            anchors.on_commit(*anchored)
    return built


def record_append(**kwargs: Any) -> Record:
    """Append one record.  Call it inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a record must be written in the transaction of the change it records")
    return record_append_many(entries=[Entry(**kwargs)])[0]


def snapshot(instance: Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON-safe picture of a model row for a record's before/after."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    picture = {}
    for name in names:
        value = getattr(instance, name)
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        picture[name] = value
    return picture


# --- verification ---------------------------------------------------------------------------


@dataclass
class Verification:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)
    first_bad: int | None = None
    anchor: anchors.Anchor | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, position: int, message: str) -> None:
        if self.first_bad is None:
            self.first_bad = position
        self.problems.append(message)


VALUES = (*FIELDS, "hash")


def _rows() -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        chunk = list(Record.objects.filter(seq__gt=last).order_by("seq").values(*VALUES)[:BATCH])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1]["seq"]


@implements("MAI-25", "YAN-20")
def records_verify(*, stop_at_first: bool = True) -> Verification:
    """Recompute the chain from the first record; name the first position where it breaks."""
    result = Verification()
    head = RecordHead.objects.filter(pk=1).first()
    expected_seq, prev = 1, GENESIS
    for row in _rows():
        seq = row["seq"]
        result.checked += 1
        if seq != expected_seq:
            result.fail(
                expected_seq, f"record #{expected_seq}: missing (next row found is #{seq}) — rows deleted"
            )
            if stop_at_first:
                return result
        if row["prev_hash"] != prev:
            result.fail(
                seq, f"record #{seq}: does not follow record #{seq - 1} — a row was inserted or replaced"
            )
            if stop_at_first:
                return result
        stored = row.pop("hash")
        if row_hash(row) != stored:
            result.fail(seq, f"record #{seq}: content does not match its hash — the row was edited")
            if stop_at_first:
                return result
        prev, expected_seq = stored, seq + 1
    result.head_seq, result.head_hash = expected_seq - 1, prev
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, prev):
        if head.seq > expected_seq - 1:
            result.fail(
                expected_seq,
                f"record #{expected_seq}: missing — the chain ends at #{expected_seq - 1} "
                f"but its head says #{head.seq} (rows deleted at the end)",
            )
        else:
            result.fail(
                head.seq + 1,
                f"record #{head.seq + 1}: after the chain's head (#{head.seq}) — "
                "a row was added outside mamori",
            )
    _compare_with_anchor(result)
    return result


def _compare_with_anchor(result: Verification) -> None:
    """The chain against the newest head anchored outside the database: a chain that ends before
    its anchor lost its tail (rows deleted and the head rewound), one whose record at the anchored
    position has another hash was rewritten."""
    anchor = result.anchor = anchors.latest(anchors.RECORDS)
    if anchor is None:
        return
    if result.head_seq < anchor.position:
        result.fail(
            result.head_seq + 1,
            f"records #{result.head_seq + 1}–#{anchor.position}: missing — the database ends at "
            f"#{result.head_seq} but the anchor {anchor.describe()} (records deleted at the end)",
        )
        return
    stored = Record.objects.filter(seq=anchor.position).values_list("hash", flat=True).first()
    if stored != anchor.hash:
        result.fail(
            anchor.position,
            f"record #{anchor.position}: differs from the anchor {anchor.describe()} — the chain was rewritten",
        )


def entry_for(
    instance: Model,
    action: RecordAction,
    *,
    fields: Iterable[str],
    actor: Actor,
    capacity: str = "",
    before: dict | None = None,
    extra: dict | None = None,
    article: str = "",
    requirement: str = "",
    retention_class: str = "",
) -> Entry:
    """The record of a change to one model row: its type and key, and its picture after the change
    (plus ``extra``, e.g. the reason) — what every domain's services write alongside the change."""
    return Entry(
        action=action,
        object_type=f"{instance._meta.app_label}.{type(instance).__name__}",
        object_id=str(instance.pk),
        actor=actor,
        capacity=capacity,
        before=before,
        after={**snapshot(instance, fields), **(extra or {})},
        article=article,
        requirement=requirement,
        retention_class=retention_class,
    )

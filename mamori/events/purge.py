"""Retention of operation events (MAI-25): what may go, and the purge that keeps the rest verifiable.

舞鶴市規程第25条第1号: 操作履歴 は「当該操作を行った日から起算して5年間」.  The period comes from
the pack (``parameters.retention``, see :mod:`mamori.records.retention`); each source names its
retention class (by default the active pack's class for the engine's ``operation_events``).  A class the pack
gives no period keeps its events: nothing is purged that the regulation has not given a period for.

The purge checks each chunk it touches before deleting (a purge must not launder a tampered chunk),
deletes through the one path the triggers allow (a permit row inside the transaction), and writes a
:class:`PurgeCheckpoint` plus a Record: per touched chunk how many events went and the digest of the
rows that remain, so ``mamori records verify`` still verifies everything that is left.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from mamori.core import time
from mamori.core.policy import Actor
from mamori.core.time import TOKYO
from mamori.records.actions import RecordAction
from mamori.records.retention import purge_on
from mamori.records.services import Entry, _head_for_update, _retention_rules, record_append_many
from mamori.regulations.registry import implements

from . import chain
from .models import EventChunk, EventSource, PurgeCheckpoint, PurgePermit
from .triggers import PERMIT_PREFIX


class PurgeRefused(Exception):
    pass


@dataclass
class ClassPlan:
    retention_class: str
    label: str
    cutoff: dt.datetime | None  # events before this moment may go; None: kept (no period in the pack)
    article: str = ""
    requirements: list[str] = field(default_factory=list)
    months: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(self.months.values())


@dataclass
class PurgeReport:
    today: dt.date
    classes: list[ClassPlan]
    purged: int = 0
    checkpoint_id: int | None = None

    def lines(self) -> list[str]:
        out = []
        for plan in self.classes:
            if plan.cutoff is None:
                out.append(
                    f"{plan.retention_class} ({plan.label}): 規程に保存期間の定めがないため廃棄しません"
                )
                continue
            day = (plan.cutoff.astimezone(TOKYO) - dt.timedelta(days=1)).date()
            out.append(
                f"{plan.retention_class} ({plan.label}, {plan.article}): {day} 以前の操作 {plan.count} 件"
            )
            out.extend(f"  {month}: {count} 件" for month, count in sorted(plan.months.items()))
        return out


def last_purgeable_day(rule: Any, today: dt.date) -> dt.date:
    """The last day whose events may be purged on ``today``: the greatest d with purge_on(d) <= today
    (purge_on grows with d, so a binary search over the past finds it)."""
    low, high = today - dt.timedelta(days=366 * 100), today
    while low < high:
        middle = low + dt.timedelta(days=((high - low).days + 1) // 2)
        if purge_on(middle, rule) <= today:
            low = middle
        else:
            high = middle - dt.timedelta(days=1)
    return low


def _plans(today: dt.date) -> list[ClassPlan]:
    rules = _retention_rules()
    plans = []
    for retention_class in sorted(set(EventSource.objects.values_list("retention_class", flat=True))):
        rule = rules.get(retention_class)
        if rule is None or rule.years is None:
            plans.append(ClassPlan(retention_class, getattr(rule, "label", "定めなし"), None))
            continue
        day = last_purgeable_day(rule, today) + dt.timedelta(days=1)
        cutoff = dt.datetime(day.year, day.month, day.day, tzinfo=TOKYO)
        plans.append(
            ClassPlan(retention_class, rule.label, cutoff, rule.article or "", list(rule.requirements))
        )
    return plans


def _month_sql() -> str:
    if connection.vendor == "postgresql":
        return "to_char(e.at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM')"
    return "strftime('%%Y-%%m', e.at, '+9 hours')"


def _moment(moment: dt.datetime) -> dt.datetime | str:
    """A parameter for raw SQL: SQLite compares the UTC text Django stores, not an offset."""
    return chain.at_text(moment, "sqlite") if connection.vendor == "sqlite" else moment


def _count_by_month(plan: ClassPlan) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_month_sql()} AS month, count(*) FROM events_event e "
            "JOIN events_eventsource s ON s.id = e.source_id "
            "WHERE s.retention_class = %s AND e.at < %s GROUP BY month",
            [plan.retention_class, _moment(plan.cutoff)],
        )
        return dict(cursor.fetchall())


def _chunk_state(cursor, chunk: EventChunk) -> tuple[str, int]:
    digest, count, foreign = chain.chunk_state(
        cursor, connection.vendor, first_id=chunk.first_id, last_id=chunk.last_id, batch_id=chunk.batch_id
    )
    return (digest if not foreign else "foreign rows"), count


@implements("MAI-25")
@transaction.atomic
def events_purge(*, today: dt.date | None = None, dry_run: bool = True, actor: Actor = None) -> PurgeReport:
    """Report (dry run) or purge the events past their retention date, per retention class."""
    today = today or time.today()
    report = PurgeReport(today=today, classes=_plans(today))
    for plan in report.classes:
        if plan.cutoff is not None:
            plan.months = _count_by_month(plan)
    if dry_run or not any(plan.count for plan in report.classes):
        return report
    _head_for_update()
    residual = {}
    for checkpoint in PurgeCheckpoint.objects.order_by("id"):
        for entry in checkpoint.chunks:
            residual[entry["chunk"]] = (entry["remaining"], entry["digest"])
    touched: list[dict[str, Any]] = []
    total = 0
    # The permit names the last checkpoint (the triggers take no other), and it opens nothing once
    # this purge's own checkpoint exists (the record head is locked: purges do not overlap).
    last = PurgeCheckpoint.objects.order_by("-id").values_list("id", flat=True).first() or 0
    PurgePermit.objects.create(reason=f"{PERMIT_PREFIX}{last}")
    with connection.cursor() as cursor:
        for plan in report.classes:
            if not plan.count:
                continue
            chunks = EventChunk.objects.filter(
                batch__source__retention_class=plan.retention_class, at_min__lt=plan.cutoff
            ).order_by("seq")
            for chunk in chunks:
                expected = residual.get(chunk.seq, (chunk.count, chunk.digest))
                digest, count = _chunk_state(cursor, chunk)
                if (count, digest) != expected:
                    raise PurgeRefused(
                        f"chunk #{chunk.seq}: 改ざんの疑いがあるため廃棄を中止しました (mamori records verify で確認してください)"
                    )
                cursor.execute(
                    "DELETE FROM events_event WHERE id BETWEEN %s AND %s AND at < %s",
                    [chunk.first_id, chunk.last_id, _moment(plan.cutoff)],
                )
                gone = cursor.rowcount
                if not gone:
                    continue
                digest, remaining = _chunk_state(cursor, chunk)
                total += gone
                touched.append({"chunk": chunk.seq, "purged": gone, "remaining": remaining, "digest": digest})
    PurgePermit.objects.all().delete()
    cutoffs = {plan.retention_class: plan.cutoff.isoformat() for plan in report.classes if plan.cutoff}
    record = record_append_many(
        entries=[
            Entry(
                action=RecordAction.EVENTS_PURGED,
                object_type="events.PurgeCheckpoint",
                object_id=str(today),
                actor=actor,
                # MAI-25: the article and requirement come from the pack's retention classes.
                article=", ".join(sorted({plan.article for plan in report.classes if plan.count}))[:80],
                requirement=", ".join(
                    sorted({req for plan in report.classes if plan.count for req in plan.requirements})
                )[:40],
                after={
                    "count": total,
                    "cutoffs": cutoffs,
                    "chunks": touched,
                    "by_month": {plan.retention_class: plan.months for plan in report.classes if plan.months},
                },
            )
        ]
    )[0]
    checkpoint = PurgeCheckpoint.objects.create(
        at=time.now(),
        retention_class=",".join(sorted(cutoffs)),
        cutoff=min((plan.cutoff for plan in report.classes if plan.cutoff), default=time.now()),
        count=total,
        chunks=touched,
        record_seq=record.seq,
    )
    report.purged, report.checkpoint_id = total, checkpoint.pk
    return report


def purge_summary(report: PurgeReport) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for plan in report.classes:
        out[plan.retention_class] = dict(plan.months)
    return dict(out)

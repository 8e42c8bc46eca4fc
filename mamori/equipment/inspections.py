"""Inspections of the safety equipment (YAN-18, FUK-26): when each item is due (its own interval, else
the pack's for its kind), and the one service that records an inspection, moves the item's last
inspection and state, writes both records and clears the item's overdue finding."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import transaction

from mamori.core import time
from mamori.core.policy import Actor, require
from mamori.findings.services import findings_recheck
from mamori.records.actions import RecordAction
from mamori.records.services import entry_for, record_append_many, snapshot
from mamori.registers.models import Invalid, NotFound, TransitionRefused
from mamori.regulations.registry import implements

from .models import Equipment, EquipmentState, Inspection, InspectionResult
from .pack import EquipmentSection

OVERDUE_RULE = "equipment.inspection_overdue"


def plus_months(day: dt.date, months: int) -> dt.date:
    """``day`` ``months`` later; the 31st of a shorter month is its last day."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def interval_months(row: Equipment, section: EquipmentSection | None) -> int | None:
    """The row's own interval, else the pack's for its kind, else the pack's default (None: none)."""
    if row.inspection_months:
        return row.inspection_months
    intervals = section.inspection if section else None
    if intervals is None:
        return None
    return intervals.by_kind.get(Equipment.Kind(row.kind), intervals.months)


def inspection_due(row: Equipment, section: EquipmentSection | None) -> dt.date | None:
    """The last day the next inspection is in time: the interval after the last inspection, or after
    installation (valid_from) for an item never inspected."""
    months = interval_months(row, section)
    return plus_months(row.inspected_on or row.valid_from, months) if months else None


@implements("YAN-18", "FUK-26")
@transaction.atomic
def inspection_record(
    *,
    actor: Actor,
    equipment_id: int,
    inspected_on: dt.date,
    inspector: str,
    result: str,
    follow_up: str = "",
    follow_up_done_on: dt.date | None = None,
) -> Inspection:
    """Record one inspection of an item.  The latest inspection sets the item's 最終点検日, and its
    result the state: 不合格 puts the item out of order, 合格 brings it back into use."""
    row = Equipment.objects.select_for_update().filter(pk=equipment_id).first()
    if row is None:
        raise NotFound(f"安全管理設備に番号 {equipment_id} の行はありません。", field="id")
    require(actor, "equipment.inspect", row, message="この設備の点検を記録する権限がありません。")
    today, article = time.today(), row.article
    if row.state == row.end_state:
        raise TransitionRefused("撤去した設備の点検は記録できません。", field="state", article=article)
    if result not in InspectionResult.values:
        raise Invalid("結果: 合格か不合格を選んでください。", field="result", article=article)
    if not inspector.strip():
        raise Invalid("点検者: 入力してください。", field="inspector", article=article)
    if not row.valid_from <= inspected_on <= today:
        raise Invalid(
            "点検日: 設置日から今日までの日付にしてください。", field="inspected_on", article=article
        )
    if result == InspectionResult.FAILED and not follow_up.strip():
        raise Invalid(
            "措置・フォローアップ: 不合格のときは措置を記入してください。", field="follow_up", article=article
        )
    if follow_up_done_on is not None and not inspected_on <= follow_up_done_on <= today:
        raise Invalid(
            "措置完了日: 点検日から今日までの日付にしてください。", field="follow_up_done_on", article=article
        )
    before = snapshot(row)
    inspection = Inspection.objects.create(
        equipment=row,
        inspected_on=inspected_on,
        inspector=inspector.strip()[:100],
        result=result,
        follow_up=follow_up.strip()[:400],
        follow_up_done_on=follow_up_done_on,
        article=row.article,
        requirement=row.requirement,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        recorded_at=time.now(),
    )
    if row.inspected_on is None or inspected_on >= row.inspected_on:  # an older one changes neither
        row.inspected_on = inspected_on
        state = EquipmentState.OUT_OF_ORDER if result == InspectionResult.FAILED else EquipmentState.IN_USE
        if state != row.state:
            row.transition(to=state)
        row.save(update_fields=["inspected_on", "state"])
    cited = {"article": row.article, "requirement": row.requirement, "retention_class": "equipment"}
    fields = [f.attname for f in Inspection._meta.concrete_fields]
    record_append_many(
        entries=[
            entry_for(inspection, RecordAction.EQUIPMENT_INSPECTED, fields=fields, actor=actor, **cited),
            entry_for(
                row,
                RecordAction.EQUIPMENT_CHANGE,
                fields=["inspected_on", "state"],
                actor=actor,
                before=before,
                **cited,
            ),
        ]
    )
    findings_recheck(
        rule=OVERDUE_RULE, object_type="equipment.Equipment", object_id=row.pk, actor=actor, on=today
    )
    return inspection

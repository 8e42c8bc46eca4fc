"""The finding of the safety equipment: an item whose inspection is overdue (YAN-18, FUK-26)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from mamori.core import time
from mamori.findings.engine import Observation, rule
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .inspections import OVERDUE_RULE, inspection_due
from .models import Equipment
from .pack import section


@rule(OVERDUE_RULE)
@implements("YAN-18", "FUK-26")
def inspections_overdue(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """An item in place whose last inspection (or, never inspected, its installation) is more than its
    interval ago.  Each missed due date is its own finding: an inspection resolves it."""
    found = section(pack)
    for row in Equipment.objects.on(on).exclude(state=Equipment.end_state).select_related("unit"):
        due = inspection_due(row, found)
        if due is None or due >= on:
            continue
        last = f"最終点検 {time.wareki(row.inspected_on)}" if row.inspected_on else "点検の記録なし"
        yield Observation(
            key=f"{row.pk}:{due.isoformat()}",
            requirement=row.requirement,
            article=pack.cite(row.article),
            title=f"{row.place}の{row.name}の点検が期限（{time.wareki(due)}）を過ぎています",
            detail=f"{last}／設置 {time.wareki(row.valid_from)}",
            object_type="equipment.Equipment",
            object_id=str(row.pk),
            unit=row.unit,
        )

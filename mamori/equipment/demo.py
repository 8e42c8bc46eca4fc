"""The demo city's safety equipment (YAN-18, FUK-26), for packs that declare the register: a camera
that failed its last inspection, and a water detector whose inspection is overdue (a finding)."""

import datetime as dt
from typing import Any

from mamori.registers.services import register_add

from .inspections import inspection_record, plus_months
from .models import Equipment, InspectionResult
from .pack import section
from .register import spec

ROWS = (
    ("ハロン消火設備", Equipment.Kind.FIRE, "サーバ室", 60),
    ("無停電電源装置", Equipment.Kind.DISASTER, "サーバ室", 30),
    ("監視カメラ", Equipment.Kind.THEFT, "記録媒体保管庫", 200),
    ("漏水検知器", Equipment.Kind.DISASTER, "サーバ室", 400),  # planted: past its 12 months
)


def populate(city: Any, *, on: dt.date) -> str:
    found = section(city.pack)
    if found is None:
        return ""
    unit = city.units["231"]
    rows = []
    for name, kind, place, days in ROWS:
        data = {
            "name": name,
            "kind": kind,
            "place": place,
            "unit": unit.pk,
            "valid_from": plus_months(on, -36),
        }
        rows.append(
            register_add(spec=spec, actor=None, data={**data, "inspected_on": on - dt.timedelta(days=days)})
        )
    inspection_record(
        actor=None,
        equipment_id=rows[2].pk,
        inspected_on=on - dt.timedelta(days=10),
        inspector="防犯設備保守業者",
        result=InspectionResult.FAILED,
        follow_up="録画装置の交換を手配",
    )
    return f"{found.title}: {len(ROWS)}件"

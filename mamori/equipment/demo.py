"""The demo city's safety equipment (YAN-18, FUK-26), for packs that declare the register."""

import datetime as dt
from typing import Any

from mamori.registers.services import register_add

from .models import Equipment
from .pack import section
from .register import spec

ROWS = (
    ("ハロン消火設備", Equipment.Kind.FIRE, "サーバ室", 60),
    ("無停電電源装置", Equipment.Kind.DISASTER, "サーバ室", 30),
    ("監視カメラ", Equipment.Kind.THEFT, "記録媒体保管庫", 200),
)


def populate(city: Any, *, on: dt.date) -> str:
    found = section(city.pack)
    if found is None:
        return ""
    unit = city.units["231"]
    for name, kind, place, days in ROWS:
        data = {"name": name, "kind": kind, "place": place, "unit": unit.pk, "valid_from": on.replace(day=1)}
        register_add(spec=spec, actor=None, data={**data, "inspected_on": on - dt.timedelta(days=days)})
    return f"{found.title}: {len(ROWS)}件"

"""The demo city's designations: for each kind the active pack requires, two people of 市民課 and
情報システム課 are designated by the role the pack names (per system where the kind is per system), four
weeks before the build day, so the week of history other domains write (an escort in the 入退室管理簿)
finds them in force.  A pack that requires none gets none."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mamori.accounts.models import User
from mamori.accounts.services import account_create
from mamori.core import time
from mamori.organisation.roles import holders_of, primary_unit
from mamori.systems.models import System

from .services import DesignationError, designation_add, system_filter


def _designator(pack: Any, codes: list[str], *, on: dt.date, unit: Any) -> User | None:
    for code in codes:
        holders = holders_of(code, on=on, pack=pack, unit=unit)
        if holders:
            person = holders[0].person
            user = User.objects.filter(person=person).first()
            if user is None:
                user, _ = account_create(username=f"demo{person.staff_number}", person=person, actor=None)
            return user
    return None


def populate(city: Any, *, on: dt.date) -> str:
    pack = city.pack
    if not pack.parameters.designations:
        return ""
    since = on - dt.timedelta(days=28)
    with time.as_of(time.at(since, 9)):
        lines = [line for spec in pack.parameters.designations if (line := _designate(city, spec, on=since))]
    return "指定: " + "、".join(lines)


def _designate(city: Any, spec: Any, *, on: dt.date) -> str:
    if spec.per_terminal:
        return ""  # each terminal's operators are designated by the terminals demo
    pack = city.pack
    system = System.objects.filter(system_filter(spec)).order_by("code").first() if spec.per_system else None
    count = 0
    for person in (city.staff["310"][0], city.staff["231"][0]):
        unit = system.owner_unit if system is not None else primary_unit(person, on=on)
        actor = _designator(pack, spec.designated_by, on=on, unit=unit)
        if actor is None:
            continue
        try:
            designation_add(
                kind=spec.kind, person=person, system=system, actor=actor, duties="窓口・照会", on=on
            )
            count += 1
        except DesignationError:
            continue
    return f"{spec.ledger or spec.label} {count}名"

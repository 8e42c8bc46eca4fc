"""Who administers a system (KIT-3): the pack role named on the system, or the pack's default one,
held in the system's owner unit.  The management file, its policies and the staff-transfer
proposals ask these; they read only the systems register and the organisation."""

from __future__ import annotations

import datetime as dt

from mamori.organisation.models import Person
from mamori.organisation.roles import Holding, holders_of, holding_of
from mamori.regulations.schema import Pack

from .models import System


def administrator_role(system: System, pack: Pack) -> str | None:
    """The pack role that administers ``system`` (KIT-3): the one its entry names, else the pack's
    ``parameters.access.administrator_role``; None when the pack has no such role."""
    codes = {role.code for role in pack.roles}
    for code in (system.administrator_role, pack.parameters.access.administrator_role):
        if code and code in codes:
            return code
    return None


def administrators_of(system: System, *, pack: Pack, on: dt.date) -> list[Holding]:
    role = administrator_role(system, pack)
    if role is None:
        return []
    return holders_of(role, on=on, pack=pack, unit=system.owner_unit)


def administering(person: Person | None, system: System, *, pack: Pack, on: dt.date) -> Holding | None:
    """The person's holding of the system's administrator role, or None."""
    role = administrator_role(system, pack)
    if person is None or role is None:
        return None
    return holding_of(person, role, on=on, pack=pack, unit=system.owner_unit)


def administered_systems(person: Person | None, *, pack: Pack, on: dt.date) -> list[System]:
    """Systems whose administrator the person is today (each role resolved once per owner unit)."""
    if person is None:
        return []
    found, cache = [], {}
    for system in System.objects.select_related("owner_unit"):
        role = administrator_role(system, pack)
        if role is None:
            continue
        key = (role, system.owner_unit_id)
        if key not in cache:
            cache[key] = holding_of(person, role, on=on, pack=pack, unit=system.owner_unit) is not None
        if cache[key]:
            found.append(system)
    return found

"""Who keeps the safety-equipment register (YAN-18, FUK-26): the administrators, and the holders
today of the roles the pack's section names, each for the rows of its own scope."""

from __future__ import annotations

from typing import Any

import rules

from mamori.core import time
from mamori.core.policy import is_admin
from mamori.organisation.roles import holders_of
from mamori.regulations.active import active_pack

from .pack import section


@rules.predicate
def keeps_register(user: Any, row: Any = None) -> bool:
    """The user holds a role that keeps the register (for ``row``: in the row's unit's scope)."""
    person_id, pack = getattr(user, "person_id", None), active_pack()
    found = section(pack)
    if person_id is None or found is None:
        return False
    unit = getattr(row, "unit", None)
    return any(
        holding.person.pk == person_id
        for code in found.kept_by
        for holding in holders_of(code, on=time.today(), pack=pack, unit=unit)
    )


for perm in ("view", "add", "change", "end"):
    rules.add_perm(f"equipment.{perm}", is_admin | keeps_register)
rules.add_perm("equipment.inspect", is_admin | keeps_register)

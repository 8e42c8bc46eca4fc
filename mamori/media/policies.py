"""Who keeps the recording-media ledger (FUK-23, YAN-20): the administrators, and the holders today
of the roles the pack's section names, each for the media of its own scope.  Checking a medium out
and back in, and recording its history, is keeping the ledger."""

from __future__ import annotations

from typing import Any

import rules

from mamori.core import time
from mamori.core.policy import is_admin
from mamori.organisation.roles import holders_of
from mamori.regulations.active import active_pack

from .pack import section


@rules.predicate
def keeps_ledger(user: Any, row: Any = None) -> bool:
    """The user holds a role that keeps the ledger (for ``row``: in the row's unit's scope)."""
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


for perm in ("view", "add", "change", "checkout", "dispose"):
    rules.add_perm(f"media.{perm}", is_admin | keeps_ledger)
# A medium ends only by its recorded disposal (method, person, witness: media.dispose), never by the
# register layer's generic end, which records none of them.
rules.add_perm("media.end", rules.always_deny)

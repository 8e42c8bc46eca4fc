"""The predicate every register kept by pack roles shares: the holders today of the roles its pack
section names in ``kept_by``, each for the rows of its own scope (a row's ``unit``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules

from mamori.core import time
from mamori.organisation.roles import holders_of
from mamori.regulations.active import active_pack
from mamori.regulations.schema import Pack


def keeper_predicate(section: Callable[[Pack], Any]) -> rules.Predicate:
    """A django-rules predicate: the user holds a role that ``section(pack).kept_by`` names (for ``row``:
    in the row's unit's scope); false where the active pack has no such section."""

    def keeps(user: Any, row: Any = None) -> bool:
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

    return rules.predicate(keeps)

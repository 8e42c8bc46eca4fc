"""Who keeps the 入退室管理簿 (YAN-16, MAI-20, FUK-25): the administrators, the holders today of a
room's 入退室管理者 role, and, at the door, the people the pack lets escort in a room (they record the
entries they escort)."""

from __future__ import annotations

from typing import Any

import rules

from mamori.core import time
from mamori.core.policy import is_admin
from mamori.organisation.models import Person
from mamori.organisation.roles import holders_of
from mamori.regulations.active import active_pack

from .pack import section
from .selectors import may_escort


def _person(user: Any) -> Person | None:
    person_id = getattr(user, "person_id", None)
    return Person.objects.filter(pk=person_id).first() if person_id is not None else None


@rules.predicate
def manages_a_room(user: Any) -> bool:
    """The user holds today the 入退室管理者 role of one of the pack's rooms."""
    person_id, pack = getattr(user, "person_id", None), active_pack()
    found = section(pack)
    if person_id is None or found is None:
        return False
    return any(
        holding.person.pk == person_id
        for code in {room.manager for room in found.rooms}
        for holding in holders_of(code, on=time.today(), pack=pack)
    )


@rules.predicate
def escorts_in_a_room(user: Any) -> bool:
    """The user may escort today in one of the pack's rooms: they record at the door."""
    pack = active_pack()
    found, person = section(pack), _person(user)
    if found is None or person is None:
        return False
    return any(may_escort(room, person, on=time.today(), pack=pack) for room in found.rooms)


for perm in ("view", "add", "change", "end"):
    rules.add_perm(f"rooms.{perm}", is_admin | manages_a_room)
rules.add_perm("rooms.door", is_admin | manages_a_room | escorts_in_a_room)

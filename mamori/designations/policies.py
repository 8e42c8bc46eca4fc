"""Who may see and keep the register of designations.  Designating itself is decided by the pack (the
holder of the kind's ``designated_by`` role, checked again by the services); administrators enter what
was designated or reported on paper, correct rows and end designations left behind (YAN-12-3, FUK-10)."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import QuerySet

from mamori.core import time
from mamori.core.policy import is_admin
from mamori.regulations.active import active_pack

from .models import Designation
from .services import designators_of, scope_unit


@rules.predicate
def designates(user: Any, row: Designation | None = None) -> bool:
    """The user holds today a role the pack lets designate (for ``row``: its kind, in its unit)."""
    person_id, pack, today = getattr(user, "person_id", None), active_pack(), time.today()
    for rule in pack.parameters.designations:
        if person_id is None or (row is not None and row.kind != rule.kind):
            continue
        unit = None
        if row is not None:
            unit = scope_unit(rule, row.person, system=row.system, terminal=row.terminal, on=today)
        if any(h.person.pk == person_id for h in designators_of(rule, unit=unit, on=today, pack=pack)):
            return True
    return False


def visible_designations(user: Any) -> QuerySet[Designation]:
    """The designations of the active pack: the register is open to every member of staff."""
    return Designation.objects.filter(pack=active_pack().pack)


rules.add_perm("designations.view", rules.is_authenticated)
rules.add_perm("designations.designate", is_admin | designates)
rules.add_perm("designations.end", is_admin | designates)
rules.add_perm("designations.administer", is_admin)

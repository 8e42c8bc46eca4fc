"""Who may register terminals, designate their operators and search the operation records (YAN-12-3,
FUK-18-2, MAI-3, MAI-21-4)."""

from __future__ import annotations

from typing import Any

import rules

from mamori.core import time
from mamori.core.policy import is_admin
from mamori.regulations.active import active_pack

from .models import Terminal
from .services import designators_of


@rules.predicate
def designates_for(user: Any, terminal: Terminal | None) -> bool:
    """The user holds, today, the pack's role that designates this terminal's operators."""
    person_id = getattr(user, "person_id", None)
    if terminal is None or person_id is None:
        return False
    return any(
        h.person.pk == person_id for h in designators_of(terminal, on=time.today(), pack=active_pack())
    )


rules.add_perm("terminals.register", is_admin)
# Naming the designator on someone else's behalf is the administrators' correction of the register.
rules.add_perm("terminals.designate_for_another", is_admin)
rules.add_perm("terminals.designate", is_admin | designates_for)
rules.add_perm("terminals.end_designation", is_admin | designates_for)
# MAI-3 / MAI-21-4: the audit search of operation records (each search is itself recorded).
rules.add_perm("terminals.audit_search", is_admin)

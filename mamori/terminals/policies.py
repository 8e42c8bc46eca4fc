"""Who may register terminals, designate their operators and search the operation records (YAN-12-3,
FUK-18-2, MAI-3, MAI-21-4)."""

from __future__ import annotations

from typing import Any

import rules

from mamori.core import time
from mamori.core.policy import is_admin
from mamori.designations.services import designators_of, terminal_rule
from mamori.regulations.active import active_pack

from .models import Terminal


@rules.predicate
def designates_for(user: Any, terminal: Terminal | None) -> bool:
    """The user holds, today, the pack's role that designates this terminal's operators."""
    person_id = getattr(user, "person_id", None)
    pack = active_pack()
    spec = terminal_rule(pack)
    if terminal is None or person_id is None or spec is None:
        return False
    holders = designators_of(spec, unit=terminal.unit, on=time.today(), pack=pack)
    return any(h.person.pk == person_id for h in holders)


rules.add_perm("terminals.register", is_admin)
rules.add_perm("terminals.designate", is_admin | designates_for)
rules.add_perm("terminals.end_designation", is_admin | designates_for)
# MAI-3 / MAI-21-4: the audit search of operation records (each search is itself recorded).
rules.add_perm("terminals.audit_search", is_admin)

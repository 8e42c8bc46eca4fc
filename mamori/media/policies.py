"""Who keeps the recording-media ledger (FUK-23, YAN-20): the administrators, and the holders today
of the roles the pack's section names, each for the media of its own scope.  Checking a medium out
and back in, and recording its history, is keeping the ledger."""

from __future__ import annotations

import rules

from mamori.core.policy import is_admin
from mamori.registers.policies import keeper_predicate

from .pack import section

keeps_ledger = keeper_predicate(section)


for perm in ("view", "add", "change", "checkout", "dispose"):
    rules.add_perm(f"media.{perm}", is_admin | keeps_ledger)
# A medium ends only by its recorded disposal (method, person, witness: media.dispose), never by the
# register layer's generic end, which records none of them.
rules.add_perm("media.end", rules.always_deny)

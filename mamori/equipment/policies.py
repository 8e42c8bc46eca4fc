"""Who keeps the safety-equipment register (YAN-18, FUK-26): the administrators, and the holders
today of the roles the pack's section names, each for the rows of its own scope."""

from __future__ import annotations

import rules

from mamori.core.policy import is_admin
from mamori.registers.policies import keeper_predicate

from .pack import section

keeps_register = keeper_predicate(section)


for perm in ("view", "add", "change", "end"):
    rules.add_perm(f"equipment.{perm}", is_admin | keeps_register)
rules.add_perm("equipment.inspect", is_admin | keeps_register)

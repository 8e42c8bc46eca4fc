"""Who may correct the register of designations.  Designating itself is decided by the pack (the
holder of the kind's ``designated_by`` role, checked by the services); administrators enter what was
designated or reported on paper and end designations left behind (YAN-12-3, FUK-10)."""

from __future__ import annotations

import rules

from mamori.core.policy import is_admin

rules.add_perm("designations.administer", is_admin)

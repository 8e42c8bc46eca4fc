"""Who may verify the record chain and the event store (the administrators of mamori)."""

import rules

from mamori.core.policy import is_admin

rules.add_perm("records.verify", is_admin)

"""Who manages mamori's own accounts (issue, unlock, reset): the administrators of mamori."""

import rules

from mamori.core.policy import is_admin

rules.add_perm("accounts.manage", is_admin)

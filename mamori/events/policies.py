"""Who may ingest operation records and see the ingest batches (MAI-25): the administrators, and a
log-shipping agent's account that holds only the model permission ``events.add_event``."""

from __future__ import annotations

from typing import Any

import rules

from mamori.core.policy import is_admin


@rules.predicate
def ships_logs(user: Any) -> bool:
    # Django's model permission, granted to an agent's account in the admin; rules' own perms are not
    # consulted for it (ModelBackend answers), so there is no recursion.
    return bool(getattr(user, "is_active", False)) and "events.add_event" in user.get_all_permissions()


rules.add_perm("events.ingest", is_admin | ships_logs)
rules.add_perm("events.view_batches", is_admin | ships_logs)
rules.add_perm("events.view_sources", is_admin | ships_logs)

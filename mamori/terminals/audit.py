"""Recording who searched the operation events: an audit search reads what staff did to residents'
records, so the search itself is recorded (who, when, which conditions, for what output)."""

from __future__ import annotations

from django.db import transaction

from mamori.core.policy import Actor
from mamori.events.search import AuditQuery
from mamori.records.actions import RecordAction
from mamori.records.services import record_append


@transaction.atomic
def audit_searched(*, query: AuditQuery, actor: Actor, purpose: str) -> None:
    """Append the record of an audit search (first page or export) with its conditions."""
    record_append(
        action=RecordAction.AUDIT_SEARCHED,
        object_type="events.Event",
        object_id="",
        actor=actor,
        after={
            "conditions": query.describe(),
            "since": query.since.isoformat(),
            "until": query.until.isoformat(),
            "person": query.person.staff_number if query.person else "",
            "subject": query.subject,
            "account": query.account,
            "host": query.host,
            "outside_hours": query.outside_hours,
            "purpose": purpose,
        },
        retention_class="terminals",
    )

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from mamori.core import time
from mamori.organisation.models import Employment, Person
from mamori.records.services import Entry, record_append_many, snapshot
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .models import ENTITLEMENT_TRANSITIONS, Entitlement, EntitlementState, Privilege, System

ENTITLEMENT_FIELDS = (
    "id",
    "person_id",
    "system_id",
    "privilege_id",
    "user_id",
    "valid_from",
    "valid_to",
    "state",
    "request_id",
)


def validity_end(person: Person) -> dt.date | None:
    """KIT-7: a person with a fixed appointment term holds privileges only for that term."""
    if person.employment in (Employment.FIXED_TERM, Employment.REAPPOINTED) or person.term_end:
        return person.term_end
    return None


@implements("KIT-5-4", "KIT-7")
@transaction.atomic
def entitlements_apply_request(
    *, request: Any, actor: Any, capacity: str, pack: Pack, on: dt.date, article: str, requirement: str
) -> list[Entitlement]:
    """Register (or remove) the request's privileges in the management file, in the same transaction
    as the administrator's approval; the completion notice goes back to the 情報セキュリティ責任者."""
    payload = request.payload
    person = Person.objects.get(staff_number=payload["person"])
    system = System.objects.get(code=payload["system"])
    privileges = list(Privilege.objects.filter(system=system, code__in=payload["privileges"]))
    moment = time.now()
    entries: list[Entry] = []
    changed: list[Entitlement] = []
    if payload["action"] == "grant":
        valid_from = dt.date.fromisoformat(payload["valid_from"])
        valid_to = validity_end(person)
        existing = set(
            Entitlement.objects.filter(
                person=person, system=system, privilege__in=privileges, state=EntitlementState.ACTIVE
            ).values_list("privilege_id", flat=True)
        )
        new = [
            Entitlement(
                person=person,
                system=system,
                privilege=p,
                user_id=payload["user_id"],
                valid_from=valid_from,
                valid_to=valid_to,
                request=request,
                registered_at=moment,
                registered_by=actor,
            )
            for p in privileges
            if p.pk not in existing
        ]
        changed = Entitlement.objects.bulk_create(new)
        entries = [
            Entry(
                action="access.entitlement.registered",
                object_type="access.Entitlement",
                object_id=str(e.pk),
                actor=actor,
                capacity=capacity,
                after=snapshot(e, ENTITLEMENT_FIELDS),
                article=article,
                requirement=requirement,
                retention_class="access",
            )
            for e in changed
        ]
    else:
        changed = list(
            Entitlement.objects.select_for_update().filter(
                person=person, system=system, privilege__in=privileges, state=EntitlementState.ACTIVE
            )
        )
        for entitlement in changed:
            before = snapshot(entitlement, ENTITLEMENT_FIELDS)
            entitlement.state, entitlement.ended_at = EntitlementState.REVOKED, moment
            entries.append(
                Entry(
                    action="access.entitlement.revoked",
                    object_type="access.Entitlement",
                    object_id=str(entitlement.pk),
                    actor=actor,
                    capacity=capacity,
                    before=before,
                    after=snapshot(entitlement, ENTITLEMENT_FIELDS),
                    article=article,
                    requirement=requirement,
                    retention_class="access",
                )
            )
        Entitlement.objects.bulk_update(changed, ["state", "ended_at"])
    record_append_many(entries=entries)
    return changed


class EntitlementError(ValueError):
    def __init__(self, message: str, *, article: str = ""):
        self.message, self.article = message, article
        super().__init__(message)


def _check_transition(entitlement: Entitlement, to: str) -> None:
    if to not in ENTITLEMENT_TRANSITIONS[entitlement.state]:
        raise EntitlementError(
            f"管理ファイル #{entitlement.pk} は{entitlement.get_state_display()}のため"
            f"{EntitlementState(to).label}にできません"
        )


@transaction.atomic
def entitlement_end(
    *,
    entitlement: Entitlement,
    actor: Any,
    state: str = EntitlementState.REVOKED,
    reason: str,
    capacity: str = "",
    article: str = "",
    requirement: str = "",
) -> Entitlement:
    """End one line of the management file (revoked by a decision, or expired at the end of its
    term) and record who ended it, in which capacity, why and under which article."""
    locked = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    _check_transition(locked, state)
    if not reason.strip():
        raise EntitlementError("終了の理由を記入してください", article=article)
    before = snapshot(locked, ENTITLEMENT_FIELDS)
    locked.state, locked.ended_at = state, time.now()
    locked.save(update_fields=["state", "ended_at"])
    record_append_many(
        entries=[
            Entry(
                action=f"access.entitlement.{state}",
                object_type="access.Entitlement",
                object_id=str(locked.pk),
                actor=actor,
                capacity=capacity,
                before=before,
                after={**snapshot(locked, ENTITLEMENT_FIELDS), "reason": reason},
                article=article,
                requirement=requirement,
                retention_class="access",
            )
        ]
    )
    return locked


CHANGEABLE_FIELDS = ("user_id", "valid_from", "valid_to")


@transaction.atomic
def entitlement_change(
    *,
    entitlement: Entitlement,
    actor: Any,
    changes: dict[str, Any],
    reason: str,
    capacity: str = "",
    article: str = "",
    requirement: str = "",
) -> Entitlement:
    """Correct an active line (its user ID or validity), with the reason, recorded before/after."""
    unknown = set(changes) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise EntitlementError(f"変更できない項目です: {', '.join(sorted(unknown))}")
    locked = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    if locked.state != EntitlementState.ACTIVE:
        raise EntitlementError(
            f"管理ファイル #{locked.pk} は{locked.get_state_display()}のため変更できません"
        )
    if not reason.strip():
        raise EntitlementError("変更の理由を記入してください", article=article)
    before = snapshot(locked, ENTITLEMENT_FIELDS)
    for name, value in changes.items():
        setattr(locked, name, value)
    if locked.valid_to and locked.valid_to < locked.valid_from:
        raise EntitlementError("有効終了日が有効開始日より前です")
    locked.save(update_fields=list(changes))
    record_append_many(
        entries=[
            Entry(
                action="access.entitlement.changed",
                object_type="access.Entitlement",
                object_id=str(locked.pk),
                actor=actor,
                capacity=capacity,
                before=before,
                after={**snapshot(locked, ENTITLEMENT_FIELDS), "reason": reason},
                article=article,
                requirement=requirement,
                retention_class="access",
            )
        ]
    )
    return locked

"""Who may see the managed passwords, 照合ID・操作者ID, viewing IDs and their loans (KIT-8, KIT-11,
MAI-23): one rule each, which the screens, the API and the exports share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from mamori.access.selectors import subtree_ids
from mamori.core import time
from mamori.core.policy import is_admin
from mamori.organisation.models import Assignment
from mamori.organisation.roles import Holding, roles_of
from mamori.regulations.active import active_pack

from .models import Credential, Loan, OperatorId, ViewingId

CREDENTIAL_RELATED = ("person", "system", "notified_to", "notified_via")


def _holdings(user: Any, codes: list[str], *, on: dt.date) -> list[Holding]:
    person = getattr(user, "person", None)
    if person is None or not codes:
        return []
    return [h for h in roles_of(person, on=on, pack=active_pack()) if h.role_code in codes]


def _units_held(holdings: list[Holding]) -> set[int] | None:
    """The units (and those below) the holdings cover; None for a holding without a unit (all)."""
    if any(h.unit is None for h in holdings):
        return None
    return subtree_ids({h.unit.pk for h in holdings if h.unit})


def visible_credentials(user: Any) -> QuerySet[Credential]:
    """Administrators see every row; others the ones they set and their own (never a secret)."""
    rows = Credential.objects.select_related(*CREDENTIAL_RELATED)
    if is_admin(user):
        return rows
    return rows.filter(Q(issued_by=user) | Q(person_id=getattr(user, "person_id", None)))


def visible_operator_ids(user: Any) -> QuerySet[OperatorId]:
    """MAI-23: the 照合ID managers (the pack's ``issued_by`` roles, today) and the administrators see
    every 操作者ID; an operator sees their own."""
    rows = OperatorId.objects.select_related("verification__person", "system").prefetch_related("privileges")
    rules = active_pack().parameters.operator_ids
    if is_admin(user) or (rules and _holdings(user, rules.issued_by, on=time.today())):
        return rows
    person_id = getattr(user, "person_id", None)
    return rows.filter(verification__person_id=person_id) if person_id is not None else rows.none()


def visible_viewing_ids(user: Any) -> QuerySet[ViewingId]:
    """KIT-11: the lenders see the viewing IDs of the units they lend for; the administrators all;
    anyone else those of the units they work in today."""
    rows = ViewingId.objects.select_related("unit")
    if is_admin(user):
        return rows
    units = _lender_units(user)
    if units is None:
        return rows
    return rows.filter(Q(unit_id__in=units) | Q(unit_id__in=_own_units(user)))


def visible_loans(user: Any) -> QuerySet[Loan]:
    """KIT-11: a lender sees the loans of the units they lend for; a viewer their own loans."""
    rows = Loan.objects.select_related("viewing_id", "viewer")
    if is_admin(user):
        return rows
    units = _lender_units(user)
    if units is None:
        return rows
    return rows.filter(Q(viewing_id__unit_id__in=units) | Q(viewer_id=getattr(user, "person_id", None)))


def _lender_units(user: Any) -> set[int] | None:
    rules = active_pack().parameters.viewing_ids
    holdings = _holdings(user, rules.lent_by if rules else [], on=time.today())
    return _units_held(holdings) if holdings else set()


def _own_units(user: Any) -> QuerySet:
    return (
        Assignment.objects.on(time.today())
        .filter(person_id=getattr(user, "person_id", None))
        .values("unit_id")
    )

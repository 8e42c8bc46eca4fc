"""Which findings a user may read: one rule for the screens, the API and the exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from mamori.core import time

from .models import Finding

# The units a person is posted to on a day, as a queryset of unit ids.  Findings sits below the
# organisation in the app graph (the organisation's and the accounts' rules feed it), so the
# organisation app fills this when its policies load (mamori/organisation/policies.py).
UnitScope = Callable[[int, dt.date], QuerySet[Any]]
_unit_scope: list[UnitScope] = []


def register_unit_scope(scope: UnitScope) -> None:
    _unit_scope[:] = [scope]


def visible_findings(user: Any) -> QuerySet[Finding]:
    """An administrator of mamori reads every finding; anyone else those about their own person or
    the units they are posted to today (a finding names a colleague's misuse: it is not for all)."""
    findings = Finding.objects.select_related("person", "unit")
    if getattr(user, "is_superuser", False):
        return findings
    if not getattr(user, "person_id", None):
        return findings.none()
    if not _unit_scope:
        raise RuntimeError("no unit scope registered: mamori.organisation is not installed")
    today: dt.date = time.today()  # the viewer's rights are today's, whatever day the data is about
    units = _unit_scope[0](user.person_id, today)
    return findings.filter(Q(person_id=user.person_id) | Q(unit_id__in=units))

"""Which findings a user may read: one rule for the screens, the API and the exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from mamori.core import time
from mamori.organisation.models import Assignment

from .models import Finding


def visible_findings(user: Any) -> QuerySet[Finding]:
    """An administrator of mamori reads every finding; anyone else those about their own person or
    the units they are posted to today (a finding names a colleague's misuse: it is not for all)."""
    findings = Finding.objects.select_related("person", "unit")
    if getattr(user, "is_superuser", False):
        return findings
    if not getattr(user, "person_id", None):
        return findings.none()
    today: dt.date = time.today()  # the viewer's rights are today's, whatever day the data is about
    units = Assignment.objects.on(today).filter(person_id=user.person_id).values("unit_id")
    return findings.filter(Q(person_id=user.person_id) | Q(unit_id__in=units))

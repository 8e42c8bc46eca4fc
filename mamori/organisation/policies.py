"""Who changes who holds a role: appointments (任命・代理者の指定) and absences (事故があるとき) decide
who approves, so only mamori's administrators (情報政策課) record them.

The findings a member of staff reads are those of the units they are posted to: findings sits below
the organisation, so the organisation gives it that scope here."""

from __future__ import annotations

import datetime as dt
from typing import Any

import rules
from django.db.models import QuerySet

from mamori.core.policy import is_admin
from mamori.findings.selectors import register_unit_scope

from .models import Assignment

rules.add_perm("organisation.manage_roles", is_admin)


def units_posted_to(person_id: int, on: dt.date) -> QuerySet[Any]:
    """The ids of the units the person is posted to on the day (本務 and 兼務)."""
    return Assignment.objects.on(on).filter(person_id=person_id).values("unit_id")


register_unit_scope(units_posted_to)

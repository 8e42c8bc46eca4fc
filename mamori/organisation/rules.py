"""Rules over the organisation: a role the regulation requires must have someone to hold it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from mamori.findings.engine import Observation, rule
from mamori.regulations.schema import Pack

from .models import Unit
from .roles import holders_of


@rule("organisation.role_without_holder")
def roles_without_holder(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """A role held ex officio whose post is vacant with no deputy (YAN-5, KIT-3, MAI-11, MAI-13, FUK-8,
    MEG-5): nobody can take the decisions the regulation gives it."""
    for role in pack.roles:
        if not role.held_by:
            continue  # held by appointment: an empty list only means nobody is appointed yet
        requirement = role.requirements[0] if role.requirements else ""
        if role.scope is None:
            if not holders_of(role.code, on=on, pack=pack):
                yield Observation(
                    key=role.code,
                    requirement=requirement,
                    article=pack.cite(role.articles[0]),
                    title=f"{role.name}を務める者がいません（充て職が空席で、代理する者もいません）",
                    object_type="role",
                    object_id=role.code,
                )
            continue
        for unit in Unit.objects.filter(level=role.scope):
            if unit.is_active_on(on) and not holders_of(role.code, on=on, pack=pack, unit=unit):
                yield Observation(
                    key=f"{role.code}:{unit.code}",
                    requirement=requirement,
                    article=pack.cite(role.articles[0]),
                    title=f"{unit.name}の{role.name}を務める者がいません",
                    object_type="role",
                    object_id=role.code,
                    unit=unit,
                )

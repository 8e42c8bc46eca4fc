"""Rules over the organisation: a role the regulation requires must have someone to hold it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from mamori.findings.engine import Observation, rule
from mamori.regulations.schema import Pack, Role

from .models import Unit
from .roles import holders_of


def _ex_officio_groups(pack: Pack) -> list[list[Role]]:
    """Roles held by the same posts in the same scope are one vacancy, reported once."""
    groups: dict[tuple, list[Role]] = {}
    for role in pack.roles:
        if role.held_by:  # a role held by appointment is not vacant, only not yet appointed
            groups.setdefault((tuple(role.held_by), role.scope, role.deputy), []).append(role)
    return list(groups.values())


@rule("organisation.role_without_holder")
def roles_without_holder(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """A role held ex officio whose post is vacant or whose holder is away, with no deputy (YAN-5,
    KIT-3, MAI-11, MAI-13, FUK-8, MEG-5): nobody can take the decisions the regulation gives it."""
    for roles in _ex_officio_groups(pack):
        first = roles[0]
        names = "・".join(role.name for role in roles)
        requirement = next((r.requirements[0] for r in roles if r.requirements), "")
        if first.scope is None:
            if not holders_of(first.code, on=on, pack=pack):
                yield Observation(
                    key=first.code,
                    requirement=requirement,
                    article=pack.cite(first.articles[0]),
                    title=f"{names}を務める者がいません（充て職が空席か不在で、代理する者もいません）",
                    object_type="role",
                    object_id=first.code,
                )
            continue
        for unit in Unit.objects.filter(level=first.scope):
            if unit.is_active_on(on) and not holders_of(first.code, on=on, pack=pack, unit=unit):
                yield Observation(
                    key=f"{first.code}:{unit.code}",
                    requirement=requirement,
                    article=pack.cite(first.articles[0]),
                    title=f"{unit.name}の{names}を務める者がいません（空席か不在で、代理する者もいません）",
                    object_type="role",
                    object_id=first.code,
                    unit=unit,
                )

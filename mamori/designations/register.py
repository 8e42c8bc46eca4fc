"""The register of designations on the register layer (mamori/registers): its columns, permissions and
citation.  The list, detail, end and export screens and the API come from them; adding and ending a
row go through the designation services (who may designate, per-terminal rules, what is reported)."""

from __future__ import annotations

import datetime as dt

from mamori.core.policy import Actor
from mamori.registers.spec import Citation, Column, Perms, RegisterSpec
from mamori.regulations.active import active_pack
from mamori.regulations.schema import Pack

from .models import Designation
from .policies import visible_designations
from .services import designation_add, designation_end


def cite(pack: Pack) -> Citation | None:
    kinds = pack.parameters.designations
    if not kinds:
        return None
    articles = "、".join(dict.fromkeys(pack.cite(k.article) for k in kinds))
    return Citation(kinds[0].article, (kinds[0].requirements or [""])[0], "指定の台帳", articles)


def kinds() -> list[tuple[str, str]]:
    return [(k.kind, k.ledger or k.label) for k in active_pack().parameters.designations]


def _add(row: Designation, *, actor: Actor) -> Designation:
    return designation_add(
        kind=row.kind,
        person=row.person,
        system=row.system,
        terminal=row.terminal,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        duties=row.duties,
        actor=actor,
    )


def _end(row: Designation, *, actor: Actor, on: dt.date, reason: str) -> Designation:
    return designation_end(designation=row, actor=actor, on=on, reason=reason)


spec = RegisterSpec(
    model=Designation,
    name="designations",
    title="指定の台帳",
    columns=(
        Column("person", width=14),
        Column("label", edit=False, width=20),
        Column("kind", lookup="exact", choices=kinds, list=False, detail=False, export=False),
        Column("system", sortable=False, width=16),
        Column("terminal", sortable=False, width=16),
        Column("duties", width=16),
        Column("valid_from", label="指定日", lookup="range", width=11),
        Column("valid_to", label="指定期限", width=11),
        Column("designated_as", label="指定者", edit=False, width=20),
        Column("reported_to", edit=False, sortable=False, width=12),
        Column("reported_at", edit=False, width=16),
        Column("state", lookup="exact", edit=False, width=10),
        Column("end_reason", label="解除の理由", list=False, edit=False, width=14),
        Column("article", list=False, edit=False, export=False),
        Column("requirement", list=False, edit=False, export=False),
    ),
    perms=Perms("designations.view", "designations.designate", "designations.administer", "designations.end"),
    cite=cite,
    retention_class="access",
    visible=visible_designations,
    related=("person", "system", "terminal", "reported_to"),
    list_url="designations",  # the ledger: mamori/web/views/designations.py
    adds=_add,
    ends=_end,
)

"""JSON API of the designations domain, mounted by mamori/api.py under /api/designations/: the register
layer's router (list with pages and filters, detail, add, change, end; refusals as the Problem schema)
and the kinds the active pack requires."""

from __future__ import annotations

from ninja import Schema

from mamori.registers.api import register_router
from mamori.regulations.active import active_pack

from .register import spec

router = register_router(spec)


class KindOut(Schema):
    kind: str
    label: str
    article: str
    requirements: list[str]
    designated_by: list[str]
    report_to: str | None
    per_system: bool
    per_terminal: bool
    applies_to: list[str]
    ledger: str | None


@router.get("/kinds", response=list[KindOut], summary="規程が求める指定の種類")
def designation_kinds(request):
    return [k.model_dump(include=set(KindOut.model_fields)) for k in active_pack().parameters.designations]

"""JSON API of the designations domain; mounted by mamori/api.py under /api/designations/."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from mamori.access.models import System
from mamori.core import time
from mamori.core.schemas import Code, ProblemOut
from mamori.organisation.models import Person
from mamori.regulations.active import active_pack

from .models import Designation
from .services import DesignationError, designation_add, designation_end

router = Router(tags=["designations"])


class KindOut(Schema):
    kind: str
    label: str
    article: str
    requirements: list[str]
    designated_by: list[str]
    report_to: str | None
    per_system: bool
    applies_to: list[str]
    ledger: str | None


class DesignationOut(Schema):
    id: int
    kind: str
    label: str
    person: str
    person_name: str
    system: str | None
    terminal: str | None = Field(None, description="端末機のホスト名 (端末機操作員の指定)")
    valid_from: dt.date
    valid_to: dt.date | None
    state: str
    designated_as: str
    reported_to: str | None
    reported_at: dt.datetime | None
    duties: str
    article: str
    requirement: str


class DesignationIn(Schema):
    kind: Code
    person: Code  # 職員番号
    system: Code | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    duties: str = Field("", max_length=200)


class DesignationEndIn(Schema):
    reason: str = Field(max_length=200)  # 解除の理由: 200


def _out(d: Designation) -> dict:
    return {
        "id": d.pk,
        "kind": d.kind,
        "label": d.label,
        "person": d.person.staff_number,
        "person_name": d.person.name,
        "system": d.system.code if d.system_id else None,
        "terminal": d.terminal.host_name if d.terminal_id else None,
        "valid_from": d.valid_from,
        "valid_to": d.valid_to,
        "state": d.state,
        "designated_as": d.designated_as,
        "reported_to": d.reported_to.name if d.reported_to_id else None,
        "reported_at": d.reported_at,
        "duties": d.duties,
        "article": d.article,
        "requirement": d.requirement,
    }


ROWS = Designation.objects.select_related("person", "system", "terminal", "reported_to")


def _problem(error: DesignationError) -> Status:
    return Status(400, {"message": error.message, "article": error.article, "field": error.field})


@router.get("/kinds", response=list[KindOut], summary="規程が求める指定の種類")
def designation_kinds(request):
    return [
        spec.model_dump(include=set(KindOut.model_fields)) for spec in active_pack().parameters.designations
    ]


@router.get("", response=list[DesignationOut], summary="指定の一覧（台帳）")
def designations_list(
    request, kind: Code | None = None, system: Code | None = None, on: dt.date | None = None
):
    """Designations of the active pack; ``on``: only those in force on that day."""
    rows = ROWS.filter(pack=active_pack().pack)
    if kind:
        rows = rows.filter(kind=kind)
    if system:
        rows = rows.filter(system__code=system)
    if on:
        rows = rows.on(on)
    return [_out(d) for d in rows[:2000]]


@router.post("", response={201: DesignationOut, 400: ProblemOut}, summary="指定")
def designations_add(request, body: DesignationIn):
    """YAN-8, YAN-14, FUK-10, FUK-17, MEG-13-1: refused unless the actor holds a designating role."""
    person = get_object_or_404(Person, staff_number=body.person)
    system = get_object_or_404(System, code=body.system) if body.system else None
    try:
        added = designation_add(
            kind=body.kind,
            person=person,
            system=system,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            duties=body.duties,
            actor=request.user,
            on=time.today(),
        )
    except DesignationError as error:
        return _problem(error)
    return Status(201, _out(ROWS.get(pk=added.pk)))


@router.post("/{designation_id}/end", response={200: DesignationOut, 400: ProblemOut}, summary="指定の解除")
def designations_end(request, designation_id: int, body: DesignationEndIn):
    designation = get_object_or_404(Designation, pk=designation_id)
    try:
        ended = designation_end(designation=designation, actor=request.user, reason=body.reason)
    except DesignationError as error:
        return _problem(error)
    return Status(200, _out(ROWS.get(pk=ended.pk)))

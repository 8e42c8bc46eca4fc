"""The inspections on the register's screens and API (YAN-18, FUK-26): the detail screen of an item
lists its inspections and holds the form to record one; the API lists and records them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods
from ninja import ModelSchema, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import ConfigDict

from mamori.core import time
from mamori.core.policy import Refused, may, require
from mamori.core.schemas import Text, Title
from mamori.registers.api import PROBLEMS
from mamori.registers.models import NotFound
from mamori.registers.services import citation
from mamori.registers.spec import RegisterSpec
from mamori.registers.views import _context, _screen
from mamori.regulations.active import active_pack

from .inspections import inspection_due, inspection_record
from .models import Equipment, Inspection, InspectionResult
from .pack import section

DATE = forms.DateInput(attrs={"type": "date"})


class InspectionForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["inspected_on", "inspector", "result", "follow_up", "follow_up_done_on"]
        widgets = {"inspected_on": DATE, "follow_up_done_on": DATE}


class InspectionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    inspected_on: dt.date
    inspector: Title
    result: InspectionResult
    follow_up: Text = ""
    follow_up_done_on: dt.date | None = None


class InspectionOut(ModelSchema):
    class Meta:
        model = Inspection
        fields = ["id", "equipment", "inspected_on", "inspector", "result", "follow_up", "follow_up_done_on"]


def _row(request: HttpRequest, spec: RegisterSpec, pk: int) -> Any:
    require(request.user, spec.perms.view, message=f"「{spec.title}」を見る権限がありません。")
    row = spec.rows(request.user).filter(pk=pk).first()
    if row is None:
        raise NotFound(f"「{spec.title}」に番号 {pk} の行はありません。", field="id")
    return row


def inspection_routes(router: Router, spec: RegisterSpec) -> None:
    @router.get("/{int:pk}/inspections", response=list[InspectionOut], summary="設備の点検記録の一覧")
    @paginate(PageNumberPagination)
    def inspections(request: HttpRequest, pk: int) -> Any:
        return _row(request, spec, pk).inspections.all()

    @router.post("/{int:pk}/inspections", response={201: InspectionOut, **PROBLEMS}, summary="点検を記録")
    def inspect(request: HttpRequest, pk: int, payload: InspectionIn) -> Any:
        return Status(201, inspection_record(actor=request.user, equipment_id=pk, **payload.model_dump()))


def inspection_urls(spec: RegisterSpec) -> list[URLPattern]:
    """The item's detail screen with its inspections, in place of the generic one."""

    @_screen
    @require_http_methods(["GET", "POST"])
    def detail(request: HttpRequest, pk: int) -> HttpResponse:
        row: Equipment = _row(request, spec, pk)
        form = InspectionForm(request.POST or None, initial={"inspected_on": time.today()})
        if request.method == "POST" and form.is_valid():
            try:
                inspection_record(actor=request.user, equipment_id=row.pk, **form.cleaned_data)
            except Refused as refusal:
                if refusal.status == 403:
                    raise
                form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            else:
                return redirect(f"{spec.name}:detail", pk=pk)
        due = inspection_due(row, section(active_pack()))
        context = _context(
            request,
            spec,
            cited=citation(spec),
            row=row,
            fields=[(spec.label(c.field), spec.cell(row, c.field)) for c in spec.shown("detail")],
            form=form,
            inspections=row.inspections.all(),
            due=due,
            overdue=due is not None and due < time.today(),
            may_inspect=may(request.user, "equipment.inspect", row) and row.state != row.end_state,
        )
        return render(request, "equipment/detail.html", context, status=400 if form.errors else 200)

    return [path("<int:pk>/", detail, name="detail")]

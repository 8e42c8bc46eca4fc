"""指定の台帳: one ledger per designation kind the pack requires (電算要員登録台帳 FUK-17, 本人確認情報
取扱者 YAN-8, 情報システム担当者 YAN-14, 個人情報取扱従事者 MEG-13-1), with add/end through the
designations services and the ledger as xlsx or PDF through the exports interface."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mamori.access.models import System
from mamori.core import time
from mamori.designations.models import Designation, DesignationState
from mamori.designations.services import DesignationError, designation_add, designation_end, system_filter
from mamori.exports.tables import Column, TableExport, export_response
from mamori.organisation.models import Person

from .common import current_pack, screen

PAGE_SIZE = 50


def _spec(pack, kind: str | None):
    specs = pack.parameters.designations
    if not specs:
        return None
    return next((s for s in specs if s.kind == kind), specs[0])


def _ledger(pack, spec, *, show: str):
    # designated_by__person: the ledger shows the designator's display_name, one query a row otherwise.
    rows = Designation.objects.filter(pack=pack.pack, kind=spec.kind).select_related(
        "person", "system", "reported_to", "designated_by__person"
    )
    if show == "active":
        rows = rows.on(time.today())
    return rows.order_by("system__code", "person__staff_number", "id")


@screen
def designations(request):
    pack = current_pack()
    spec = _spec(pack, request.GET.get("kind"))
    show = request.GET.get("show", "active")
    context = {"nav": "designations", "spec": spec, "specs": pack.parameters.designations, "show": show}
    if spec is not None:
        context |= {
            "article": pack.cite(spec.article),
            "page": Paginator(_ledger(pack, spec, show=show), PAGE_SIZE).get_page(request.GET.get("page")),
            "systems": System.objects.filter(system_filter(spec)) if spec.per_system else [],
            "designators": "・".join(pack.role(code).name for code in spec.designated_by),
            "report_to": pack.role(spec.report_to).name if spec.report_to else "",
        }
    return render(request, "web/designations/ledger.html", context)


def _refused(request, error: DesignationError) -> None:
    messages.error(request, f"{error.message}（{error.article}）" if error.article else error.message)


@screen
@require_POST
def designation_add_view(request, kind: str):
    staff_number = request.POST.get("person", "").strip()
    person = Person.objects.filter(staff_number=staff_number).first()
    system = System.objects.filter(code=request.POST.get("system", "")).first()
    if person is None:
        messages.error(request, f"職員番号 {staff_number or '(空)'} の職員はいません")
    else:
        try:
            added = designation_add(
                kind=kind,
                person=person,
                system=system,
                duties=request.POST.get("duties", ""),
                actor=request.user,
            )
        except DesignationError as error:
            _refused(request, error)
        else:
            reported = f" {added.reported_to.name}さんに報告しました。" if added.reported_to_id else ""
            messages.success(request, f"{person.name}さんを{added.label}に指定しました。{reported}")
    return redirect(f"{reverse('designations')}?kind={kind}")


@screen
@require_POST
def designation_end_view(request, pk: int):
    designation = get_object_or_404(Designation, pk=pk, state=DesignationState.ACTIVE)
    try:
        designation_end(designation=designation, actor=request.user, reason=request.POST.get("reason", ""))
    except DesignationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"{designation.person.name}さんの指定を解除しました。")
    return redirect(f"{reverse('designations')}?kind={designation.kind}")


@screen
def designation_export(request, kind: str, fmt: str):
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    pack = current_pack()
    spec = _spec(pack, kind)
    if spec is None or spec.kind != kind:
        raise Http404
    rows = (
        (
            d.person.staff_number,
            d.person.name,
            d.system.name if d.system_id else "",
            d.duties,
            d.valid_from,
            d.valid_to,
            d.designated_as,
            d.reported_to.name if d.reported_to_id else "",
            d.reported_at and time.local(d.reported_at),
            d.get_state_display(),
            d.end_reason,
        )
        for d in _ledger(pack, spec, show=request.GET.get("show", "all")).iterator(chunk_size=2000)
    )
    export = TableExport(
        title=spec.ledger or f"{spec.label}の指定",
        subtitle=f"{pack.municipality} {pack.title}",
        article=pack.cite(spec.article),
        columns=[
            Column("職員番号", width=10),
            Column("氏名", width=14),
            Column("システム", width=16),
            Column("担当業務", width=16),
            Column("指定日", width=11),
            Column("指定期限", width=11),
            Column("指定者", width=18),
            Column("報告先", width=12),
            Column("報告日時", width=16),
            Column("状態", width=8),
            Column("解除の理由", width=14),
        ],
        rows=rows,
        meta=[("出力日時", time.wareki(time.today())), ("出力者", request.user.display_name)],
        landscape=True,
    )
    return export_response(export, fmt=fmt, filename=f"designations_{kind}")

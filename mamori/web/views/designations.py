"""指定の台帳: one ledger per designation kind the pack requires (電算要員登録台帳 FUK-17, 本人確認情報
取扱者 YAN-8, 情報システム担当者 YAN-14, 個人情報取扱従事者 MEG-13-1, 端末機操作員 YAN-12-3 /
FUK-18-2), with add/end through the designations services and the pack's report of the kind (its form,
or the ledger) as xlsx or PDF."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mamori.access.models import System
from mamori.core import time
from mamori.designations.models import Designation, DesignationState, DesignationTarget
from mamori.designations.reports import designation_report, ledger
from mamori.designations.services import (
    DesignationError,
    designation_add,
    designation_end,
    system_filter,
    target_of,
)
from mamori.exports.tables import export_response
from mamori.organisation.models import Person
from mamori.terminals.models import Terminal

from .common import current_pack, screen

PAGE_SIZE = 50


def _spec(pack, kind: str | None):
    specs = pack.parameters.designations
    if not specs:
        return None
    return next((s for s in specs if s.kind == kind), specs[0])


def _targets(spec) -> list[tuple[str, str]]:
    """What the add form offers to designate for: the systems or the terminals in use, as the kind says."""
    if spec.per_system:
        return [(s.code, s.name) for s in System.objects.filter(system_filter(spec)).order_by("code")]
    if spec.per_terminal:
        today = time.today()
        in_use = [
            t for t in Terminal.objects.select_related("unit").order_by("host_name") if t.is_active_on(today)
        ]
        return [(t.host_name, f"{t.host_name}（{t.unit.name}）") for t in in_use]
    return []


@screen
def designations(request):
    pack = current_pack()
    spec = _spec(pack, request.GET.get("kind"))
    show = request.GET.get("show", "active")
    context = {"nav": "designations", "spec": spec, "specs": pack.parameters.designations, "show": show}
    if spec is not None:
        context |= {
            "article": pack.cite(spec.article),
            "page": Paginator(
                ledger(pack, spec, on=time.today() if show == "active" else None), PAGE_SIZE
            ).get_page(request.GET.get("page")),
            "target": DesignationTarget(target_of(spec)),
            "targets": _targets(spec),
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
    terminal = Terminal.objects.filter(host_name__iexact=request.POST.get("terminal", "") or "-").first()
    if person is None:
        messages.error(request, f"職員番号 {staff_number or '(空)'} の職員はいません")
    else:
        try:
            added = designation_add(
                kind=kind,
                person=person,
                system=system,
                terminal=terminal,
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
    designation = get_object_or_404(Designation.objects.exclude(state=DesignationState.ENDED), pk=pk)
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
    export = designation_report(pack=pack, spec=spec, all_rows=request.GET.get("show", "all") == "all")
    return export_response(export, fmt=fmt, filename=f"designations_{kind}")

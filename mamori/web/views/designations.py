"""指定の台帳: the register layer's list of designations (filters by kind and state, count, pages,
detail, end, xlsx/PDF; mamori/designations/register.py), with what is the pack's own: the form that
designates for the chosen kind (through the designation services) and the kind's report (its 様式, or
the ledger the pack names: 電算要員登録台帳 FUK-17, 本人確認情報取扱者 YAN-8 …)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from mamori.core import time
from mamori.designations.models import DesignationTarget
from mamori.designations.register import spec as register
from mamori.designations.reports import designation_report
from mamori.designations.services import DesignationError, designation_add, system_filter, target_of
from mamori.exports.tables import export_response
from mamori.organisation.models import Person
from mamori.registers.views import list_screen
from mamori.systems.models import System
from mamori.terminals.models import Terminal

from .common import current_pack, screen


def _targets(spec) -> list[tuple[str, str]]:
    """What the add form offers to designate for: the systems or the terminals in use, as the kind says."""
    if spec.per_system:
        return [(s.code, s.name) for s in System.objects.filter(system_filter(spec)).order_by("code")]
    if spec.per_terminal:
        in_use = [t for t in Terminal.objects.select_related("unit") if t.is_active_on(time.today())]
        return [(t.host_name, f"{t.host_name}（{t.unit.name}）") for t in in_use]
    return []


@screen(perm="designations.view")
def designations(request):
    pack = current_pack()
    kinds = pack.parameters.designations
    if not kinds:
        return list_screen(request, register, template="web/designations/ledger.html")
    rule = next((k for k in kinds if k.kind == request.GET.get("kind")), kinds[0])
    return list_screen(
        request,
        register,
        template="web/designations/ledger.html",
        cited=register.cite(pack),
        rule=rule,
        article=pack.cite(rule.article),
        target=DesignationTarget(target_of(rule)),
        targets=_targets(rule),
        designators="・".join(pack.role(code).name for code in rule.designated_by),
        report_to=pack.role(rule.report_to).name if rule.report_to else "",
    )


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
            messages.error(request, str(error))
        else:
            reported = f" {added.reported_to.name}さんに報告しました。" if added.reported_to_id else ""
            messages.success(request, f"{person.name}さんを{added.label}に指定しました。{reported}")
    return redirect(f"{reverse('designations')}?kind={kind}")


@screen(perm="designations.view")
def designation_export(request, kind: str, fmt: str):
    """The kind's report as the pack prints it (its 様式, or its ledger)."""
    pack = current_pack()
    rule = next((k for k in pack.parameters.designations if k.kind == kind), None)
    if fmt not in ("xlsx", "pdf") or rule is None:
        raise Http404
    export = designation_report(pack=pack, spec=rule, all_rows=request.GET.get("show", "all") == "all")
    return export_response(export, fmt=fmt, filename=f"designations_{kind}")

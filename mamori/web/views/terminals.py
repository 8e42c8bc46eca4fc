"""端末機: the terminal register, its operators (designations whose target is the terminal, YAN-12-3,
FUK-18-2) and their report (様式第1号), and the operating hours (YAN-13-1, FUK-18-4).  Views read;
changes go through mamori.terminals.services and mamori.designations.services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mamori.core import time
from mamori.core.policy import may
from mamori.designations.models import Designation, DesignationState
from mamori.designations.reports import designation_report
from mamori.designations.services import (
    DesignationError,
    designation_add,
    designation_end,
    designations_report,
    designators_of,
    operator_rule,
    terminal_rule,
)
from mamori.events.search import terminal_activity
from mamori.exports.tables import export_response
from mamori.organisation.models import Assignment, Person, Unit, active_on
from mamori.registers.models import NotFound
from mamori.systems.models import System
from mamori.terminals.hours import hours_for, open_interval
from mamori.terminals.models import Terminal
from mamori.terminals.services import TerminalError, terminal_register
from mamori.workflows.models import Request

from .common import current_pack, safe_next, screen

PAGE_SIZE = 50


class TerminalForm(forms.Form):
    host_name = forms.CharField(label="ホスト名", max_length=120)
    location = forms.CharField(label="設置場所", max_length=200, required=False)
    unit = forms.ModelChoiceField(label="所管課", queryset=Unit.objects.none())
    systems = forms.ModelMultipleChoiceField(
        label="利用システム",
        queryset=System.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active_from = forms.DateField(label="使用開始日", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, on: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(active_on(on)).order_by("code")
        self.fields["unit"].label_from_instance = lambda unit: f"{unit.code} {unit.name}"
        self.fields["systems"].queryset = System.objects.order_by("code")
        self.fields["systems"].label_from_instance = lambda system: f"{system.code} {system.name}"


class DesignateForm(forms.Form):
    person = forms.ModelChoiceField(label="端末機操作員", queryset=Person.objects.none())
    valid_from = forms.DateField(label="指定日", widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(
        label="指定終了日", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, terminal: Terminal, on: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff of the terminal's section first; anyone in post may be designated where the pack allows.
        self.fields["person"].queryset = Person.objects.filter(
            pk__in=Assignment.objects.on(on).values("person_id")
        ).order_by("staff_number")
        self.fields["person"].label_from_instance = lambda p: f"{p.staff_number} {p.name}"


@screen
def terminal_list(request):
    today = time.today()
    unit_code = request.GET.get("unit", "")
    terminals = (
        Terminal.objects.select_related("unit")
        .prefetch_related("systems")
        .annotate(
            operators_now=Count(
                "designations",
                filter=Q(designations__valid_from__lte=today)
                & (Q(designations__valid_to__isnull=True) | Q(designations__valid_to__gte=today))
                & ~Q(designations__state=DesignationState.ENDED),
            )
        )
        .order_by("host_name")
    )
    if unit_code:
        terminals = terminals.filter(unit__code=unit_code)
    page = Paginator(terminals, PAGE_SIZE).get_page(request.GET.get("page"))
    form = (
        TerminalForm(on=today, initial={"active_from": today})
        if may(request.user, "terminals.register")
        else None
    )
    units = Unit.objects.filter(terminals__isnull=False).distinct().order_by("code")
    context = {
        "nav": "terminals",
        "page": page,
        "form": form,
        "units": units,
        "unit": unit_code,
        "today": today,
    }
    return render(request, "web/terminals/list.html", context)


@screen(perm="terminals.register")
@require_POST
def terminal_new(request):
    form = TerminalForm(request.POST, on=time.today())
    if not form.is_valid():
        messages.error(
            request, "入力を確認してください: " + "; ".join(f"{k}: {v[0]}" for k, v in form.errors.items())
        )
        return redirect("terminals")
    data = form.cleaned_data
    try:
        terminal = terminal_register(
            host_name=data["host_name"],
            location=data["location"],
            unit=data["unit"],
            systems=list(data["systems"]),
            active_from=data["active_from"],
            actor=request.user,
        )
    except TerminalError as refused:
        messages.error(request, str(refused))
        return redirect("terminals")
    messages.success(request, f"{terminal.host_name}を端末機台帳に登録しました。")
    return redirect("terminal_detail", host=terminal.host_name)


@screen
def terminal_detail(request, host: str):
    today = time.today()
    pack = current_pack()
    terminal = get_object_or_404(Terminal.objects.select_related("unit"), host_name__iexact=host)
    designations = terminal.designations.select_related("person", "designated_by", "reported_to").order_by(
        "state", "-valid_from"
    )
    rule = terminal_rule(pack)
    designators = designators_of(rule, unit=terminal.unit, on=today, pack=pack) if rule else []
    may_designate = may(request.user, "terminals.designate", terminal)
    context = {
        "nav": "terminals",
        "terminal": terminal,
        "designations": designations,
        "designators": designators,
        "rule": rule,
        "article": pack.cite(rule.article) if rule else "",
        "may_designate": may_designate and rule is not None,
        "form": DesignateForm(terminal=terminal, on=today, initial={"valid_from": today}),
        "unreported": designations.filter(state=DesignationState.DESIGNATED).exists(),
        # FUK-18-1: the terminal's operating status (稼働状況) over the last 31 days.
        "activity": terminal_activity(terminal.host_name, since=today - dt.timedelta(days=30), until=today),
        "today": today,
    }
    return render(request, "web/terminals/detail.html", context)


@screen
@require_POST
def terminal_designate(request, host: str):
    today = time.today()
    terminal = get_object_or_404(Terminal, host_name__iexact=host)
    form = DesignateForm(request.POST, terminal=terminal, on=today)
    if not form.is_valid():
        messages.error(
            request, "入力を確認してください: " + "; ".join(f"{k}: {v[0]}" for k, v in form.errors.items())
        )
        return redirect("terminal_detail", host=terminal.host_name)
    designator = None
    if request.POST.get("designator") and may(request.user, "designations.administer"):
        designator = Person.objects.filter(staff_number=request.POST["designator"]).first()
    try:
        designation = designation_add(
            kind=operator_rule(current_pack()).kind,
            terminal=terminal,
            person=form.cleaned_data["person"],
            valid_from=form.cleaned_data["valid_from"],
            valid_to=form.cleaned_data["valid_to"],
            actor=request.user,
            designator=designator,
        )
    except (DesignationError, NotFound) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{designation.person.name}を{designation.label}に指定しました。")
    return redirect("terminal_detail", host=terminal.host_name)


@screen
@require_POST
def terminal_designation_end(request, pk: int):
    designation = get_object_or_404(
        Designation.objects.select_related("terminal"), pk=pk, terminal__isnull=False
    )
    host = designation.terminal.host_name
    if not may(request.user, "terminals.end_designation", designation.terminal):
        messages.error(request, "指定を解除できるのは指定者（端末機管理責任者等）か管理者です。")
        return redirect("terminal_detail", host=host)
    try:
        on = dt.date.fromisoformat(request.POST.get("on") or time.today().isoformat())
        designation_end(
            designation=designation, on=on, reason=request.POST.get("reason", ""), actor=request.user
        )
    except DesignationError as refused:
        messages.error(request, str(refused))
    except ValueError:
        messages.error(request, "解除日は YYYY-MM-DD で入力してください。")
    else:
        messages.success(request, "指定を解除しました。")
    return redirect("terminal_detail", host=host)


@screen
@require_POST
def terminal_report_submit(request, unit_code: str):
    unit = get_object_or_404(Unit, code=unit_code)
    try:
        rule = operator_rule(current_pack())
        reported = designations_report(kind=rule.kind, unit=unit, actor=request.user)
    except (DesignationError, NotFound) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{unit.name}の{rule.label} {len(reported)}名を報告しました。")
    return redirect(safe_next(request, reverse("terminals")))


@screen
def terminal_report(request, fmt: str):
    if fmt not in ("xlsx", "pdf"):
        return redirect("terminals")
    unit_code = request.GET.get("unit", "")
    unit = get_object_or_404(Unit, code=unit_code) if unit_code else None
    pack = current_pack()
    rule = terminal_rule(pack)
    if rule is None:
        return redirect("terminals")
    export = designation_report(pack=pack, spec=rule, unit=unit)
    return export_response(export, fmt=fmt, filename=f"terminal_operators_{unit_code or 'all'}")


@screen
def terminal_hours(request):
    """The pack's operating hours and this month's calendar of open and closed days."""
    pack = current_pack()
    today = time.today()
    rules = pack.parameters.operating_hours
    weekdays, _ = hours_for(pack)
    first = today.replace(day=1)
    days = []
    day = first
    while day.month == first.month:
        interval = open_interval(day, weekdays, pack) if weekdays else None
        closed = time.why_closed(day, pack.parameters.calendar.closures)
        days.append({"day": day, "closed": closed, "open": interval})
        day += dt.timedelta(days=1)
    try:
        chain = pack.chain("terminals.off_hours_use")
    except KeyError:
        chain = None
    requests = Request.objects.filter(kind="terminals.off_hours_use").select_related("requester")[:20]
    context = {
        "nav": "terminals",
        "rules": rules,
        "article": pack.cite(rules.articles[0]) if rules and rules.articles else "",
        "days": days,
        "chain": chain,
        "lead": chain.lead_time if chain else None,
        "requests": requests,
        "systems": sorted((rules.systems if rules else {}).items()),
    }
    return render(request, "web/terminals/hours.html", context)

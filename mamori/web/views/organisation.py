"""組織 and 役割: the unit tree with who sits where today, and who holds each of the pack's roles."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mamori.core import time
from mamori.core.policy import Refused
from mamori.organisation.models import Absence, Assignment, Person, Post, RoleAppointment, Unit, active_on
from mamori.organisation.roles import holders_of
from mamori.organisation.services import absence_register, role_appoint, role_appointment_end

from ..forms import DATE_WIDGET, OnDateForm
from .common import current_pack, parse_day, screen


@dataclass
class PostRow:
    post: Post
    holders: list[Assignment]


@dataclass
class UnitNode:
    unit: Unit
    posts: list[PostRow] = field(default_factory=list)
    staff: list[Assignment] = field(default_factory=list)
    children: list[UnitNode] = field(default_factory=list)


def _tree(day) -> list[UnitNode]:
    units = list(Unit.objects.filter(active_on(day)).order_by("code"))
    nodes = {unit.pk: UnitNode(unit) for unit in units}
    by_post: dict[int, list[Assignment]] = defaultdict(list)
    assignments = (
        Assignment.objects.on(day)
        .filter(unit__in=units)
        .select_related("person", "post")
        .order_by("person__staff_number")
    )
    for assignment in assignments:
        if assignment.post_id:
            by_post[assignment.post_id].append(assignment)
        else:
            nodes[assignment.unit_id].staff.append(assignment)
    for post in Post.objects.filter(unit__in=units).select_related("unit").order_by("code"):
        nodes[post.unit_id].posts.append(PostRow(post, by_post.get(post.pk, [])))
    roots = []
    for unit in units:
        parent = nodes.get(unit.parent_id)
        (parent.children if parent else roots).append(nodes[unit.pk])
    return roots


@screen
def organisation(request):
    day, problem = parse_day(request.GET.get("on"))
    return render(
        request,
        "web/organisation.html",
        {
            "nav": "organisation",
            "day": day,
            "problem": problem,
            "roots": _tree(day),
            "date_form": OnDateForm(initial={"on": day}),
        },
    )


@screen
def roles(request):
    pack = current_pack()
    day, problem = parse_day(request.GET.get("on"))
    rows = []
    for role in pack.roles:
        holdings = holders_of(role.code, on=day, pack=pack)
        rows.append(
            {
                "role": role,
                "articles": "・".join(pack.cite(ref) for ref in role.articles),
                "holdings": holdings,
                "deputy_name": pack.role(role.deputy).name if role.deputy else "",
                "appointed_by": pack.role(role.appointed_by).name if role.appointed_by else "",
            }
        )
    return render(
        request,
        "web/roles.html",
        {
            "nav": "organisation",
            "day": day,
            "problem": problem,
            "rows": rows,
            "date_form": OnDateForm(initial={"on": day}),
        },
    )


# ---------------------------------------------------------------------------------------------------
# 役割の任命・不在 (administrators only): who is appointed to a role or named its deputy, who is away,
# and the changes, through mamori.organisation.services (policy and record there).


class AppointForm(forms.Form):
    role = forms.ChoiceField(label="役割")
    staff_number = forms.CharField(label="職員番号", max_length=32)
    unit_code = forms.CharField(
        label="対象組織の所属コード",
        max_length=32,
        required=False,
        help_text="部・課ごとの役割で、その組織だけの任命・代理者にするとき。空欄は全庁。",
    )
    start = forms.DateField(label="開始日", widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))
    end = forms.DateField(
        label="終了日", required=False, widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
    deputy = forms.BooleanField(
        label="代理者として指定する（事故があるとき、又は欠けたときに代わる人）", required=False
    )

    def __init__(self, *args, pack, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.code, role.name) for role in pack.roles]

    def clean_staff_number(self) -> Person:
        return _person(self.cleaned_data["staff_number"])

    def clean_unit_code(self) -> Unit | None:
        code = self.cleaned_data["unit_code"].strip()
        if not code:
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(f"所属コード {code} の組織はありません。")
        return unit


class AbsenceForm(forms.Form):
    staff_number = forms.CharField(label="職員番号", max_length=32)
    start = forms.DateField(label="開始日", widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))
    end = forms.DateField(label="終了日", widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))
    reason = forms.CharField(label="理由", max_length=200, help_text="例: 病気休暇、出張、研修")

    def clean_staff_number(self) -> Person:
        return _person(self.cleaned_data["staff_number"])


class EndForm(forms.Form):
    end = forms.DateField(
        label="終了日（この日まで有効）", widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )


def _person(raw: str) -> Person:
    number = raw.strip()
    person = Person.objects.filter(staff_number=number).first()
    if person is None:
        raise forms.ValidationError(f"職員番号 {number} の職員はいません。")
    return person


def _appointments_page(request, *, appoint_form=None, absence_form=None, status: int = 200):
    pack = current_pack()
    day, problem = parse_day(request.GET.get("on"))
    names = {role.code: role.name for role in pack.roles}
    appointments = [
        {"row": row, "role_name": names.get(row.role, row.role)}
        for row in RoleAppointment.objects.on(day)
        .filter(pack=pack.pack)
        .select_related("person", "unit")
        .order_by("role", "capacity", "start", "pk")
    ]
    absences = Absence.objects.on(day).select_related("person").order_by("start", "person__staff_number")
    return render(
        request,
        "web/role_appointments.html",
        {
            "nav": "organisation",
            "day": day,
            "problem": problem,
            "appointments": appointments,
            "absences": absences,
            "date_form": OnDateForm(initial={"on": day}),
            "appoint_form": appoint_form or AppointForm(pack=pack, initial={"start": time.today()}),
            "absence_form": absence_form or AbsenceForm(initial={"start": time.today(), "end": time.today()}),
            "end_initial": time.today(),
        },
        status=status,
    )


def _refusal_to_form(form: forms.Form, refusal: Refused) -> None:
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, refusal.message)


@screen(perm="organisation.manage_roles")
def role_appointments(request):
    return _appointments_page(request)


@screen(perm="organisation.manage_roles")
@require_POST
def role_appoint_view(request):
    pack = current_pack()
    form = AppointForm(request.POST, pack=pack)
    if form.is_valid():
        data = form.cleaned_data
        try:
            appointment = role_appoint(
                pack=pack,
                role=data["role"],
                person=data["staff_number"],
                unit=data["unit_code"],
                start=data["start"],
                end=data["end"],
                deputy=data["deputy"],
                actor=request.user,
            )
        except Refused as refusal:
            if refusal.field is None:
                raise
            _refusal_to_form(form, refusal)
        else:
            what = "代理者に指定" if data["deputy"] else "任命"
            messages.success(
                request,
                f"{appointment.person.name} さんを{pack.role(appointment.role).name}の{what}しました。",
            )
            return redirect("role_appointments")
    return _appointments_page(request, appoint_form=form, status=400)


@screen(perm="organisation.manage_roles")
@require_POST
def role_appointment_end_view(request, pk: int):
    appointment = get_object_or_404(RoleAppointment, pk=pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "終了日を YYYY-MM-DD で入力してください。")
        return redirect("role_appointments")
    try:
        role_appointment_end(appointment=appointment, end=form.cleaned_data["end"], actor=request.user)
    except Refused as refusal:
        if refusal.field is None:
            raise
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            f"{appointment.person.name} さんの任命を{form.cleaned_data['end']:%Y-%m-%d}で終了しました。",
        )
    return redirect("role_appointments")


@screen(perm="organisation.manage_roles")
@require_POST
def absence_register_view(request):
    form = AbsenceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            absence = absence_register(
                person=data["staff_number"],
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
                actor=request.user,
            )
        except Refused as refusal:
            if refusal.field is None:
                raise
            _refusal_to_form(form, refusal)
        else:
            messages.success(request, f"{absence.person.name} さんの不在を登録しました。")
            return redirect("role_appointments")
    return _appointments_page(request, absence_form=form, status=400)

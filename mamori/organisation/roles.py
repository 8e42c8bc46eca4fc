"""Who holds a role on a date.

A role comes from the regulation pack; its holders come from the organisation: the people
assigned on that date to the posts that hold the role ex officio (充て職), plus anyone appointed to
it.  A holder who is absent (事故があるとき) or a post that is vacant (欠けたとき) passes the role to the
deputy: first a deputy appointed by name, then the role the pack names as deputy (YAN-5: the
統括情報セキュリティ責任者 acts for the 最高情報統括責任者)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack, PostRef, Role

from .models import Absence, Assignment, Person, Post, RoleAppointment, Unit, active_on


@dataclass(frozen=True)
class Holding:
    person: Person
    role_code: str
    role_name: str
    unit: Unit | None
    via: str
    deputy_for: str | None = None

    @property
    def capacity(self) -> str:
        """How a decision names the capacity it was taken in."""
        if self.deputy_for:
            return f"{self.role_name}（{self.deputy_for}の職務代理）"
        return self.role_name

    @property
    def is_deputy(self) -> bool:
        return self.deputy_for is not None


def unit_at_level(unit: Unit, level: str) -> Unit | None:
    """The unit itself or the nearest unit above it of the given level (各部長 → the 部 of a 課)."""
    for candidate in unit.ancestors():
        if candidate.level == level:
            return candidate
    return None


def _posts_for(ref: PostRef, scope: Unit | None) -> Q:
    condition = Q(title=ref.post)
    if ref.unit:
        condition &= Q(unit__name=ref.unit) | Q(unit__code=ref.unit)
    if ref.unit_level:
        condition &= Q(unit__level=ref.unit_level)
    if scope is not None:
        condition &= Q(unit=scope)
    return condition


def _absent_ids(person_ids: set[int], on: dt.date) -> set[int]:
    if not person_ids:
        return set()
    return set(Absence.objects.on(on).filter(person_id__in=person_ids).values_list("person_id", flat=True))


def _direct(pack: Pack, role: Role, on: dt.date, scope: Unit | None) -> list[Holding]:
    holdings: list[Holding] = []
    if role.held_by:
        condition = Q()
        for ref in role.held_by:
            condition |= _posts_for(ref, scope)
        posts = Post.objects.filter(condition).filter(active_on(on, "unit__"))
        assignments = (
            Assignment.objects.on(on)
            .filter(post__in=posts)
            .select_related("person", "post__unit")
            .order_by("post__unit__code", "person__staff_number")
        )
        for assignment in assignments:
            unit = assignment.post.unit if role.scope else scope
            holdings.append(Holding(assignment.person, role.code, role.name, unit, via=str(assignment.post)))
    appointments = (
        RoleAppointment.objects.on(on)
        .filter(pack=pack.pack, role=role.code, capacity=RoleAppointment.Capacity.HOLDER)
        .select_related("person", "unit")
    )
    if scope is not None:
        appointments = appointments.filter(Q(unit=scope) | Q(unit__isnull=True))
    for appointment in appointments:
        holdings.append(
            Holding(appointment.person, role.code, role.name, appointment.unit or scope, via="任命")
        )
    return holdings


@implements("YAN-5", "KIT-3", "MAI-11", "MAI-13", "FUK-8", "MEG-5")
def holders_of(
    role_code: str, *, on: dt.date, pack: Pack, unit: Unit | None = None, _seen: frozenset[str] = frozenset()
) -> list[Holding]:
    """The people who hold ``role_code`` on ``on``, deputies included when the holder is away.

    For a role with a scope (one per 部, one per 課) ``unit`` picks the holder of that unit's 部 or
    課; without ``unit`` every holder in the municipality is returned."""
    role = pack.role(role_code)
    scope = None
    if role.scope and unit is not None:
        scope = unit_at_level(unit, role.scope)
        if scope is None:
            return []
    direct = _direct(pack, role, on, scope)
    absent = _absent_ids({h.person.pk for h in direct}, on)
    present = [h for h in direct if h.person.pk not in absent]
    if present:
        return _unique(present)

    # 事故があるとき、又は欠けたとき: a deputy appointed by name, else the pack's deputy role.
    named = (
        RoleAppointment.objects.on(on)
        .filter(pack=pack.pack, role=role.code, capacity=RoleAppointment.Capacity.DEPUTY)
        .select_related("person", "unit")
    )
    if scope is not None:
        named = named.filter(Q(unit=scope) | Q(unit__isnull=True))
    deputies = [
        Holding(a.person, role.code, role.name, a.unit or scope, via="代理者の指定", deputy_for=role.name)
        for a in named
        if a.person.pk not in _absent_ids({a.person.pk}, on)
    ]
    if deputies:
        return _unique(deputies)
    if role.deputy and role.deputy not in _seen:
        deputy_role = pack.role(role.deputy)
        acting = holders_of(role.deputy, on=on, pack=pack, unit=unit, _seen=_seen | {role.code})
        return _unique(
            [
                Holding(h.person, deputy_role.code, deputy_role.name, h.unit, via=h.via, deputy_for=role.name)
                for h in acting
            ]
        )
    return []


def _unique(holdings: list[Holding]) -> list[Holding]:
    seen, result = set(), []
    for holding in holdings:
        key = (holding.person.pk, holding.unit.pk if holding.unit else None)
        if key not in seen:
            seen.add(key)
            result.append(holding)
    return result


def holding_of(
    person: Person, role_code: str, *, on: dt.date, pack: Pack, unit: Unit | None = None
) -> Holding | None:
    """The person's holding of the role (in the unit's scope), or None."""
    for holding in holders_of(role_code, on=on, pack=pack, unit=unit):
        if holding.person.pk == person.pk:
            return holding
    return None


def roles_of(person: Person, *, on: dt.date, pack: Pack) -> list[Holding]:
    """Every role the person holds on the day, as holder or deputy."""
    found = []
    for role in pack.roles:
        found += [h for h in holders_of(role.code, on=on, pack=pack) if h.person.pk == person.pk]
    return found


def primary_unit(person: Person, *, on: dt.date) -> Unit | None:
    assignments = Assignment.objects.on(on).filter(person=person).select_related("unit").order_by("-start")
    assignment = assignments.filter(kind=Assignment.Kind.PRIMARY).first() or assignments.first()
    return assignment.unit if assignment else None

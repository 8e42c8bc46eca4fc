"""Changes to the organisation.  Each writes its record rows in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from mamori.records.services import Entry, record_append, record_append_many, snapshot
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .models import Absence, Assignment, Person, Post, RoleAppointment, Unit


def _entries(rows: Sequence[Any], action: str, actor: Any, requirement: str = "") -> list[Entry]:
    return [
        Entry(
            action=action,
            object_type=f"organisation.{type(row).__name__}",
            object_id=str(row.pk),
            actor=actor,
            after=snapshot(row),
            requirement=requirement,
            retention_class="organisation",
        )
        for row in rows
    ]


@transaction.atomic
def organisation_load(
    *,
    units: Sequence[Unit] = (),
    posts: Sequence[Post] = (),
    people: Sequence[Person] = (),
    assignments: Sequence[Assignment] = (),
    actor: Any = None,
) -> None:
    """Create units, posts, people and assignments in bulk (executemany), with one record each.
    Units must come parents first."""
    created_units: list[Unit] = []
    for unit in units:  # parents first: a unit's parent must have its key before the child is inserted
        if unit.parent is not None and unit.parent.pk is None:
            raise ValueError(f"unit {unit.code}: its parent {unit.parent.code} must come first")
        created_units += Unit.objects.bulk_create([unit])
    created_posts = Post.objects.bulk_create(list(posts))
    created_people = Person.objects.bulk_create(list(people))
    for assignment in assignments:
        assignment.person_id = assignment.person.pk
        assignment.unit_id = assignment.unit.pk
        assignment.post_id = assignment.post.pk if assignment.post else None
    created_assignments = Assignment.objects.bulk_create(list(assignments))
    record_append_many(
        entries=[
            *_entries(created_units, "organisation.unit.created", actor),
            *_entries(created_posts, "organisation.post.created", actor),
            *_entries(created_people, "organisation.person.created", actor),
            *_entries(created_assignments, "organisation.assignment.created", actor),
        ]
    )


@implements("YAN-5")
@transaction.atomic
def absence_register(*, person: Person, start: dt.date, end: dt.date, reason: str, actor: Any) -> Absence:
    """事故があるとき: while the holder is away the pack's deputy acts for the role."""
    absence = Absence.objects.create(person=person, start=start, end=end, reason=reason)
    record_append(
        action="organisation.absence.registered",
        object_type="organisation.Absence",
        object_id=str(absence.pk),
        actor=actor,
        after=snapshot(absence),
        retention_class="organisation",
    )
    return absence


@transaction.atomic
def role_appoint(
    *,
    pack: Pack,
    role: str,
    person: Person,
    start: dt.date,
    actor: Any,
    unit: Unit | None = None,
    end: dt.date | None = None,
    deputy: bool = False,
) -> RoleAppointment:
    """Appoint a person to a role held by appointment, or name a deputy (代理者) for a role."""
    spec = pack.role(role)
    if not deputy and not spec.appointed:
        raise ValueError(
            f"{spec.name} is held ex officio ({pack.cite(spec.articles[0])}); it is not appointed"
        )
    appointment = RoleAppointment.objects.create(
        pack=pack.pack,
        role=role,
        person=person,
        unit=unit,
        start=start,
        end=end,
        capacity=RoleAppointment.Capacity.DEPUTY if deputy else RoleAppointment.Capacity.HOLDER,
        article=spec.articles[0],
    )
    record_append(
        action="organisation.role.appointed",
        object_type="organisation.RoleAppointment",
        object_id=str(appointment.pk),
        actor=actor,
        after=snapshot(appointment),
        article=spec.articles[0],
        requirement=(spec.requirements or [""])[0],
        retention_class="organisation",
    )
    return appointment

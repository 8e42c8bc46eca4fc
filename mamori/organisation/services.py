"""Changes to the organisation.  Each writes its record rows in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from mamori.core.policy import Actor, Refused, require
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, record_append, record_append_many, snapshot
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .models import Absence, Assignment, Person, Post, RoleAppointment, Unit


def _entries(rows: Sequence[Any], action: RecordAction, actor: Actor, requirement: str = "") -> list[Entry]:
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
    actor: Actor = None,
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
            *_entries(created_units, RecordAction.UNIT_CREATED, actor),
            *_entries(created_posts, RecordAction.POST_CREATED, actor),
            *_entries(created_people, RecordAction.PERSON_CREATED, actor),
            *_entries(created_assignments, RecordAction.ASSIGNMENT_CREATED, actor),
        ]
    )


@implements("YAN-5")
@transaction.atomic
def absence_register(*, person: Person, start: dt.date, end: dt.date, reason: str, actor: Actor) -> Absence:
    """事故があるとき: while the holder is away the pack's deputy acts for the role."""
    require(actor, "organisation.manage_roles", message="不在の登録は管理者だけができます。")
    reason = reason.strip()
    if not reason:
        raise Refused("不在の理由を入力してください。", field="reason")
    if end < start:
        raise Refused("不在の終了日は開始日以後の日にしてください。", field="end")
    absence = Absence.objects.create(person=person, start=start, end=end, reason=reason)
    record_append(
        action=RecordAction.ABSENCE_REGISTERED,
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
    actor: Actor,
    unit: Unit | None = None,
    end: dt.date | None = None,
    deputy: bool = False,
) -> RoleAppointment:
    """Appoint a person to a role held by appointment, or name a deputy (代理者) for a role."""
    require(actor, "organisation.manage_roles", message="役割の任命は管理者だけができます。")
    spec = pack.role(role)
    if not deputy and not spec.appointed:
        if actor is None:  # mamori's own loaders: a wrong pack or fixture, not a person's input
            raise ValueError(
                f"{spec.name} is held ex officio ({pack.cite(spec.articles[0])}); it is not appointed"
            )
        raise Refused(
            f"{spec.name}は職をもって充てる役割で、任命はできません（{pack.cite(spec.articles[0])}）。"
            "代理者としての指定はできます。",
            field="deputy",
            article=pack.cite(spec.articles[0]),
        )
    if end is not None and end < start:
        raise Refused("任命の終了日は開始日以後の日にしてください。", field="end")
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
        action=RecordAction.ROLE_APPOINTED,
        object_type="organisation.RoleAppointment",
        object_id=str(appointment.pk),
        actor=actor,
        after=snapshot(appointment),
        article=spec.articles[0],
        requirement=(spec.requirements or [""])[0],
        retention_class="organisation",
    )
    return appointment


@transaction.atomic
def role_appointment_end(*, appointment: RoleAppointment, end: dt.date, actor: Actor) -> RoleAppointment:
    """End an appointment (or a deputy's designation) on ``end``, the last day it counts.  The row
    stays: who held the role on an earlier day must still be answerable."""
    require(actor, "organisation.manage_roles", message="任命の終了は管理者だけができます。")
    appointment = RoleAppointment.objects.select_for_update().get(pk=appointment.pk)
    if end < appointment.start:
        raise Refused("終了日は任命の開始日以後の日にしてください。", field="end")
    if appointment.end is not None and appointment.end <= end:
        raise Refused("この任命はその日までに既に終わっています。", field="end")
    before = snapshot(appointment)
    appointment.end = end
    appointment.save(update_fields=["end"])
    record_append(
        action=RecordAction.ROLE_APPOINTMENT_ENDED,
        object_type="organisation.RoleAppointment",
        object_id=str(appointment.pk),
        actor=actor,
        before=before,
        after=snapshot(appointment),
        article=appointment.article,
        retention_class="organisation",
    )
    return appointment

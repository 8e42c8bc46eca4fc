"""Who may do what in a controlled room, as the pack's ``sections.rooms`` says, on a given day: enter
without permission (roles, the staff of a unit, a designation), escort, consent to an exit; and the
approved ``rooms.entry`` request a line's entry falls under."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from mamori.designations.models import Designation
from mamori.organisation.models import Assignment, Person
from mamori.organisation.roles import holding_of
from mamori.regulations.schema import Pack
from mamori.workflows.models import Request, RequestState

from .models import RoomLogLine
from .pack import People, RoomRule

ENTRY_KIND = "rooms.entry"


def is_among(people: People, person: Person | None, *, on: dt.date, pack: Pack) -> bool:
    """The person holds one of the roles, is on the staff of one of the units, or holds one of the
    designations, on ``on``."""
    if person is None:
        return False
    if any(holding_of(person, code, on=on, pack=pack) for code in people.roles):
        return True
    if people.units and Assignment.objects.on(on).filter(person=person, unit__name__in=people.units).exists():
        return True
    return (
        bool(people.designations)
        and Designation.objects.on(on)
        .filter(pack=pack.pack, kind__in=people.designations, person=person)
        .exists()
    )


def may_enter_freely(rule: RoomRule, person: Person | None, *, on: dt.date, pack: Pack) -> bool:
    return is_among(rule.entrants, person, on=on, pack=pack)


def may_escort(rule: RoomRule, person: Person | None, *, on: dt.date, pack: Pack) -> bool:
    if rule.escorts.same_as_entrants and may_enter_freely(rule, person, on=on, pack=pack):
        return True
    return is_among(rule.escorts, person, on=on, pack=pack)


def may_consent(rule: RoomRule, person: Person | None, *, on: dt.date, pack: Pack) -> bool:
    consent = rule.exit_consent
    return (
        consent is not None
        and person is not None
        and any(holding_of(person, code, on=on, pack=pack) for code in consent.roles)
    )


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def covers(request: Request, *, room: str, person: Person | None, visitor_name: str, on: dt.date) -> bool:
    """An approved rooms.entry request for this room, this entrant and a period holding ``on``."""
    payload = request.payload or {}
    if request.kind != ENTRY_KIND or request.state != RequestState.APPROVED or payload.get("room") != room:
        return False
    start = _day(payload.get("date_from"))
    end = _day(payload.get("date_to")) or start
    if start is None or end is None or not start <= on <= end:
        return False
    if person is not None:
        return str(payload.get("person") or "") == person.staff_number
    return bool(visitor_name) and str(payload.get("visitor_name") or "").strip() == visitor_name.strip()


def permission_for(line: RoomLogLine, *, on: dt.date) -> Request | None:
    """The approved request the line's entry falls under: the one it names, else any that covers it."""

    def fits(request: Request) -> bool:
        return covers(request, room=line.room, person=line.person, visitor_name=line.visitor_name, on=on)

    if line.permission is not None and fits(line.permission):
        return line.permission
    candidates = Request.objects.filter(kind=ENTRY_KIND, state=RequestState.APPROVED, pack=line.pack)
    return next((r for r in candidates if fits(r)), None)


def lines_of(pack: Pack) -> QuerySet[RoomLogLine]:
    return RoomLogLine.objects.filter(pack=pack.pack).select_related(
        "person", "escort", "goods_escort", "exit_consent_by", "permission"
    )

"""The demo city's 入退室管理簿, for packs with controlled rooms (YAN-15, MAI-20, FUK-25): a week of lines
by people who may enter, with permitted visitors escorted and let out with consent, and two planted
findings: a visitor with no escort, and a visitor's exit without the consent the room needs (where it
needs one; elsewhere, a visitor whose exit was never recorded)."""

import datetime as dt
from typing import Any

from mamori.core import time
from mamori.core.policy import Refused
from mamori.organisation.models import Person
from mamori.organisation.roles import holders_of, primary_unit
from mamori.workflows.demo import account_for, decide_all
from mamori.workflows.models import Request, RequestState
from mamori.workflows.services import request_file, request_withdraw

from .pack import RoomRule, section
from .selectors import ENTRY_KIND, may_consent, may_enter_freely, may_escort
from .services import room_entry_record, room_exit_record


def _first(people: list[Person], test: Any) -> Person | None:
    return next((p for p in people if test(p)), None)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=time.TOKYO)


VISITOR = ("保守会社", "保守 太郎")


def _permission(
    rule: RoomRule, city: Any, *, start: dt.date, on: dt.date, people: list[Person]
) -> Request | None:
    """The maintenance company's week, permitted in advance through the pack's entry chain (YAN-15-1 ただし書,
    MAI-20-2, FUK-25-2); None where the pack files no such request or nobody may approve it."""
    pack = city.pack
    escort = _first(people, lambda p: may_escort(rule, p, on=start, pack=pack))
    if escort is None:
        return None
    payload = {
        "room": rule.code,
        "visitor_company": VISITOR[0],
        "visitor_name": VISITOR[1],
        "purpose": "機器の保守",
        "date_from": start.isoformat(),
        "date_to": (on - dt.timedelta(days=1)).isoformat(),
        "escort": escort.staff_number,
    }
    filed_on = start - dt.timedelta(days=1)
    if ENTRY_KIND not in {chain.kind for chain in pack.chains}:
        return None
    # Filed by a member of the escort's unit who is not an approver (nobody approves their own request).
    approvers = {
        h.person.pk
        for step in pack.chain(ENTRY_KIND).steps
        for h in holders_of(step.role, on=filed_on, pack=pack)
    }
    unit = primary_unit(escort, on=filed_on)
    filer = _first(people, lambda p: p.pk not in approvers and primary_unit(p, on=filed_on) == unit)
    if filer is None:
        return None
    actor = account_for(city, filer)
    with time.as_of(_at(filed_on, 9)):
        try:
            request = request_file(kind=ENTRY_KIND, actor=actor, payload=payload, on=filed_on)
            decide_all(request, on=filed_on, pack=pack, city=city)
        except Refused:
            return None
        request.refresh_from_db()
        if request.state != RequestState.APPROVED:
            request_withdraw(request=request, actor=actor, comment="デモ: 承認者がいないため取り下げ")
            return None
    return request


def _week(rule: RoomRule, city: Any, *, on: dt.date, people: list[Person]) -> int:
    pack = city.pack
    permission = _permission(rule, city, start=on - dt.timedelta(days=7), on=on, people=people)
    count = 0
    for back in range(7, 0, -1):
        day = on - dt.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        # Who may enter, escort or consent is decided on the line's own day (a designation made on the
        # build day does not cover the week before it).
        insider = _first(people, lambda p, d=day: may_enter_freely(rule, p, on=d, pack=pack))
        escort = _first(people, lambda p, d=day: may_escort(rule, p, on=d, pack=pack))
        consenter = _first(people, lambda p, d=day: may_consent(rule, p, on=d, pack=pack))
        if escort is None or (rule.exit_consent is not None and consenter is None):
            continue
        if insider is not None:
            line = room_entry_record(
                actor=None, room=rule.code, person=insider, purpose="定例の点検", at=_at(day, 9)
            )
            room_exit_record(actor=None, line_id=line.pk, at=_at(day, 9, 40))
            count += 1
        visitor = room_entry_record(
            actor=None,
            room=rule.code,
            visitor_company=VISITOR[0],
            visitor_name=VISITOR[1],
            purpose="機器の保守",
            escort=escort,
            permission=permission,
            goods="交換用部品" if rule.goods else "",
            at=_at(day, 13),
        )
        room_exit_record(actor=None, line_id=visitor.pk, consent_by=consenter, at=_at(day, 14, 30))
        count += 1
    yesterday, before = on - dt.timedelta(days=1), on - dt.timedelta(days=2)
    escort = _first(people, lambda p: may_escort(rule, p, on=before, pack=pack))
    # Planted: a visitor with no escort (yesterday) ...
    room_entry_record(
        actor=None,
        room=rule.code,
        visitor_company="配送業者",
        visitor_name="配送 花子",
        purpose="物品の納入",
        at=_at(yesterday, 10),
    )
    # ... and a visitor who left without the consent the room needs (or whose exit was never recorded).
    leaving = room_entry_record(
        actor=None,
        room=rule.code,
        visitor_company="点検業者",
        visitor_name="点検 次郎",
        purpose="空調の点検",
        escort=escort,
        at=_at(before, 15),
    )
    if rule.exit_consent is not None:
        room_exit_record(actor=None, line_id=leaving.pk, at=_at(before, 16))
    return count + 2


def populate(city: Any, *, on: dt.date) -> str:
    found = section(city.pack)
    if found is None:
        return ""
    people = list(Person.objects.order_by("staff_number"))
    count = 0
    with time.as_of(_at(on, 8)):
        for rule in found.rooms:
            count += _week(rule, city, on=on, people=people)
    return f"{found.title}: {count}行"

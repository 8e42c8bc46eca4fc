"""Recording entries and exits in the 入退室管理簿 (YAN-15-2, YAN-15-3, MAI-20-3, MAI-20-4, FUK-25).

A line records what happened at the door: an entry by someone neither allowed nor permitted is
recorded (the book must say who went in) and becomes a finding (mamori/rooms/rules.py).  What the
services refuse is what the recorder decides: an escort, a goods escort or an exit consenter the pack
does not allow, a permission that is not an approved rooms.entry for this entrant; each refusal names
the field and the article."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from mamori.core import time
from mamori.core.policy import Actor, require
from mamori.organisation.models import Person
from mamori.records.actions import RecordAction
from mamori.records.services import entry_for, record_append_many, snapshot
from mamori.registers.models import Invalid, NotFound, TransitionRefused
from mamori.regulations.active import active_pack
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack
from mamori.workflows.models import Request

from .models import LineState, RoomLogLine
from .pack import RoomRule, room_rule, section
from .selectors import covers, may_consent, may_escort

RETENTION = "room_log"


def _rule(pack: Pack, room: str) -> RoomRule:
    if section(pack) is None:
        raise NotFound("この規程には入退室管理簿の定めがありません。", field="room")
    found = room_rule(pack, room)
    if found is None:
        raise Invalid(f"室「{room}」はこの規程の管理する室ではありません。", field="room")
    return found


def _record(
    line: RoomLogLine, verb: str, *, actor: Actor, article: str, requirement: str, before: dict | None = None
) -> None:
    fields = [f.attname for f in line._meta.concrete_fields]
    entry = entry_for(
        line,
        RecordAction.of_register("room_log", verb),
        fields=fields,
        actor=actor,
        before=before,
        article=article,
        requirement=requirement,
        retention_class=RETENTION,
    )
    record_append_many(entries=[entry])


def line_enter(line: RoomLogLine, *, actor: Actor) -> RoomLogLine:
    """Check and save a new line (the unsaved row the door screen or the register's add form made)."""
    pack = active_pack()
    rule = _rule(pack, line.room)
    if line.person_id is None and not line.visitor_name.strip():
        raise Invalid("入室者（職員）か、職員でない者の氏名を入力してください。", field="person")
    if line.person_id is not None and line.visitor_name.strip():
        raise Invalid("職員と職員でない者の両方は入力できません。", field="visitor_name")
    if not line.purpose.strip():
        raise Invalid(
            "入室目的を入力してください。", field="purpose", article=pack.cite(rule.escorts.article)
        )
    day = time.local(line.entered_at).date()
    escorts_article = pack.cite(rule.escorts.article)
    escort = line.escort
    if escort is not None and not may_escort(rule, escort, on=day, pack=pack):
        raise Invalid(
            f"{escort.name}さんは{rule.name}の立会いができる者ではありません（{escorts_article}）。",
            field="escort",
            article=escorts_article,
        )
    if line.goods.strip() and rule.goods is not None:
        goods_article = pack.cite(rule.goods.article)
        if line.goods_escort_id is None:
            line.goods_escort = line.escort
        if line.goods_escort is not None and not may_escort(rule, line.goods_escort, on=day, pack=pack):
            raise Invalid(
                f"{line.goods_escort.name}さんは物品の搬入に立ち会える者ではありません（{goods_article}）。",
                field="goods_escort",
                article=goods_article,
            )
    if line.permission is not None and not covers(
        line.permission, room=line.room, person=line.person, visitor_name=line.visitor_name, on=day
    ):
        raise Invalid(
            f"申請 #{line.permission_id} はこの入室者・この日の{rule.name}への入室の許可ではありません。",
            field="permission",
            article=pack.cite(rule.permission.article),
        )
    line.pack, line.room_name = pack.pack, rule.name
    line.article, line.requirement = rule.escorts.article, rule.escorts.requirement
    line.valid_from, line.state = day, LineState.IN_ROOM
    line.recorded_by, line.recorded_at = (actor if getattr(actor, "pk", None) else None), time.now()
    line.full_clean(validate_unique=False, exclude=["recorded_by"])
    line.save()
    _record(line, "add", actor=actor, article=line.article, requirement=line.requirement)
    return line


@transaction.atomic
@implements("YAN-15-2", "YAN-15-3", "MAI-20-3", "FUK-25")
def room_entry_record(
    *,
    actor: Actor,
    room: str,
    purpose: str,
    person: Person | None = None,
    visitor_company: str = "",
    visitor_name: str = "",
    escort: Person | None = None,
    goods: str = "",
    goods_escort: Person | None = None,
    permission: Request | None = None,
    at: dt.datetime | None = None,
) -> RoomLogLine:
    """Record an entry into ``room`` at ``at`` (default: now)."""
    require(actor, "rooms.door", message="入退室管理簿に記録する権限がありません。")
    line = RoomLogLine(
        room=room,
        person=person,
        visitor_company=visitor_company.strip(),
        visitor_name=visitor_name.strip(),
        purpose=purpose.strip(),
        entered_at=at or time.now(),
        escort=escort,
        goods=goods.strip(),
        goods_escort=goods_escort,
        permission=permission,
    )
    return line_enter(line, actor=actor)


@transaction.atomic
@implements("MAI-20-4", "YAN-15-2")
def room_exit_record(
    *, actor: Actor, line_id: int, consent_by: Person | None = None, at: dt.datetime | None = None
) -> RoomLogLine:
    """Record the exit of an open line at ``at`` (default: now), with the consent the pack requires."""
    require(actor, "rooms.door", message="入退室管理簿に記録する権限がありません。")
    line = RoomLogLine.objects.select_for_update().filter(pk=line_id).first()
    if line is None:
        raise NotFound(f"入退室管理簿に番号 {line_id} の行はありません。", field="line")
    pack = active_pack()
    rule = _rule(pack, line.room)
    if line.state != LineState.IN_ROOM:
        raise TransitionRefused("この行は退室済です。", field="line", article=pack.cite(rule.exit.article))
    exited_at = at or time.now()
    if exited_at < line.entered_at:
        raise Invalid(
            "退室時刻は入室時刻より後にしてください。",
            field="exited_at",
            article=pack.cite(rule.exit.article),
        )
    if consent_by is not None:
        consent = rule.exit_consent
        if consent is None:
            raise Invalid(f"{rule.name}の退室に承諾は要りません。", field="consent_by")
        if not may_consent(rule, consent_by, on=time.local(exited_at).date(), pack=pack):
            article = pack.cite(consent.article)
            raise Invalid(
                f"{consent_by.name}さんは{rule.name}の退室を承諾できる者ではありません（{article}）。",
                field="consent_by",
                article=article,
            )
    before = snapshot(line)
    line.transition(to=LineState.EXITED)
    line.exited_at, line.exit_consent_by = exited_at, consent_by
    line.valid_to = max(time.local(exited_at).date(), line.valid_from)
    line.save()
    clause = rule.exit_consent or rule.exit
    _record(line, "end", actor=actor, article=clause.article, requirement=clause.requirement, before=before)
    return line

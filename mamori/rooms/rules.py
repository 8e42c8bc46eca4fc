"""Findings of the 入退室管理簿, each citing the pack's article for the room: entry by someone neither
allowed nor permitted (YAN-15-1, MAI-20-1/MAI-20-2, FUK-25); a permitted entrant without an escort or
escorted by someone the article does not allow (YAN-15-2, MAI-20-3, FUK-25), goods carried in without
an allowed escort (YAN-15-3); an exit without the consent the pack requires (MAI-20-4); no exit
recorded by the end of the entry's day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from mamori.core import time
from mamori.findings.engine import Observation, rule
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack

from .models import RoomLogLine
from .pack import Clause, room_rule
from .selectors import lines_of, may_consent, may_enter_freely, may_escort, permission_for


def _seen(line: RoomLogLine, pack: Pack, clause: Clause, title: str, detail: str = "") -> Observation:
    entered = time.local(line.entered_at)
    return Observation(
        key=str(line.pk),
        requirement=clause.requirement,
        article=pack.cite(clause.article),
        title=f"{line.room_name}: {time.wareki(entered.date())} {entered:%H:%M} {line.entrant}さん {title}",
        detail=detail or f"入室目的: {line.purpose}",
        object_type="rooms.RoomLogLine",
        object_id=str(line.pk),
        person=line.person,
    )


def _entered_on(line: RoomLogLine) -> dt.date:
    return time.local(line.entered_at).date()


def _is_permitted_entrant(line: RoomLogLine, pack: Pack) -> bool:
    """Not among those who may enter freely: the rules of escort and exit consent apply."""
    found = room_rule(pack, line.room)
    return found is not None and not may_enter_freely(found, line.person, on=_entered_on(line), pack=pack)


@rule("rooms.entry_not_permitted")
@implements("YAN-15-1", "MAI-20-1", "MAI-20-2", "FUK-25")
def entries_not_permitted(pack: Pack, on: dt.date) -> Iterator[Observation]:
    for line in lines_of(pack).filter(valid_from__lte=on):
        found = room_rule(pack, line.room)
        day = _entered_on(line)
        if found is None or may_enter_freely(found, line.person, on=day, pack=pack):
            continue
        if permission_for(line, on=day) is None:
            yield _seen(line, pack, found.permission, "は入室できる者ではなく、入室の許可もありません")


@rule("rooms.entrant_not_escorted")
@implements("YAN-15-2", "YAN-15-3", "MAI-20-3", "FUK-25")
def entrants_not_escorted(pack: Pack, on: dt.date) -> Iterator[Observation]:
    for line in lines_of(pack).filter(valid_from__lte=on):
        found = room_rule(pack, line.room)
        if found is None or not _is_permitted_entrant(line, pack):
            continue
        day = _entered_on(line)
        if line.escort is None:
            yield _seen(line, pack, found.escorts, "の入室に立会者がいません")
        elif not may_escort(found, line.escort, on=day, pack=pack):
            yield _seen(
                line, pack, found.escorts, f"の立会者 {line.escort.name}さんは立会いができる者ではありません"
            )
        elif (
            found.goods is not None
            and line.goods
            and not may_escort(found, line.goods_escort, on=day, pack=pack)
        ):
            yield _seen(line, pack, found.goods, f"の物品の搬入（{line.goods}）に立会いがありません")


@rule("rooms.exit_without_consent")
@implements("MAI-20-4")
def exits_without_consent(pack: Pack, on: dt.date) -> Iterator[Observation]:
    for line in lines_of(pack).filter(exited_at__isnull=False, valid_from__lte=on):
        found = room_rule(pack, line.room)
        if found is None or found.exit_consent is None or not _is_permitted_entrant(line, pack):
            continue
        if not may_consent(found, line.exit_consent_by, on=time.local(line.exited_at).date(), pack=pack):
            yield _seen(line, pack, found.exit_consent, "の退室に承諾がありません")


@rule("rooms.exit_not_recorded")
@implements("YAN-15-2", "MAI-20-4", "FUK-25")
def exits_not_recorded(pack: Pack, on: dt.date) -> Iterator[Observation]:
    """The findings run is daily and dated: an entry of an earlier day with no exit recorded that day
    is a finding (one of today is not, until the day is over)."""
    for line in lines_of(pack).filter(valid_from__lt=on):
        found = room_rule(pack, line.room)
        if found is None:
            continue
        if line.exited_at is None or time.local(line.exited_at).date() > _entered_on(line):
            yield _seen(line, pack, found.exit, "の退室がその日のうちに記録されていません")

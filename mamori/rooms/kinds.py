"""The entry permission (rooms.entry: YAN-15-1 ただし書, MAI-20-2 あらかじめ, FUK-25-2): the person, or a
visitor who is not staff (company, name), the room, the purpose, the day or period and the escort.
The chains name no form, so these fields are the request's form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from mamori.organisation.models import Person
from mamori.regulations.schema import Pack
from mamori.workflows.handlers import KindHandler, PayloadError, register
from mamori.workflows.payloads import FieldSpec

from .pack import room_rule
from .selectors import ENTRY_KIND, may_escort

FIELDS = (
    FieldSpec("room", "室（室のコード）"),
    FieldSpec("person", "入室者（職員番号）", "person", required=False),
    FieldSpec("visitor_company", "所属（職員でない者）", required=False),
    FieldSpec("visitor_name", "氏名（職員でない者）", required=False),
    FieldSpec("purpose", "入室目的", "textarea"),
    FieldSpec("date_from", "入室日", "date"),
    FieldSpec("date_to", "入室の最終日", "date", required=False),
    FieldSpec("escort", "立会者（職員番号）", "person", required=False),
)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)) if value else None


def clean(
    payload: dict[str, Any],
    *,
    pack: Pack,
    requester: Person,
    on: dt.date,
    resolved: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    rule = room_rule(pack, str(payload.get("room") or ""))
    if rule is None:
        raise PayloadError("room", "この規程の管理する室ではありません")
    article = pack.cite(rule.permission.article)
    if bool(payload.get("person")) == bool(str(payload.get("visitor_name") or "").strip()):
        raise PayloadError("person", "入室者は職員か、職員でない者の氏名のどちらか一方です", article=article)
    start, end = _date(payload.get("date_from")), _date(payload.get("date_to"))
    if start is not None and end is not None and end < start:
        raise PayloadError("date_to", "入室の最終日は入室日以後にしてください", article=article)
    escort = (resolved or {}).get("escort")
    if escort is not None and not may_escort(rule, escort, on=start or on, pack=pack):
        cited = pack.cite(rule.escorts.article)
        raise PayloadError("escort", f"{escort.name}さんは立会いができる者ではありません", article=cited)
    return payload


def title(payload: dict[str, Any]) -> str:
    who = payload.get("visitor_name") or payload.get("person") or ""
    return f"入室の許可 {who} {payload.get('date_from') or ''}".strip()


register(KindHandler(kind=ENTRY_KIND, clean=clean, title=title, fields=FIELDS))

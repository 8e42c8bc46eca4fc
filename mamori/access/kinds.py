"""The 北見市 privilege request (別記様式1): KIT-5-2 filed by the 情報セキュリティ責任者, KIT-5-4
registered in the management file by the system's administrator, who notifies back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mamori.organisation.models import Person
from mamori.regulations.schema import Pack
from mamori.workflows.handlers import KindHandler, PayloadError, register

from .checks import grant_refusals
from .models import Privilege, System
from .services import entitlements_apply_request


def _clean(payload: dict[str, Any], *, pack: Pack, requester: Person, on: dt.date) -> dict[str, Any]:
    action = payload.get("action", "grant")
    if action not in ("grant", "revoke"):
        raise PayloadError("action", "登録 (grant) か解除 (revoke) を選んでください")
    staff_number = str(payload.get("person", "")).strip()
    person = Person.objects.filter(staff_number=staff_number).first()
    if person is None:
        raise PayloadError("person", f"職員番号 {staff_number or '(空)'} の職員はいません")
    system = System.objects.filter(code=str(payload.get("system", "")).strip()).first()
    if system is None:
        raise PayloadError("system", f"システム {payload.get('system') or '(空)'} は登録されていません")
    codes = payload.get("privileges") or []
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.split(",") if c.strip()]
    if not codes:
        raise PayloadError("privileges", "操作権限を一つ以上選んでください")
    known = set(Privilege.objects.filter(system=system, code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise PayloadError("privileges", f"{system.name}に無い権限です: {', '.join(unknown)}")
    if action == "grant":
        privileges = list(Privilege.objects.filter(system=system, code__in=codes))
        for refusal in grant_refusals(pack=pack, person=person, system=system, privileges=privileges, on=on):
            raise PayloadError(refusal.field, refusal.message, article=refusal.article)
    user_id = str(payload.get("user_id") or person.staff_number).strip()
    try:
        valid_from = dt.date.fromisoformat(str(payload.get("valid_from") or on.isoformat()))
    except ValueError:
        raise PayloadError("valid_from", "有効開始日は YYYY-MM-DD で入力してください") from None
    return {
        "action": action,
        "person": person.staff_number,
        "person_name": person.name,
        "system": system.code,
        "system_name": system.name,
        "privileges": codes,
        "user_id": user_id,
        "valid_from": valid_from.isoformat(),
        "reason": str(payload.get("reason", "")).strip(),
    }


def system_owner_unit(payload: dict[str, Any]):
    system = System.objects.select_related("owner_unit").filter(code=payload.get("system")).first()
    if system is None:
        raise PayloadError("system", "システムが登録されていません")
    return system.owner_unit


def _title(payload: dict[str, Any]) -> str:
    verb = "登録" if payload.get("action", "grant") == "grant" else "解除"
    return f"{payload.get('system_name', '')} 操作権限{verb}（{payload.get('person_name', '')}）"


register(
    KindHandler(
        kind="access.privilege",
        clean=_clean,
        owner_unit=system_owner_unit,
        on_approved=entitlements_apply_request,
        title=_title,
    )
)

# KIT-6: terminal privileges, resolved in the unit that owns the system.  access.password (KIT-8-1)
# and access.viewing_id (KIT-11) are registered by mamori/credentials/kinds.py.
register(KindHandler(kind="access.terminal_privilege", owner_unit=system_owner_unit))

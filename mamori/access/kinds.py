"""The privilege request (北見市 別記様式1): KIT-5-2 filed by the 情報セキュリティ責任者 to grant, change
or revoke privileges, KIT-5-4 registered in the management file by the system's administrator, who
notifies back; KIT-6 the same form for terminal privileges, complete after biometric registration.

The same handlers serve every pack whose chain uses these kinds with a system and privileges
(舞鶴市 照合ID・操作者ID, 目黒区 従事者の指定, whose chains name no form: they take PRIVILEGE_FIELDS).
They read a pack form only if it carries a person, a system and privileges (``reads``): another form
under the same kind (柳川市 様式第1号, the terminal operators' report) is checked against that form
by the engine and its approval is the record; nothing here looks at the payload's shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from mamori.organisation.models import Person
from mamori.regulations.schema import Pack
from mamori.systems.models import Privilege, System
from mamori.workflows.handlers import KindHandler, PayloadError, register
from mamori.workflows.payloads import FieldSpec, register_resolver

from .checks import grant_refusals
from .models import OPEN_STATES, Entitlement
from .policies import may_file_for_person
from .services import entitlements_apply_request, validity_end

ACTIONS = {"grant": "登録", "change": "変更", "revoke": "解除"}

# A payload's ``system`` field names a System by its code (mamori/workflows/payloads.py resolves it).
register_resolver(
    "system",
    lambda code, on: System.objects.filter(code=code).first(),
    "システム {value} は登録されていません",
)

# 別記様式1 as these handlers read it, over any pack form carrying person, system and privileges:
# the action defaults to 登録 and may be 変更 (the wanted set), the privileges are a list of codes
# (or comma-separated), and 有効終了日 may shorten the line (KIT-7 cuts it at the term's end anyway).
PRIVILEGE_FIELDS = (
    FieldSpec("action", "登録・変更・解除の別", "choice", required=False, choices=tuple(ACTIONS)),
    FieldSpec("person", "システム使用者（職員番号）", "person"),
    FieldSpec("system", "行政情報システム", "system"),
    FieldSpec("privileges", "操作権限", many=True, help="権限コードをカンマ区切りで"),
    FieldSpec("user_id", "ユーザID", required=False, max_length=60),
    FieldSpec("valid_from", "有効開始日", "date", required=False),
    FieldSpec("valid_to", "有効終了日", "date", required=False),
    FieldSpec("reason", "理由", "textarea", required=False),
)
PRIVILEGE_READS = ("person", "system", "privileges")


def _date(payload: dict[str, Any], name: str, label: str, default: dt.date | None) -> dt.date | None:
    raw = payload.get(name)
    if raw in (None, ""):
        return default
    try:
        return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
    except ValueError:
        raise PayloadError(name, f"{label}は YYYY-MM-DD で入力してください: {raw}") from None


def _codes(payload: dict[str, Any]) -> list[str]:
    codes = payload.get("privileges") or []
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.split(",") if c.strip()]
    return [str(c).strip() for c in codes]


def clean_privilege_payload(
    payload: dict[str, Any],
    *,
    pack: Pack,
    requester: Person,
    on: dt.date,
    resolved: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Check 別記様式1 beyond its form: the privileges are the system's, the grant passes its rules, the
    change or revocation has lines to act on; refusals name the field and, where a rule forbids the
    grant, its article (KIT-5-3, KIT-5-9, the designations' checks).  The form's schema has checked
    the fields' presence and types and found the person and the system (``resolved``)."""
    resolved = resolved or {}
    action = payload.get("action") or "grant"
    if action not in ACTIONS:
        raise PayloadError("action", "登録 (grant)・変更 (change)・解除 (revoke) のいずれかを選んでください")
    staff_number = str(payload.get("person", "")).strip()
    person = resolved.get("person") or Person.objects.filter(staff_number=staff_number).first()
    if person is None:
        raise PayloadError("person", f"職員番号 {staff_number or '(空)'} の職員はいません")
    system = (
        resolved.get("system") or System.objects.filter(code=str(payload.get("system", "")).strip()).first()
    )
    if system is None:
        raise PayloadError("system", f"システム {payload.get('system') or '(空)'} は登録されていません")
    codes = _codes(payload)
    if not codes:
        raise PayloadError("privileges", "操作権限を一つ以上選んでください")
    known = set(Privilege.objects.filter(system=system, code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise PayloadError("privileges", f"{system.name}に無い権限です: {', '.join(unknown)}")
    valid_from = _date(payload, "valid_from", "有効開始日", on)
    valid_to = _date(payload, "valid_to", "有効終了日", None)
    if valid_to is not None and valid_from is not None and valid_to < valid_from:
        raise PayloadError("valid_to", "有効終了日が有効開始日より前です")
    if action in ("grant", "change"):
        adding = list(Privilege.objects.filter(system=system, code__in=codes))
        for refusal in grant_refusals(pack=pack, person=person, system=system, privileges=adding, on=on):
            raise PayloadError(refusal.field, refusal.message, article=refusal.article)
    if action in ("change", "revoke"):
        held = Entitlement.objects.filter(person=person, system=system, state__in=OPEN_STATES)
        if action == "revoke" and not held.filter(privilege__code__in=codes).exists():
            raise PayloadError("privileges", f"{person.name}は{system.name}のこれらの権限を持っていません")
        if action == "change" and not held.exists():
            raise PayloadError(
                "action", f"{person.name}は{system.name}の権限を持っていません。登録を選んでください"
            )
    scope = pack.parameters.access.organisation_scope
    if scope is not None and not may_file_for_person(requester, person, pack=pack, on=on):
        # KIT-5-2: 所管する組織内 — a request for someone outside the filer's organisation is refused.
        raise PayloadError(
            "person", f"{person.name}さんは所管する組織の職員ではありません", article=pack.cite(scope.article)
        )
    user_id = str(payload.get("user_id") or "").strip()
    if not user_id:
        held_id = (
            Entitlement.objects.filter(person=person, system=system, state__in=OPEN_STATES)
            .values_list("user_id", flat=True)
            .first()
        )
        user_id = held_id or person.staff_number
    cleaned = {
        "action": action,
        "person": person.staff_number,
        "person_name": person.name,
        "system": system.code,
        "system_name": system.name,
        "privileges": codes,
        "user_id": user_id,
        "valid_from": valid_from.isoformat() if valid_from else on.isoformat(),
        "reason": str(payload.get("reason", "")).strip(),
    }
    if valid_to is not None:
        cleaned["valid_to"] = valid_to.isoformat()
    term_end = validity_end(person)
    if term_end is not None:
        cleaned["term_end"] = term_end.isoformat()  # KIT-7: shown on the form; the line ends with it
    return cleaned  # only the form's fields: nothing else a caller sends is kept in the request


def system_owner_unit(payload: dict[str, Any]):
    system = System.objects.select_related("owner_unit").filter(code=payload.get("system")).first()
    if system is None:
        raise PayloadError("system", "システムが登録されていません")
    return system.owner_unit


def _title(payload: dict[str, Any]) -> str:
    verb = ACTIONS.get(payload.get("action", "grant"), "登録")
    return f"{payload.get('system_name', '')} 操作権限{verb}（{payload.get('person_name', '')}）"


register(
    KindHandler(
        kind="access.privilege",
        clean=clean_privilege_payload,
        owner_unit=system_owner_unit,
        on_approved=entitlements_apply_request,
        title=_title,
        fields=PRIVILEGE_FIELDS,
        reads=PRIVILEGE_READS,
    )
)

# KIT-6: terminal privileges, filed to the two-factor administrator; pending until biometric
# registration.  access.password (KIT-8-1) and access.viewing_id (KIT-11) are registered by
# mamori/credentials/kinds.py.
register(
    KindHandler(
        kind="access.terminal_privilege",
        clean=clean_privilege_payload,
        owner_unit=system_owner_unit,
        on_approved=entitlements_apply_request,
        title=_title,
        fields=PRIVILEGE_FIELDS,
        reads=PRIVILEGE_READS,
    )
)

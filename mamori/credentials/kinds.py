"""Request kinds of the credentials domain.

- access.password (北見市 別記様式2, KIT-8-1): filed by the system user; for a 会計年度任用職員 by the
  情報セキュリティ責任者.  Registered by the system's administrator, whose approval sets a temporary
  password (KIT-8-2), shown once to the approver by the screen or API that ran the approval.
- access.viewing_id (KIT-11): the viewer's 申出 to the section that has the terminal; its approval is
  the 許可 (第11条第2項).  The loan itself is recorded when the ID is handed over (loans.loan_lend):
  the approval is the permission, the loan is the act.
- credentials.operator_id (舞鶴市 MAI-23): the セキュリティ責任者's application for a 照合ID and 操作者ID."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from mamori.access.checks import grant_refusals
from mamori.access.kinds import system_owner_unit
from mamori.organisation.models import Assignment, Person, Unit
from mamori.organisation.roles import holding_of, primary_unit
from mamori.regulations.registry import implements
from mamori.regulations.schema import Pack
from mamori.systems.models import Privilege, System
from mamori.workflows.handlers import KindHandler, PayloadError, register
from mamori.workflows.payloads import FieldSpec

from . import operator_ids, services

Resolved = Mapping[str, Any] | None


def _person(payload: dict[str, Any], requester: Person, resolved: Resolved = None) -> Person:
    """The person the form names (found by its schema), else the requester."""
    if resolved and resolved.get("person") is not None:
        return resolved["person"]
    staff_number = str(payload.get("person") or requester.staff_number).strip()
    person = Person.objects.filter(staff_number=staff_number).first()
    if person is None:
        raise PayloadError("person", f"職員番号 {staff_number} の職員はいません")
    return person


def _system(payload: dict[str, Any], resolved: Resolved = None) -> System:
    if resolved and resolved.get("system") is not None:
        return resolved["system"]
    system = System.objects.filter(code=str(payload.get("system", "")).strip()).first()
    if system is None:
        raise PayloadError("system", f"システム {payload.get('system') or '(空)'} は登録されていません")
    return system


# 別記様式2 as the handler reads it: left out, the action is 登録 and the person the requester (the
# system user files for themselves, KIT-8-1).
PASSWORD_FIELDS = (
    FieldSpec("action", "登録・変更の別", "choice", required=False, choices=("register", "change")),
    FieldSpec("person", "システム使用者（職員番号）", "person", required=False, help="空欄のときは申請者"),
    FieldSpec("system", "個別システム", "system"),
    FieldSpec("user_id", "ユーザID", required=False, max_length=60),
    FieldSpec("reason", "理由", "textarea", required=False),
)
VIEWING_FIELDS = (
    FieldSpec("unit", "端末装置のある課", "unit"),
    FieldSpec("terminal", "端末装置", required=False),
    FieldSpec("purpose", "閲覧する事務（目的）", "textarea"),
    FieldSpec("date", "閲覧日", "date", required=False, help="空欄のときは申出日"),
)
OPERATOR_ID_FIELDS = (
    FieldSpec("person", "操作者（職員番号）", "person", required=False, help="空欄のときは申請者"),
    FieldSpec("system", "システム", "system"),
    FieldSpec("privileges", "操作権限", many=True, help="権限コードをカンマ区切りで"),
    FieldSpec("verification_id", "照合ID", required=False, max_length=60),
    FieldSpec("operator_id", "操作者ID", required=False, max_length=60, help="空欄のときは新しく採番"),
    FieldSpec("valid_from", "有効開始日", "date", required=False),
    FieldSpec("reason", "理由", "textarea", required=False),
)


@implements("KIT-8-1")
def clean_password_request(
    payload: dict[str, Any], *, pack: Pack, requester: Person, on: dt.date, resolved: Resolved = None
) -> dict[str, Any]:
    """第8条第1項: the system user applies with 別記様式2; for a 会計年度任用職員 the 情報セキュリティ責任者 does."""
    action = payload.get("action") or "register"
    if action not in ("register", "change"):
        raise PayloadError("action", "登録 (register) か変更 (change) を選んでください")
    person = _person(payload, requester, resolved)
    system = _system(payload, resolved)
    rules = pack.parameters.managed_passwords
    article = pack.cite(pack.chain("access.password").articles[0])
    if rules.filed_for_by and person.employment in rules.filed_for_employments:
        if (
            holding_of(requester, rules.filed_for_by, on=on, pack=pack, unit=primary_unit(person, on=on))
            is None
        ):
            raise PayloadError(
                "person",
                f"{person.get_employment_display()}のパスワードは{pack.role(rules.filed_for_by).name}が申請します",
                article=article,
            )
    elif person.pk != requester.pk:
        raise PayloadError("person", "パスワードの申請はシステム使用者本人が行います", article=article)
    return {
        "action": action,
        "person": person.staff_number,
        "person_name": person.name,
        "system": system.code,
        "system_name": system.name,
        "user_id": str(payload.get("user_id", "")).strip(),
        "reason": str(payload.get("reason", "")).strip(),
    }


def _password_title(payload: dict[str, Any]) -> str:
    verb = "変更" if payload.get("action") == "change" else "登録"
    return f"{payload.get('system_name', '')} パスワード{verb}（{payload.get('person_name', '')}）"


register(
    KindHandler(
        kind="access.password",
        clean=clean_password_request,
        owner_unit=system_owner_unit,
        on_approved=services.issue_for_request,
        title=_password_title,
        fields=PASSWORD_FIELDS,
        reads=("system",),
    )
)


@implements("KIT-11")
def clean_viewing_request(
    payload: dict[str, Any], *, pack: Pack, requester: Person, on: dt.date, resolved: Resolved = None
) -> dict[str, Any]:
    """第11条第1項: someone from outside the section asks to view its terminal, for their duties."""
    code = str(payload.get("unit", "")).strip()
    unit = (resolved or {}).get("unit") or Unit.objects.filter(code=code).first()
    if unit is None:
        raise PayloadError("unit", f"所属コード {code or '(空)'} の課はありません")
    article = pack.cite(pack.chain("access.viewing_id").articles[0])
    if Assignment.objects.on(on).filter(person=requester, unit=unit).exists():
        raise PayloadError(
            "unit", f"{unit.name}の職員は閲覧の申出をしません（課以外の者が申し出ます）", article=article
        )
    purpose = str(payload.get("purpose", "")).strip()
    if not purpose:
        raise PayloadError("purpose", "閲覧する事務（目的）を入力してください", article=article)
    return {
        "unit": unit.code,
        "unit_name": unit.name,
        "terminal": str(payload.get("terminal", "")).strip(),
        "purpose": purpose,
        "date": str(payload.get("date") or on.isoformat()),
    }


register(
    KindHandler(
        kind="access.viewing_id",
        clean=clean_viewing_request,
        title=lambda p: f"端末装置の閲覧の申出（{p.get('unit_name', '')}）",
        fields=VIEWING_FIELDS,
        reads=("unit", "purpose"),
    )
)


@implements("MAI-23")
def clean_operator_id_request(
    payload: dict[str, Any], *, pack: Pack, requester: Person, on: dt.date, resolved: Resolved = None
) -> dict[str, Any]:
    """第23条第1項: the IDs asked for must be free for this operator; the grant must pass its checks."""
    rules = operator_ids.operator_id_rules(pack)
    person = _person(payload, requester, resolved)
    system = _system(payload, resolved)
    codes = payload.get("privileges") or []
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.split(",") if c.strip()]
    privileges = list(Privilege.objects.filter(system=system, code__in=codes))
    if not codes or len(privileges) != len(set(codes)):
        raise PayloadError("privileges", f"{system.name}の操作権限を選んでください")
    for refusal in grant_refusals(pack=pack, person=person, system=system, privileges=privileges, on=on):
        raise PayloadError(refusal.field, refusal.message, article=refusal.article)
    verification = str(payload.get("verification_id", "")).strip()
    operator = str(payload.get("operator_id", "")).strip() or operator_ids.new_code("P")
    for code, what, field in (
        (verification, "照合ID", "verification_id"),
        (operator, "操作者ID", "operator_id"),
    ):
        refusal = code and operator_ids.id_code_refusal(code=code, person=person, pack=pack, what=what)
        if refusal:
            raise PayloadError(field, refusal, article=pack.cite(rules.article))
    return {
        "action": "grant",
        "person": person.staff_number,
        "person_name": person.name,
        "system": system.code,
        "system_name": system.name,
        "privileges": codes,
        "verification_id": verification,
        "operator_id": operator,
        "user_id": operator,
        "valid_from": str(payload.get("valid_from") or on.isoformat()),
        "reason": str(payload.get("reason", "")).strip(),
    }


register(
    KindHandler(
        kind="credentials.operator_id",
        clean=clean_operator_id_request,
        owner_unit=system_owner_unit,
        on_approved=operator_ids.issue_for_request,
        title=lambda p: f"{p.get('system_name', '')} 照合ID・操作者IDの付与（{p.get('person_name', '')}）",
        fields=OPERATOR_ID_FIELDS,
        reads=("system", "privileges"),
    )
)

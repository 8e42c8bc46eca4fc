"""MAI-23: 照合ID and 操作者ID.

第23条第1項: on the セキュリティ責任者's application the システム管理者 gives each operator a 照合ID and,
linked to it, the 操作者IDs needed to delegate privileges.  第23条第2項: an operator may not let anyone
else use them — so an ID, once given to one person, is never given to another (a unique code in the
database, and a check here that names the article)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction

from mamori.access.models import Entitlement
from mamori.access.services import entitlements_apply_request
from mamori.core import time
from mamori.core.policy import Actor
from mamori.organisation.models import Person
from mamori.organisation.roles import holding_of
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, entry_for, record_append_many, snapshot
from mamori.regulations.active import active_pack
from mamori.regulations.registry import implements
from mamori.regulations.schema import OperatorIdRules, Pack
from mamori.systems.models import Privilege, System

from .models import IdState, OperatorId, VerificationId
from .services import CredentialError

ID_FIELDS = ("id", "code", "person_id", "state", "issued_at", "issued_as", "request_id", "ended_at")
OPERATOR_FIELDS = (
    "id",
    "code",
    "verification_id",
    "system_id",
    "state",
    "issued_at",
    "request_id",
    "ended_at",
)


def operator_id_rules(pack: Pack) -> OperatorIdRules:
    rules = pack.parameters.operator_ids
    if rules is None:
        raise CredentialError(f"{pack.municipality}の規程には照合ID・操作者IDの定めがありません")
    return rules


def new_code(prefix: str) -> str:
    """A fresh code that no ID of either kind has ever had."""
    while True:
        code = f"{prefix}{secrets.token_hex(3).upper()}"
        if not (
            VerificationId.objects.filter(code=code).exists() or OperatorId.objects.filter(code=code).exists()
        ):
            return code


def id_code_refusal(*, code: str, person: Person, pack: Pack, what: str = "照合ID") -> str | None:
    """Why ``code`` cannot be given to ``person``: it belongs, or belonged, to someone else."""
    rules = operator_id_rules(pack)
    holder = (
        VerificationId.objects.filter(code=code).values_list("person_id", "person__name").first()
        or OperatorId.objects.filter(code=code)
        .values_list("verification__person_id", "verification__person__name")
        .first()
    )
    if holder is not None and holder[0] != person.pk:
        return (
            f"{what} {code} は既に{holder[1]}さんに付与されています。IDを他の者に利用させることはできません"
            f"（{pack.cite(rules.article.split('-')[0])}第2項）"
        )
    return None


def issuer_capacity(*, actor: Actor, pack: Pack, on: dt.date) -> str:
    rules = operator_id_rules(pack)
    person = getattr(actor, "person", None)
    if person is not None:
        for code in rules.issued_by:
            holding = holding_of(person, code, on=on, pack=pack)
            if holding is not None:
                return holding.capacity
    names = "・".join(pack.role(code).name for code in rules.issued_by)
    raise CredentialError(f"照合ID・操作者IDは{names}が付与します", article=pack.cite(rules.article))


def _record(
    instance: Any,
    fields: Sequence[str],
    action: RecordAction,
    *,
    actor: Actor,
    capacity: str,
    pack: Pack,
    before: dict | None = None,
    extra: dict | None = None,
) -> Entry:
    rules = operator_id_rules(pack)
    return entry_for(
        instance,
        action,
        fields=fields,
        actor=actor,
        capacity=capacity,
        before=before,
        extra=extra,
        article=rules.article,
        requirement=(rules.requirements or [""])[0],
        retention_class="access",
    )


def _give(
    *,
    person: Person,
    system: System,
    privileges: Sequence[Privilege],
    actor: Actor,
    capacity: str,
    pack: Pack,
    verification_code: str = "",
    operator_code: str = "",
    entitlements: Sequence[Entitlement] = (),
    request: Any = None,
) -> OperatorId:
    if not privileges:
        raise CredentialError("操作者IDに持たせる操作権限を一つ以上選んでください", field="privileges")
    foreign = [p.code for p in privileges if p.system_id != system.pk]
    if foreign:
        raise CredentialError(f"{system.name}に無い権限です: {', '.join(foreign)}", field="privileges")
    Person.objects.select_for_update().filter(pk=person.pk).first()
    moment = time.now()
    entries: list[Entry] = []
    verification = VerificationId.objects.filter(person=person, state=IdState.ACTIVE).first()
    if verification is not None and verification_code and verification.code != verification_code:
        raise CredentialError(
            f"{person.name}さんには照合ID {verification.code} が付与されています（照合IDは一人に一つ）",
            field="verification_id",
            article=pack.cite(operator_id_rules(pack).article),
        )
    for code, what, field in (
        (verification_code, "照合ID", "verification_id"),
        (operator_code, "操作者ID", "operator_id"),
    ):
        refusal = code and id_code_refusal(code=code, person=person, pack=pack, what=what)
        if refusal:
            raise CredentialError(refusal, field=field, article=pack.cite(operator_id_rules(pack).article))
    if operator_code and OperatorId.objects.filter(code=operator_code).exists():
        raise CredentialError(f"操作者ID {operator_code} は既に付与されています", field="operator_id")
    try:
        with transaction.atomic():
            if verification is None:
                code = verification_code or new_code("V")
                if VerificationId.objects.filter(code=code).exists():
                    raise CredentialError(
                        f"照合ID {code} は以前に付与され廃止されたIDです。別のIDを指定してください",
                        field="verification_id",
                    )
                verification = VerificationId.objects.create(
                    code=code,
                    person=person,
                    issued_at=moment,
                    issued_by=actor,
                    issued_as=capacity,
                    request=request,
                )
                entries.append(
                    _record(
                        verification,
                        ID_FIELDS,
                        RecordAction.VERIFICATION_ID_ISSUED,
                        actor=actor,
                        capacity=capacity,
                        pack=pack,
                    )
                )
            operator = OperatorId.objects.create(
                code=operator_code or new_code("P"),
                verification=verification,
                system=system,
                issued_at=moment,
                issued_by=actor,
                request=request,
            )
    except IntegrityError:
        # The database refused what the check above let through (two issues at the same moment).
        raise CredentialError(
            "そのIDは既に他の者に付与されています。IDを他の者に利用させることはできません",
            article=pack.cite(operator_id_rules(pack).article),
        ) from None
    operator.privileges.add(*privileges)
    if entitlements:
        operator.entitlements.add(*entitlements)
    entries.append(
        _record(
            operator,
            OPERATOR_FIELDS,
            RecordAction.OPERATOR_ID_ISSUED,
            actor=actor,
            capacity=capacity,
            pack=pack,
            extra={
                "verification_code": verification.code,
                "privileges": [p.code for p in privileges],
                "entitlements": [e.pk for e in entitlements],
            },
        )
    )
    record_append_many(entries=entries)
    return operator


@implements("MAI-23")
@transaction.atomic
def operator_id_issue(
    *,
    person: Person,
    system: System,
    privileges: Sequence[Privilege],
    actor: Actor,
    verification_code: str = "",
    operator_code: str = "",
    on: dt.date | None = None,
) -> OperatorId:
    """Give ``person`` an 操作者ID carrying ``privileges`` of ``system``, under their 照合ID (created
    when they have none).  Refused, naming 第23条, when a code belongs to someone else."""
    pack = active_pack()
    today = on or time.today()
    capacity = issuer_capacity(actor=actor, pack=pack, on=today)
    return _give(
        person=person,
        system=system,
        privileges=privileges,
        actor=actor,
        capacity=capacity,
        pack=pack,
        verification_code=verification_code.strip(),
        operator_code=operator_code.strip(),
    )


def issue_for_request(
    *, request: Any, actor: Actor, capacity: str, pack: Pack, on: dt.date, article: str, requirement: str
) -> None:
    """The credentials.operator_id request approved by the システム管理者: register the privileges in the
    management file under the 操作者ID, and give the IDs."""
    payload = request.payload
    entitlements = entitlements_apply_request(
        request=request,
        actor=actor,
        capacity=capacity,
        pack=pack,
        on=on,
        article=article,
        requirement=requirement,
    )
    system = System.objects.get(code=payload["system"])
    _give(
        person=Person.objects.get(staff_number=payload["person"]),
        system=system,
        privileges=list(Privilege.objects.filter(system=system, code__in=payload["privileges"])),
        actor=actor,
        capacity=capacity,
        pack=pack,
        verification_code=payload.get("verification_id", ""),
        operator_code=payload["user_id"],
        entitlements=entitlements,
        request=request,
    )


@implements("MAI-23")
@transaction.atomic
def verification_id_end(
    *, verification: VerificationId, actor: Actor, reason: str, on: dt.date | None = None
) -> VerificationId:
    """End a 照合ID and every 操作者ID under it.  The codes stay taken: they are never given again."""
    pack = active_pack()
    today = on or time.today()
    capacity = issuer_capacity(actor=actor, pack=pack, on=today)
    if not reason.strip():
        raise CredentialError("廃止の理由を入力してください", field="reason")
    locked = VerificationId.objects.select_for_update().get(pk=verification.pk)
    if locked.state != IdState.ACTIVE:
        raise CredentialError(f"照合ID {locked.code} は既に廃止されています")
    moment = time.now()
    before = snapshot(locked, ID_FIELDS)
    locked.state, locked.ended_at = IdState.ENDED, moment
    locked.save(update_fields=["state", "ended_at"])
    operators = list(OperatorId.objects.select_for_update().filter(verification=locked, state=IdState.ACTIVE))
    entries = [
        _record(
            locked,
            ID_FIELDS,
            RecordAction.VERIFICATION_ID_ENDED,
            actor=actor,
            capacity=capacity,
            pack=pack,
            before=before,
            extra={"reason": reason.strip()},
        )
    ]
    for operator in operators:
        prior = snapshot(operator, OPERATOR_FIELDS)
        operator.state, operator.ended_at = IdState.ENDED, moment
        entries.append(
            _record(
                operator,
                OPERATOR_FIELDS,
                RecordAction.OPERATOR_ID_ENDED,
                actor=actor,
                capacity=capacity,
                pack=pack,
                before=prior,
                extra={"reason": reason.strip()},
            )
        )
    OperatorId.objects.bulk_update(operators, ["state", "ended_at"])
    record_append_many(entries=entries)
    return locked

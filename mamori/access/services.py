"""Changes to the management file (管理ファイル).  Every function is one transaction that writes
its lines and the record of each, citing the article and requirement ID from the pack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from mamori.core import time
from mamori.core.policy import Actor, Refused, require, signed_in
from mamori.organisation.models import Employment, Person
from mamori.organisation.roles import Holding, holders_of, holding_of
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, record_append_many, snapshot
from mamori.regulations.registry import implements
from mamori.regulations.schema import Cited, Pack
from mamori.systems.models import MaintenanceContract, Privilege, System
from mamori.systems.selectors import administering
from mamori.workflows.notifications import notify

from .models import (
    ENTITLEMENT_TRANSITIONS,
    OPEN_STATES,
    BiometricRegistration,
    Entitlement,
    EntitlementBasis,
    EntitlementState,
    UserRegistration,
)
from .selectors import person_unit, table_row_for

ENTITLEMENT_FIELDS = (
    "id",
    "person_id",
    "system_id",
    "privilege_id",
    "user_id",
    "valid_from",
    "valid_to",
    "state",
    "request_id",
    "basis",
    "contract_id",
)


class EntitlementError(Refused, ValueError):
    """A change the management file refuses: what is wrong, the field, and the article (400 in the
    API's one Problem schema)."""

    status = 400

    def __init__(self, message: str, *, article: str = "", field: str = ""):
        super().__init__(message, article=article, field=field or None)

    def __str__(self) -> str:
        return f"{self.message}（{self.article}）" if self.article else self.message


def _cite(rule: Cited | None) -> tuple[str, str]:
    """(article, requirement) of a pack rule, for records."""
    if rule is None:
        return "", ""
    return rule.article, rule.requirement or ""


def _entry(
    line: Entitlement,
    action: RecordAction,
    *,
    actor: Actor,
    capacity: str,
    article: str,
    requirement: str,
    before: dict | None = None,
    extra: dict | None = None,
) -> Entry:
    return Entry(
        action=action,
        object_type="access.Entitlement",
        object_id=str(line.pk),
        actor=actor,
        capacity=capacity,
        before=before,
        after={**snapshot(line, ENTITLEMENT_FIELDS), **(extra or {})},
        article=article,
        requirement=requirement,
        retention_class="access",
    )


def validity_end(person: Person, *, requested: dt.date | None = None) -> dt.date | None:
    """KIT-7: a person with a fixed appointment term holds privileges only for that term; a
    requested end date can only shorten it."""
    term = None
    if person.employment in (Employment.FIXED_TERM, Employment.REAPPOINTED) or person.term_end:
        term = person.term_end
    ends = [d for d in (term, requested) if d is not None]
    return min(ends) if ends else None


def needs_biometric(pack: Pack, kind: str) -> bool:
    rule = pack.parameters.access.biometric
    return rule is not None and kind in rule.kinds


def _notify_officers(
    *, pack: Pack, person: Person, on: dt.date, subject: str, body: str, article: str
) -> None:
    """KIT-5-6, KIT-5-8: the roles the pack names (情報セキュリティ責任者) of the person's unit are told."""
    unit = person_unit(person, on)
    people = []
    for code in pack.parameters.access.notify:
        if unit is not None:
            people += [h.person for h in holders_of(code, on=on, pack=pack, unit=unit)]
    if people:
        notify(people=people, subject=subject, body=body, article=article)


def _create_lines(
    *,
    person: Person,
    system: System,
    privileges: Sequence[Privilege],
    user_id: str,
    valid_from: dt.date,
    valid_to: dt.date | None,
    actor: Actor,
    capacity: str,
    article: str,
    requirement: str,
    state: str = EntitlementState.ACTIVE,
    basis: str = EntitlementBasis.REQUEST,
    request: Any = None,
    contract: MaintenanceContract | None = None,
) -> tuple[list[Entitlement], list[Entry]]:
    """New lines for the privileges the person does not already hold open on the system."""
    existing = set(
        Entitlement.objects.filter(
            person=person, system=system, privilege__in=privileges, state__in=OPEN_STATES
        ).values_list("privilege_id", flat=True)
    )
    moment = time.now()
    lines = Entitlement.objects.bulk_create(
        [
            Entitlement(
                person=person,
                system=system,
                privilege=p,
                user_id=user_id,
                valid_from=valid_from,
                valid_to=valid_to,
                state=state,
                request=request,
                registered_at=moment,
                registered_by=actor,
                basis=basis,
                contract=contract,
            )
            for p in privileges
            if p.pk not in existing
        ]
    )
    entries = [
        _entry(
            line,
            RecordAction.ENTITLEMENT_REGISTERED,
            actor=actor,
            capacity=capacity,
            article=article,
            requirement=requirement,
        )
        for line in lines
    ]
    return lines, entries


# How an ended line is recorded (its new state).
_ENDED_AS: dict[str, RecordAction] = {
    EntitlementState.REVOKED: RecordAction.ENTITLEMENT_REVOKED,
    EntitlementState.EXPIRED: RecordAction.ENTITLEMENT_EXPIRED,
    EntitlementState.DELETED: RecordAction.ENTITLEMENT_DELETED,
}


def _end_lines(
    lines: Sequence[Entitlement],
    *,
    state: str,
    actor: Actor,
    reason: str,
    capacity: str,
    article: str,
    requirement: str,
) -> tuple[list[Entitlement], list[Entry]]:
    """End lines in bulk (one UPDATE, one batch of records); every line must allow the move."""
    if not reason.strip():
        raise EntitlementError("終了の理由を記入してください", article=article, field="reason")
    moment = time.now()
    entries = []
    for line in lines:
        if state not in ENTITLEMENT_TRANSITIONS[line.state]:
            raise EntitlementError(
                f"管理ファイル #{line.pk} は{line.get_state_display()}のため{EntitlementState(state).label}にできません"
            )
        before = snapshot(line, ENTITLEMENT_FIELDS)
        line.state, line.ended_at, line.end_reason = state, moment, reason[:300]
        entries.append(
            _entry(
                line,
                _ENDED_AS[state],
                actor=actor,
                capacity=capacity,
                article=article,
                requirement=requirement,
                before=before,
                extra={"reason": reason},
            )
        )
    Entitlement.objects.bulk_update(list(lines), ["state", "ended_at", "end_reason"], batch_size=2000)
    return list(lines), entries


# --- requests (別記様式1) ---------------------------------------------------------------------


@implements("KIT-5-4", "KIT-6", "KIT-7")
@transaction.atomic
def entitlements_apply_request(
    *, request: Any, actor: Actor, capacity: str, pack: Pack, on: dt.date, article: str, requirement: str
) -> list[Entitlement]:
    """KIT-5-4: register (change, or remove) the request's privileges in the management file, in the
    transaction of the administrator's approval; the completion notice goes back to the requester.
    KIT-6: a terminal privilege stays pending until the biometric registration is recorded."""
    payload = request.payload
    if "privileges" not in payload:  # a kind of another shape (柳川市 様式第1号): nothing to register
        return []
    person = Person.objects.get(staff_number=payload["person"])
    system = System.objects.get(code=payload["system"])
    privileges = list(Privilege.objects.filter(system=system, code__in=payload["privileges"]))
    action = payload.get("action", "grant")
    entries: list[Entry] = []
    changed: list[Entitlement] = []
    open_lines = Entitlement.objects.select_for_update().filter(
        person=person, system=system, state__in=OPEN_STATES
    )
    if action in ("grant", "change"):
        requested_end = dt.date.fromisoformat(payload["valid_to"]) if payload.get("valid_to") else None
        state = EntitlementState.ACTIVE
        if (
            needs_biometric(pack, request.kind)
            and not BiometricRegistration.objects.filter(person=person, system=system).exists()
        ):
            state = EntitlementState.PENDING
        created, created_entries = _create_lines(
            person=person,
            system=system,
            privileges=privileges,
            user_id=payload.get("user_id") or person.staff_number,
            valid_from=dt.date.fromisoformat(payload["valid_from"]) if payload.get("valid_from") else on,
            valid_to=validity_end(person, requested=requested_end),
            actor=actor,
            capacity=capacity,
            article=article,
            requirement=requirement,
            state=state,
            request=request,
        )
        changed += created
        entries += created_entries
    if action == "change":
        wanted = {p.pk for p in privileges}
        dropped = [line for line in open_lines if line.privilege_id not in wanted]
        ended, end_entries = _end_lines(
            dropped,
            state=EntitlementState.REVOKED,
            actor=actor,
            reason=f"変更申請 #{request.pk} により解除",
            capacity=capacity,
            article=article,
            requirement=requirement,
        )
        changed += ended
        entries += end_entries
        if payload.get("valid_to"):
            kept = [line for line in open_lines if line.privilege_id in wanted]
            new_end = validity_end(person, requested=dt.date.fromisoformat(payload["valid_to"]))
            for line in kept:
                before = snapshot(line, ENTITLEMENT_FIELDS)
                line.valid_to = new_end
                entries.append(
                    _entry(
                        line,
                        RecordAction.ENTITLEMENT_CHANGED,
                        actor=actor,
                        capacity=capacity,
                        article=article,
                        requirement=requirement,
                        before=before,
                        extra={"reason": f"変更申請 #{request.pk}"},
                    )
                )
            Entitlement.objects.bulk_update(kept, ["valid_to"])
            changed += kept
    if action == "revoke":
        wanted = {p.pk for p in privileges}
        ended, end_entries = _end_lines(
            [line for line in open_lines if line.privilege_id in wanted],
            state=EntitlementState.REVOKED,
            actor=actor,
            reason=payload.get("reason") or f"解除申請 #{request.pk}",
            capacity=capacity,
            article=article,
            requirement=requirement,
        )
        changed += ended
        entries += end_entries
    record_append_many(entries=entries)
    return changed


# --- one line ----------------------------------------------------------------------------------


@transaction.atomic
def entitlement_end(
    *,
    entitlement: Entitlement,
    actor: Actor,
    state: str = EntitlementState.REVOKED,
    reason: str,
    capacity: str = "",
    article: str = "",
    requirement: str = "",
) -> Entitlement:
    """End one line of the management file (revoked by a decision, or expired at the end of its
    term) and record who ended it, in which capacity, why and under which article."""
    locked = Entitlement.objects.select_for_update().get(pk=entitlement.pk)
    ended, entries = _end_lines(
        [locked],
        state=state,
        actor=actor,
        reason=reason,
        capacity=capacity,
        article=article,
        requirement=requirement,
    )
    record_append_many(entries=entries)
    return ended[0]


CHANGEABLE_FIELDS = ("user_id", "valid_from", "valid_to")


@transaction.atomic
def entitlement_change(
    *,
    entitlement: Entitlement,
    actor: Actor,
    changes: dict[str, Any],
    reason: str,
    capacity: str = "",
    article: str = "",
    requirement: str = "",
) -> Entitlement:
    """Correct an open line (its user ID or validity), with the reason, recorded before/after."""
    unknown = set(changes) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise EntitlementError(f"変更できない項目です: {', '.join(sorted(unknown))}")
    locked = Entitlement.objects.select_for_update().select_related("person").get(pk=entitlement.pk)
    if locked.state not in OPEN_STATES:
        raise EntitlementError(
            f"管理ファイル #{locked.pk} は{locked.get_state_display()}のため変更できません"
        )
    if not reason.strip():
        raise EntitlementError("変更の理由を記入してください", article=article, field="reason")
    before = snapshot(locked, ENTITLEMENT_FIELDS)
    for name, value in changes.items():
        setattr(locked, name, value)
    if locked.valid_to and locked.valid_to < locked.valid_from:
        raise EntitlementError("有効終了日が有効開始日より前です", field="valid_to")
    term_end = validity_end(locked.person)
    if term_end and (locked.valid_to is None or locked.valid_to > term_end):
        # KIT-7: never beyond the appointment term.
        raise EntitlementError(f"有効終了日は任用期間の終了日 {term_end} までです", field="valid_to")
    locked.save(update_fields=list(changes))
    record_append_many(
        entries=[
            _entry(
                locked,
                RecordAction.ENTITLEMENT_CHANGED,
                actor=actor,
                capacity=capacity,
                article=article,
                requirement=requirement,
                before=before,
                extra={"reason": reason},
            )
        ]
    )
    return locked


def _require_administrator(actor: Actor, system: System, *, pack: Pack, on: dt.date, article: str) -> Holding:
    person = getattr(actor, "person", None)
    holding = administering(person, system, pack=pack, on=on)
    if holding is None:
        raise EntitlementError(
            f"{system.name}の管理者だけが行えます", article=pack.cite(article) if article else ""
        )
    return holding


@implements("KIT-5-7")
@transaction.atomic
def entitlement_delete(
    *, entitlement: Entitlement, actor: Actor, reason: str, pack: Pack, on: dt.date | None = None
) -> Entitlement:
    """KIT-5-7: the administrator deletes a user ID or privilege judged to breach 個人情報保護法第69条
    第1項; the reason is required and recorded, and the 情報セキュリティ責任者 is told (第5条第8項)."""
    today = on or time.today()
    article, requirement = _cite(pack.parameters.access.deletion)
    line = Entitlement.objects.select_related("system", "person", "privilege").get(pk=entitlement.pk)
    holding = _require_administrator(actor, line.system, pack=pack, on=today, article=article)
    if not reason.strip():
        raise EntitlementError(
            "削除の理由を記入してください", article=pack.cite(article) if article else "", field="reason"
        )
    ended = entitlement_end(
        entitlement=line,
        actor=actor,
        state=EntitlementState.DELETED,
        reason=reason,
        capacity=holding.capacity,
        article=article,
        requirement=requirement,
    )
    _notify_officers(
        pack=pack,
        person=line.person,
        on=today,
        subject=f"【mamori】{line.system.name}の操作権限を削除しました（{line.person.name}）",
        body=f"{line.privilege.name}（ユーザID {line.user_id}）を管理ファイルから削除しました。\n理由: {reason}",
        article=article,
    )
    return ended


# --- without a request --------------------------------------------------------------------------


def _privileges(system: System, codes: Sequence[str]) -> list[Privilege]:
    found = list(Privilege.objects.filter(system=system, code__in=codes))
    unknown = sorted(set(codes) - {p.code for p in found})
    if not codes:
        raise EntitlementError("操作権限を一つ以上選んでください", field="privileges")
    if unknown:
        raise EntitlementError(f"{system.name}に無い権限です: {', '.join(unknown)}", field="privileges")
    return found


@implements("KIT-5-5")
@transaction.atomic
def entitlement_assign_directly(
    *,
    person: Person,
    system: System,
    privileges: Sequence[str],
    actor: Actor,
    pack: Pack,
    user_id: str = "",
    valid_from: dt.date | None = None,
    on: dt.date | None = None,
) -> list[Entitlement]:
    """KIT-5-5: the administrators the pack names assign privileges without a request to staff of
    the organisations in its table (別表第2), never to the excluded employments (会計年度任用職員);
    recorded with the article, and the 情報セキュリティ責任者 is told (第5条第6項)."""
    today = on or time.today()
    rule = pack.parameters.access.direct_assignment
    if rule is None:
        raise EntitlementError("この規程には申請によらない権限の指定がありません")
    cite = pack.cite(rule.article)
    person_holding = None
    acting = getattr(actor, "person", None)
    for role in rule.roles if acting is not None else ():
        # 第5条第5項: COKAS-R/ADⅡ管理者 and 中間サーバー管理者, each for the systems they administer.
        if system.administrator_role and system.administrator_role != role:
            continue
        person_holding = (
            holding_of(acting, role, on=today, pack=pack, unit=system.owner_unit)
            if acting is not None
            else None
        )
        if person_holding is not None:
            break
    if person_holding is None:
        names = "・".join(pack.role(r).name for r in rule.roles)
        raise EntitlementError(f"申請によらない指定は{names}が行います（{system.name}）", article=cite)
    if person.employment == Employment.CONTRACTOR:
        # KIT-2: maintenance staff are not システム使用者; they are registered under a contract (KIT-5-9).
        maintenance = pack.parameters.access.maintenance
        raise EntitlementError(
            f"{person.name}は保守要員です。保守契約に基づいて登録してください",
            article=pack.cite(maintenance.article) if maintenance else cite,
            field="person",
        )
    if person.employment in rule.excluded_employments:
        raise EntitlementError(
            f"{person.name}は{Employment(person.employment).label}のため、申請によらない指定はできません",
            article=cite,
            field="person",
        )
    table = next((t for t in pack.tables if t.id == rule.table), None)
    unit = person_unit(person, today)
    if table is None or table_row_for(unit, table) is None:
        where = unit.name if unit else "所属なし"
        title = table.title if table else rule.table
        raise EntitlementError(
            f"{person.name}（{where}）は{title}に掲げる組織に属していません", article=cite, field="person"
        )
    lines, entries = _create_lines(
        person=person,
        system=system,
        privileges=_privileges(system, privileges),
        user_id=user_id or person.staff_number,
        valid_from=valid_from or today,
        valid_to=validity_end(person),
        actor=actor,
        capacity=person_holding.capacity,
        article=rule.article,
        requirement=rule.requirement or "",
        basis=EntitlementBasis.DIRECT,
    )
    record_append_many(entries=entries)
    if lines:
        _notify_officers(
            pack=pack,
            person=person,
            on=today,
            subject=f"【mamori】{system.name}の操作権限を指定しました（{person.name}）",
            body="、".join(line.privilege.name for line in lines)
            + f"（ユーザID {lines[0].user_id}）を管理ファイルに登録しました。",
            article=rule.article,
        )
    return lines


@implements("KIT-5-9")
@transaction.atomic
def maintenance_entitlement_register(
    *,
    person: Person,
    system: System,
    privileges: Sequence[str],
    contract: MaintenanceContract,
    valid_to: dt.date,
    actor: Actor,
    pack: Pack,
    user_id: str = "",
    valid_from: dt.date | None = None,
    on: dt.date | None = None,
) -> list[Entitlement]:
    """KIT-5-9: the administrator registers a maintenance staff member's ID and privileges, tied to a
    contract and ending no later than the contract."""
    today = on or time.today()
    article, requirement = _cite(pack.parameters.access.maintenance)
    cite = pack.cite(article) if article else ""
    holding = _require_administrator(actor, system, pack=pack, on=today, article=article)
    if person.employment != Employment.CONTRACTOR:
        raise EntitlementError(
            f"{person.name}は保守要員（委託事業者職員）ではありません", article=cite, field="person"
        )
    if valid_to is None:
        raise EntitlementError("保守要員の権限には終了日が必要です", article=cite, field="valid_to")
    if valid_to > contract.end:
        raise EntitlementError(
            f"終了日 {valid_to} が契約 {contract.number} の終了日 {contract.end} を過ぎています",
            article=cite,
            field="valid_to",
        )
    start = valid_from or today
    if start < contract.start or valid_to < start:
        raise EntitlementError(
            f"有効期間が契約期間（{contract.start}〜{contract.end}）に収まりません",
            article=cite,
            field="valid_from",
        )
    if contract.systems.exists() and not contract.systems.filter(pk=system.pk).exists():
        raise EntitlementError(
            f"契約 {contract.number} は{system.name}の保守契約ではありません", article=cite, field="system"
        )
    lines, entries = _create_lines(
        person=person,
        system=system,
        privileges=_privileges(system, privileges),
        user_id=user_id or person.staff_number,
        valid_from=start,
        valid_to=valid_to,
        actor=actor,
        capacity=holding.capacity,
        article=article,
        requirement=requirement,
        basis=EntitlementBasis.MAINTENANCE,
        contract=contract,
    )
    record_append_many(entries=entries)
    return lines


@transaction.atomic
def contract_register(
    *,
    number: str,
    company: str,
    start: dt.date,
    end: dt.date,
    actor: Actor,
    title: str = "",
    systems: Sequence[System] = (),
    pack: Pack | None = None,
) -> MaintenanceContract:
    """KIT-5-9: a maintenance contract, the basis of maintenance staff's IDs."""
    article, requirement = _cite(pack.parameters.access.maintenance if pack else None)
    require(
        actor,
        "access.register_contract",
        message="保守契約はシステムの管理者が登録します",
        article=pack.cite(article) if pack and article else "",
    )
    if not number.strip():
        raise EntitlementError("契約番号を入力してください", field="number")
    if end < start:
        raise EntitlementError("契約終了日が契約開始日より前です", field="end")
    if MaintenanceContract.objects.filter(number=number).exists():
        raise EntitlementError(f"契約番号 {number} は登録済みです", field="number")
    contract = MaintenanceContract.objects.create(
        number=number, company=company, title=title, start=start, end=end
    )
    contract.systems.set(systems)
    record_append_many(
        entries=[
            Entry(
                action=RecordAction.CONTRACT_REGISTERED,
                object_type="access.MaintenanceContract",
                object_id=str(contract.pk),
                actor=actor,
                after={**snapshot(contract), "systems": [s.code for s in systems]},
                article=article,
                requirement=requirement,
                retention_class="access",
            )
        ]
    )
    return contract


# --- registrations that come before ------------------------------------------------------------


@implements("KIT-5-3")
@transaction.atomic
def user_registration_record(
    *, person: Person, registered_on: dt.date, actor: Actor, pack: Pack, reference: str = ""
) -> UserRegistration:
    """KIT-5-3: record that the person's user-information registration (利用者情報登録) is done, so
    that privilege requests for them can be accepted."""
    article, requirement = _cite(pack.parameters.access.user_registration)
    require(
        actor,
        "access.record_user_registration",
        message="利用者情報登録はシステムの管理者が記録します",
        article=pack.cite(article) if article else "",
    )
    registration = UserRegistration.objects.create(
        person=person,
        registered_on=registered_on,
        reference=reference,
        recorded_by=signed_in(actor, doing="利用者情報登録の記録"),
        recorded_at=time.now(),
    )
    record_append_many(
        entries=[
            Entry(
                action=RecordAction.USER_REGISTRATION_RECORDED,
                object_type="access.UserRegistration",
                object_id=str(registration.pk),
                actor=actor,
                after=snapshot(registration),
                article=article,
                requirement=requirement,
                retention_class="access",
            )
        ]
    )
    return registration


@implements("KIT-6")
@transaction.atomic
def biometric_registration_record(
    *,
    person: Person,
    system: System,
    place: str,
    registered_on: dt.date,
    actor: Actor,
    pack: Pack,
    on: dt.date | None = None,
) -> tuple[BiometricRegistration, list[Entitlement]]:
    """KIT-6 (第6条第4項): record the biometric registration at the designated place; the person's
    pending terminal privileges on the system become active with it."""
    today = on or time.today()
    article, requirement = _cite(pack.parameters.access.biometric)
    holding = _require_administrator(actor, system, pack=pack, on=today, article=article)
    if not place.strip():
        raise EntitlementError(
            "登録場所を入力してください", article=pack.cite(article) if article else "", field="place"
        )
    registration = BiometricRegistration.objects.create(
        person=person,
        system=system,
        place=place,
        registered_on=registered_on,
        recorded_by=signed_in(actor, doing="生体情報登録の記録"),
        recorded_at=time.now(),
    )
    pending = list(
        Entitlement.objects.select_for_update().filter(
            person=person, system=system, state=EntitlementState.PENDING
        )
    )
    entries = [
        Entry(
            action=RecordAction.BIOMETRIC_RECORDED,
            object_type="access.BiometricRegistration",
            object_id=str(registration.pk),
            actor=actor,
            capacity=holding.capacity,
            after=snapshot(registration),
            article=article,
            requirement=requirement,
            retention_class="access",
        )
    ]
    for line in pending:
        before = snapshot(line, ENTITLEMENT_FIELDS)
        line.state = EntitlementState.ACTIVE
        entries.append(
            _entry(
                line,
                RecordAction.ENTITLEMENT_ACTIVATED,
                actor=actor,
                capacity=holding.capacity,
                article=article,
                requirement=requirement,
                before=before,
                extra={"biometric_registration": registration.pk},
            )
        )
    Entitlement.objects.bulk_update(pending, ["state"])
    record_append_many(entries=entries)
    return registration, pending


# --- KIT-7 expiry -----------------------------------------------------------------------------


@implements("KIT-7")
@transaction.atomic
def entitlements_expire(*, on: dt.date | None = None, pack: Pack, actor: Actor = None) -> list[Entitlement]:
    """KIT-7: every open line whose validity (or its holder's appointment term) ended before ``on``
    expires; run daily by ``mamori access expire``.  Running it twice expires nothing the second time."""
    today = on or time.today()
    article, requirement = _cite(pack.parameters.access.term_expiry)
    due = list(
        Entitlement.objects.select_for_update()
        .filter(state__in=OPEN_STATES)
        .filter(Q(valid_to__lt=today) | Q(person__term_end__lt=today))
        .select_related("person")
        .order_by("pk")
    )
    if not due:
        return []
    reasons: dict[str, list[Entitlement]] = {}
    for line in due:
        term_end = line.person.term_end
        if term_end is not None and term_end < today and (line.valid_to is None or term_end <= line.valid_to):
            reasons.setdefault(f"任用期間の満了（{term_end}まで）", []).append(line)
        else:
            reasons.setdefault(f"有効期間の満了（{line.valid_to}まで）", []).append(line)
    entries: list[Entry] = []
    for reason, lines in reasons.items():
        _, more = _end_lines(
            lines,
            state=EntitlementState.EXPIRED,
            actor=actor,
            reason=reason,
            capacity="",
            article=article,
            requirement=requirement,
        )
        entries += more
    record_append_many(entries=entries)
    return due

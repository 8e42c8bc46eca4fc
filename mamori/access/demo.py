"""The access part of the demo municipality: administrators and flags on the systems, a two-factor
system, lines of the management file made every way the pack allows, privilege requests in every
state, a fixed-term person whose term ended the day before yesterday (expired by the job, and the ID still used
afterwards: a KIT-7 finding) and a pending transfer proposal (KIT-5-5).  All through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mamori.access.models import Entitlement
from mamori.access.services import (
    EntitlementError,
    contract_register,
    entitlement_assign_directly,
    entitlement_delete,
    entitlements_expire,
    maintenance_entitlement_register,
    user_registration_record,
)
from mamori.access.transfers import Proposed, proposed_revocations, revocation_proposals_open
from mamori.core import time
from mamori.events.services import event_source_save, events_ingest
from mamori.organisation.models import Employment, Person
from mamori.organisation.plans import Change, ChangeKind, ImportPlan, Position
from mamori.organisation.roles import holders_of, primary_unit
from mamori.systems.models import System
from mamori.systems.services import system_register, system_update
from mamori.workflows.demo import account_for, decide_all
from mamori.workflows.models import Decision, RequestState
from mamori.workflows.services import WorkflowError, request_file, request_withdraw


def _roles(city: Any) -> set[str]:
    return {r.code for r in city.pack.roles}


def _set_up_systems(city: Any, admin: Any) -> System | None:
    """Administrator roles and flags from the pack; a two-factor system where the pack has one."""
    pack, roles = city.pack, _roles(city)
    flags = {f.code for f in pack.parameters.access.system_flags}
    for system in System.objects.filter(code__startswith="SYS"):
        changes: dict[str, Any] = {}
        if system.code == "SYS90" and "individual_system_manager" in roles:
            changes["administrator_role"] = "individual_system_manager"
            changes["flags"] = ["individual"] if "individual" in flags else []
        elif system.code != "SYS90" and "cokas_manager" in roles:
            changes["administrator_role"] = "cokas_manager"
            changes["flags"] = ["cokas"] if "cokas" in flags else []
        if changes:
            system_update(system=system, changes=changes, actor=admin, pack=pack)
    if "two_factor_manager" not in roles:
        return None
    return system_register(
        code="TFA",
        name="二要素認証システム",
        owner_unit=city.units["231"],
        category="二要素認証",
        administrator_role="two_factor_manager",
        flags=["two_factor"] if "two_factor" in flags else [],
        handles_personal_information=True,
        actor=admin,
        pack=pack,
        privileges=[("terminal", "個人番号利用事務系端末の使用")],
    )


def _file(actor: Any, kind: str, payload: dict[str, Any], on: dt.date):
    try:
        return request_file(kind=kind, actor=actor, payload=payload, on=on)
    except WorkflowError:
        return None


def _filer(city: Any, kind: str, person: Person, on: dt.date) -> Any:
    chain = city.pack.chain(kind)
    if not chain.filed_by:
        return None
    holders = holders_of(chain.filed_by[0], on=on, pack=city.pack, unit=primary_unit(person, on=on))
    return account_for(city, holders[0].person) if holders else None


def populate(city: Any, *, on: dt.date) -> str:
    pack = city.pack
    if not any(c.kind == "access.privilege" for c in pack.chains):
        return ""
    admin = city.accounts["admin"][0]
    approver = city.accounts["kacho.joho"][0]
    requester = city.accounts["bucho.shimin"][0]
    rules = pack.parameters.access
    two_factor = _set_up_systems(city, admin)
    made: dict[str, int] = {}

    def plan(request, outcome: str) -> None:
        if request is None:
            return
        made[outcome] = made.get(outcome, 0) + 1
        if outcome == "approved":
            decide_all(request, on=on, pack=pack, city=city)
        elif outcome in ("returned", "rejected"):
            final = Decision.Action.RETURN if outcome == "returned" else Decision.Action.REJECT
            decide_all(request, on=on, pack=pack, city=city, final=final)
        elif outcome == "withdrawn":
            request_withdraw(request=request, actor=request.filed_by, comment="申請内容を見直します。")

    hoken, nishi = city.staff["320"], city.staff["330"]
    grant = {"action": "grant", "system": "SYS02", "valid_from": on.isoformat(), "reason": "窓口業務のため"}

    def ask(person: Person, outcome: str, kind: str = "access.privilege", **payload: Any) -> None:
        """File for ``person`` as the role the chain names (their 情報セキュリティ責任者)."""
        plan(
            _file(
                _filer(city, kind, person, on) or requester,
                kind,
                {**grant, "person": person.staff_number, **payload},
                on,
            ),
            outcome,
        )

    ask(hoken[0], "approved", privileges=["view", "update"])
    ask(hoken[1], "approved", privileges=["view"])
    ask(nishi[0], "submitted", privileges=["view"])
    ask(nishi[1], "rejected", privileges=["admin"])
    ask(nishi[0], "returned", system="SYS03", privileges=["view"])
    ask(hoken[1], "withdrawn", system="SYS03", privileges=["view"])
    # A change (to the wanted set) and a revocation of what was just granted.
    ask(hoken[0], "approved", action="change", privileges=["view"])
    ask(hoken[1], "approved", action="revoke", privileges=["view"], reason="担当替え")

    # KIT-5-3: a 会計年度任用職員 registered first, then granted.
    fixed_term = hoken[-1]
    if rules.user_registration is not None and fixed_term.employment in rules.user_registration.employments:
        user_registration_record(
            person=fixed_term, registered_on=on, actor=approver, pack=pack, reference="利用-デモ-1"
        )
    ask(fixed_term, "approved", privileges=["view"])

    # KIT-6: a terminal privilege waiting for the biometric registration.
    if two_factor is not None:
        ask(hoken[0], "approved", kind="access.terminal_privilege", system="TFA", privileges=["terminal"])

    # KIT-5-5: direct assignment to staff of a 別表第2 organisation; KIT-5-7: one deleted with its reason.
    direct = []
    if rules.direct_assignment is not None:
        for person in city.staff["231"]:
            try:
                direct += entitlement_assign_directly(
                    person=person, system=System.objects.get(code="SYS01"), privileges=["view", "update"],
                    actor=approver, pack=pack, on=on,
                )  # fmt: skip
            except EntitlementError:
                continue
    if direct and rules.deletion is not None:
        entitlement_delete(
            entitlement=direct[-1], actor=approver, pack=pack, on=on,
            reason="業務と関係のない照会が確認されたため（個人情報保護法第69条第1項）",
        )  # fmt: skip

    # KIT-5-9: the maintenance company's engineer under this year's contract.
    vendor = Person.objects.filter(employment=Employment.CONTRACTOR).first()
    if vendor is not None and rules.maintenance is not None:
        end = time.fiscal_year_end(time.fiscal_year(on))
        contract = contract_register(
            number=f"R{time.fiscal_year(on) - 2018}-保守-001", company=vendor.company or "保守事業者",
            title="住民情報システム保守業務委託", start=time.fiscal_year_start(time.fiscal_year(on)), end=end,
            systems=list(System.objects.filter(code__in=["SYS01", "SYS02"])), actor=approver, pack=pack,
        )  # fmt: skip
        maintenance_entitlement_register(
            person=vendor, system=System.objects.get(code="SYS01"), privileges=["admin"], contract=contract,
            valid_to=end, actor=approver, pack=pack, on=on, user_id="M-" + vendor.staff_number,
        )  # fmt: skip

    expired = _term_ended_before_yesterday(city, requester, approver, on)
    proposals = _transfer_proposal(city, on, admin)
    states = "、".join(f"{RequestState(k).label} {v}" for k, v in made.items()) or "なし"
    total = Entitlement.objects.count()
    return (
        f"管理ファイル {total} 行（申請: {states}; 期間満了 {expired} 行; 異動による解除提案 {proposals} 件）"
    )


def _term_ended_before_yesterday(city: Any, requester: Any, approver: Any, on: dt.date) -> int:
    """KIT-7: a 会計年度任用職員 whose term ended the day before yesterday; the daily job expires their
    line, and their ID used yesterday becomes a finding.  (Yesterday, not this morning: the demo may be
    built before the working day has begun, and holds nothing after the moment it is built.)"""
    pack = city.pack
    person = city.staff["410"][-1]  # 福祉課の会計年度任用職員
    ended = on - dt.timedelta(days=2)
    start = max(person.term_start or ended, ended - dt.timedelta(days=30))
    # Demo data only: the appointment (of the 年度 it fell in) is shortened so that it ended the day
    # before yesterday.
    Person.objects.filter(pk=person.pk).update(
        term_start=min(person.term_start or ended, time.fiscal_year_start(time.fiscal_year(ended))),
        term_end=ended,
    )
    person.refresh_from_db()
    rule = pack.parameters.access.user_registration
    if rule is not None and person.employment in rule.employments:
        user_registration_record(person=person, registered_on=start, actor=approver, pack=pack)
    officer = account_for(city, city.heads["400"])  # 福祉部長: the 情報セキュリティ責任者 of 福祉部
    request = _file(officer, "access.privilege", {"action": "grant", "person": person.staff_number, "system": "SYS01",
                                                  "privileges": ["view"], "user_id": f"K{person.staff_number}",
                                                  "valid_from": start.isoformat()}, start)  # fmt: skip
    if request is None:
        return 0
    decide_all(request, on=start, pack=pack, city=city)
    expired = entitlements_expire(on=on, pack=pack, actor=None)
    _used_after_expiry(f"K{person.staff_number}", on - dt.timedelta(days=1))
    return len(expired)


def _used_after_expiry(account: str, on: dt.date) -> None:
    """The operation log of ``on`` (a day after the line ended) still shows the expired ID."""
    source = event_source_save(
        code="demo-sys01",
        name="住民記録 操作ログ（デモ）",
        format="csv",
        system="SYS01",
        mapping={
            "at": "日時",
            "account": "利用者ID",
            "action": "操作",
            "subject": "対象",
            "default_kind": "search",
        },
    )
    rows = ["日時,利用者ID,操作,対象"] + [
        f"{on.isoformat()} {hour:02d}:{minute:02d}:00,{account},照会,{100200 + hour}"
        for hour, minute in ((8, 50), (9, 5))
    ]
    events_ingest(source=source, data=("\n".join(rows) + "\n").encode(), file_name=f"sys01_{on:%Y%m%d}.csv")


def _transfer_proposal(city: Any, on: dt.date, admin: Any) -> int:
    """KIT-5-5: next 4月1日's transfer moves a member of 情報システム課 to 福祉課; the preview proposed
    revoking their lines, waiting for the administrator."""
    rule = city.pack.parameters.access.direct_assignment
    if rule is None:
        return 0
    mover = city.staff["231"][0]
    april = dt.date(time.fiscal_year(on) + 1, 4, 1)
    plan = ImportPlan(
        target="staff",
        file="staff_20270401.csv",
        encoding="utf-8",
        effective=april,
        changes=[
            Change(
                kind=ChangeKind.MOVED, line=2, staff_number=mover.staff_number, name=mover.name, field="所属",
                old=Position("231", "情報システム課", title="主査"), new=Position("410", "福祉課", title="主査"),
                effective=april, detail="旧配置は3月31日まで",
            )
        ],
    )  # fmt: skip
    proposed: list[Proposed] = proposed_revocations(plan)
    return len(revocation_proposals_open(proposed=proposed, actor=admin, pack=city.pack))

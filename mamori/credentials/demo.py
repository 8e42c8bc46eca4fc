"""The demo city's passwords, IDs and viewing-ID loans — only what the active pack provides for:
temporary passwords (one past its change deadline: a finding), a maintenance password, a pending
別記様式2 request, viewing IDs with a loan from yesterday still out (a finding), and MAI-23 IDs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mamori.accounts.models import User
from mamori.accounts.services import account_create
from mamori.core import time
from mamori.organisation.models import Employment, Person
from mamori.organisation.roles import holders_of, primary_unit
from mamori.systems.models import System
from mamori.workflows.services import WorkflowError, request_file

from .loans import loan_lend, loan_return, viewing_id_register
from .operator_ids import operator_id_issue
from .services import CredentialError, credential_change_confirm, credential_issue_temporary


def _account(person: Person) -> User:
    user = User.objects.filter(person=person).first()
    if user is None:
        user, _ = account_create(username=f"demo{person.staff_number}", person=person, actor=None)
    return user


def _holder(pack: Any, codes: list[str], *, on: dt.date, unit: Any) -> User | None:
    for code in codes:
        holders = holders_of(code, on=on, pack=pack, unit=unit)
        if holders:
            return _account(holders[0].person)
    return None


def populate(city: Any, *, on: dt.date) -> str:
    pack = city.pack
    done: list[str] = []
    rules = pack.parameters.managed_passwords
    system = System.objects.select_related("owner_unit").order_by("code").first()
    staff = city.staff["310"]
    if system is not None and rules.issued_by:
        terminal = "" if rules.secret == "password" and rules.change_days else "SHIMIN-01"
        target = None if terminal else system
        unit = system.owner_unit if target is not None else primary_unit(staff[0], on=on)
        issuer = _holder(pack, rules.issued_by, on=on, unit=unit)
        if issuer is not None:
            # Issued ten days ago and never changed: past a 7-day deadline, so a finding (KIT-8-2).
            ten_days_ago = on - dt.timedelta(days=10)
            with time.as_of(min(time.at(ten_days_ago, 10), time.now())):
                credential_issue_temporary(
                    person=staff[0], system=target, terminal=terminal, actor=issuer, on=ten_days_ago
                )
            changed = credential_issue_temporary(
                person=staff[1], system=target, terminal=terminal, actor=issuer, on=on
            )
            if rules.change_days:
                credential_change_confirm(credential=changed.credential, actor=issuer, on=on)
            count = 2
            vendor = Person.objects.filter(employment=Employment.CONTRACTOR).first()
            if vendor is not None and rules.maintenance_article and target is not None:
                credential_issue_temporary(person=vendor, system=target, actor=issuer, on=on)  # KIT-8-8
                count += 1
            done.append(f"パスワード{count}件（うち変更期限切れ{1 if rules.change_days else 0}件）")
    if "access.password" in {c.kind for c in pack.chains} and system is not None:
        applicant = city.accounts.get("shokuin", (None,))[0]
        if applicant is not None:
            try:
                request_file(kind="access.password", actor=applicant, on=on, payload={"system": system.code})
                done.append("パスワード申請1件")
            except WorkflowError:
                pass

    viewing = pack.parameters.viewing_ids
    if viewing is not None:
        unit = city.units["310"]
        lender = _holder(pack, viewing.lent_by, on=on, unit=unit)
        if lender is not None:
            first = viewing_id_register(
                code="ETSURAN-310-1", unit=unit, terminal="市民課窓口1", actor=lender, on=on
            )
            second = viewing_id_register(
                code="ETSURAN-310-2", unit=unit, terminal="市民課窓口2", actor=lender, on=on
            )
            yesterday = dt.datetime.combine(on - dt.timedelta(days=1), dt.time(10, 30), tzinfo=time.TOKYO)
            # Lent yesterday and not returned: a finding (KIT-11).
            loan_lend(
                viewing_id=first,
                viewer=city.staff["410"][0],
                actor=lender,
                purpose="福祉手当の資格確認",
                lent_at=yesterday,
                on=on,
            )
            returned = loan_lend(
                viewing_id=second, viewer=city.staff["510"][0], actor=lender, purpose="課税資料の照合", on=on
            )
            loan_return(loan=returned, actor=lender, on=on)
            done.append("閲覧用ID 2件（前日から未返却1件）")

    if pack.parameters.operator_ids is not None and system is not None:
        manager = _holder(pack, pack.parameters.operator_ids.issued_by, on=on, unit=None)
        if manager is not None:
            try:
                for person in staff[:2]:
                    operator_id_issue(
                        person=person,
                        system=system,
                        privileges=list(system.privileges.filter(code="view")),
                        actor=manager,
                        on=on,
                    )
                done.append("照合ID・操作者ID 2件")
            except CredentialError:
                pass
    return "パスワード・ID: " + ("、".join(done) if done else "この規程に定めなし")

"""Requests in every state for the demo, filed and decided through the real engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mamori.accounts.models import User
from mamori.core import time
from mamori.organisation.models import Employment, Person
from mamori.organisation.roles import holders_of
from mamori.organisation.services import absence_register
from mamori.regulations.schema import Chain, Pack
from mamori.systems.models import Privilege, System
from mamori.workflows.demo import account_for, decide_all
from mamori.workflows.models import Decision
from mamori.workflows.payloads import payload_schema
from mamori.workflows.services import WorkflowError, request_file, request_withdraw

from .city import City


def _sample_payload(chain: Chain, pack: Pack, city: City, on: dt.date) -> dict[str, Any]:
    """A filled-in form of the chain's payload schema (the pack form, the handler's or 申請の内容)."""
    system = System.objects.order_by("code").values_list("code", flat=True).first()
    samples: dict[str, Any] = {
        "date": (on + dt.timedelta(days=14)).isoformat(),
        "datetime": f"{(on + dt.timedelta(days=14)).isoformat()}T10:00",
        "number": 1,
        "unit": city.units["310"].code,
        "person": city.staff["310"][0].staff_number,
        "system": system,
    }
    payload: dict[str, Any] = {}
    for field in payload_schema(pack, chain).fields:
        if field.type == "choice" and field.choices:
            payload[field.name] = field.choices[0]
        elif field.type in samples:
            payload[field.name] = samples[field.type]
        elif field.name == "privileges" and system is not None:
            payload[field.name] = list(
                Privilege.objects.filter(system__code=system).values_list("code", flat=True)[:1]
            )
        elif field.required:
            payload[field.name] = f"（例）{field.label}"
    if chain.lead_time is not None:
        payload[chain.lead_time.date_field] = (on + dt.timedelta(days=chain.lead_time.days + 7)).isoformat()
    return {name: value for name, value in payload.items() if value is not None}


def _filer(chain: Chain, pack: Pack, city: City, on: dt.date, *, for_unit: str = "310") -> Person:
    """Who files the chain's requests: a holder of its ``filed_by`` role, preferably the one whose
    scope covers ``for_unit`` (KIT-5-2: the officer files for their own organisation's staff)."""
    if chain.filed_by:
        unit = city.units.get(for_unit)
        for code in chain.filed_by:
            holders = holders_of(code, on=on, pack=pack, unit=unit) or holders_of(code, on=on, pack=pack)
            if holders:
                return holders[0].person
    return city.staff[for_unit][0]


# The helpers the domains' demo steps share (kept under their old names for the tests).
_account_for, _decide_all = account_for, decide_all


def file_demo_requests(city: City, *, on: dt.date) -> int:
    """File requests of the pack's chains and take them to different states."""
    pack = city.pack
    filed = 0
    if any(c.kind == "access.privilege" for c in pack.chains):
        filed += _privilege_requests(city, pack, on)
    plans = ["pending", "approved", "returned", "rejected", "withdrawn"]
    for index, chain in enumerate(c for c in pack.chains if c.kind != "access.privilege"):
        person = _filer(chain, pack, city, on)
        actor = _account_for(city, person)
        try:
            request = request_file(
                kind=chain.kind,
                actor=actor,
                payload=_sample_payload(chain, pack, city, on),
                title=f"{chain.title}（デモ）",
                on=on,
            )
        except WorkflowError:
            continue
        filed += 1
        plan = plans[index % len(plans)]
        if plan == "approved":
            _decide_all(request, on=on, pack=pack, city=city)
        elif plan == "returned":
            _decide_all(request, on=on, pack=pack, city=city, final=Decision.Action.RETURN)
        elif plan == "rejected":
            _decide_all(request, on=on, pack=pack, city=city, final=Decision.Action.REJECT)
        elif plan == "withdrawn":
            request_withdraw(request=request, actor=actor, comment="申請内容を見直します。")
    return filed


def _privilege_requests(city: City, pack: Pack, on: dt.date) -> int:
    chain = next(c for c in pack.chains if c.kind == "access.privilege")
    # The person the pack says files it (北見市: the 情報セキュリティ責任者; 舞鶴市: the セキュリティ責任者).
    requester = (
        _account_for(city, _filer(chain, pack, city, on))
        if chain.filed_by
        else city.accounts["bucho.shimin"][0]
    )
    system = System.objects.order_by("code").first()
    privileges = list(Privilege.objects.filter(system=system).values_list("code", flat=True))
    # Regular staff only: a 会計年度任用職員 needs the user-information registration first (KIT-5-3),
    # which the access domain's demo shows on its own.
    staff = [
        p for code in ("310", "320") for p in city.staff.get(code, []) if p.employment == Employment.REGULAR
    ]
    cases = [
        (staff[0], ["view"], "approved"),
        (staff[1], ["view", "update"], "pending"),
        (staff[2], ["view"], "returned"),
        (city.heads["310"], privileges[-1:], "rejected"),
    ]
    for person, codes, plan in cases:
        request = request_file(
            kind="access.privilege",
            actor=requester,
            on=on,
            payload={
                "action": "grant",
                "person": person.staff_number,
                "system": system.code,
                "privileges": codes,
                "user_id": f"U{person.staff_number}",
                "valid_from": on.isoformat(),
                "reason": "窓口業務に従事するため",
            },
        )
        if plan == "approved":
            _decide_all(request, on=on, pack=pack, city=city)
        elif plan == "returned":
            _decide_all(request, on=on, pack=pack, city=city, final=Decision.Action.RETURN)
        elif plan == "rejected":
            _decide_all(request, on=on, pack=pack, city=city, final=Decision.Action.REJECT)
    return len(cases)


def plant_findings(city: City, *, on: dt.date) -> None:
    """Two things for the rules to find: a head of section away with no deputy named, and a
    temporary password issued ten days ago and never changed (KIT-8-2)."""
    head = city.heads["410"]
    absence_register(person=head, start=on, end=on + dt.timedelta(days=14), reason="病気休暇", actor=None)
    user = city.accounts["shinjin"][0]
    # Demo data only: the account was created just now; its temporary password is dated back.
    User.objects.filter(pk=user.pk).update(password_changed_at=time.now() - dt.timedelta(days=10))

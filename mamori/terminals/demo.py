"""The demo's terminals: two per section, their designated operators (where the pack designates them),
off-hours requests, and a month of operation events ingested through the events app, with planted
violations that the rules of mamori/events/rules.py find — each where the pack has the rule:

- 時間外: a Saturday session without approval (YAN-13-1, FUK-18-4);
- 指定外: a member of staff at a colleague's terminal (YAN-12-3, FUK-18-2);
- 同時使用: one user ID logged on at two terminals at once (YAN-12-5);
- 大量抽出: an extraction of thousands of rows and a day of 80 residents looked up (MAI-21-4, KIT-10);
- 研修: use marked as training (KIT-10);
- 権限外: a system used with no entitlement (KIT-10, MAI-3)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.db.models import Q

from mamori.access.models import Entitlement, EntitlementState
from mamori.core import time
from mamori.designations.services import (
    DesignationError,
    designation_add,
    designations_report,
    designators_of,
    terminal_rule,
)
from mamori.organisation.models import Person
from mamori.systems.models import System
from mamori.workflows.demo import account_for, decide_all
from mamori.workflows.services import WorkflowError, request_file

from .eventgen import Row, Worker, at, session, store_events, working_month
from .models import Terminal
from .services import terminal_register

LOCATIONS = ("窓口", "事務室")


def _systems_for(unit_name: str, systems: list[System]) -> list[System]:
    words = {
        "市民": ("住民", "住基"),
        "保険": ("国民健康保険", "国保"),
        "税": ("税",),
        "介護": ("介護",),
        "福祉": ("福祉", "介護"),
        "財政": ("財務",),
    }
    wanted = next((w for key, w in words.items() if key in unit_name), ())
    chosen = [s for s in systems if any(word in s.name for word in wanted)]
    return chosen or [s for s in systems if s.category != "基幹"][:1] or systems[:1]


def _last_working_saturday(on: dt.date) -> dt.date:
    day = on - dt.timedelta(days=1)
    while day.weekday() != 5:
        day -= dt.timedelta(days=1)
    return day


def _working_day_before(on: dt.date, pack, back: int) -> dt.date:
    return time.add_working_days(on, -back, pack.parameters.calendar.closures)


def populate(city: Any, *, on: dt.date) -> str:
    pack = city.pack
    admin = city.accounts["admin"][0]
    systems = list(System.objects.order_by("code"))
    terminals: dict[str, list[Terminal]] = {}
    for code in city.staff:
        unit = city.units[code]
        terminals[code] = [
            terminal_register(
                host_name=f"MIDORI-{code}-{n:02d}",
                unit=unit,
                location=f"{unit.name}{LOCATIONS[n - 1]}",
                systems=_systems_for(unit.name, systems),
                active_from=dt.date(on.year - 1, 4, 1),
                actor=admin,
            )
            for n in (1, 2)
        ]

    # Operators: each member of staff at one of the section's two terminals.
    designated = 0
    rule = terminal_rule(pack)
    since = on - dt.timedelta(days=60)
    seat: dict[int, Terminal] = {}
    idle: set[str] = set()
    for code, staff in city.staff.items():
        for index, person in enumerate(staff):
            seat[person.pk] = terminals[code][index % 2]
        if rule is None:
            continue
        holders = designators_of(rule, unit=city.units[code], on=on, pack=pack)
        if not holders:
            # Nobody can designate this section's operators (the post is vacant or away): its
            # terminals stay unused in the demo rather than swell the findings.
            idle.update(t.host_name for t in terminals[code])
            continue
        for person in staff:
            try:
                designation_add(
                    kind=rule.kind,
                    terminal=seat[person.pk],
                    person=person,
                    valid_from=since,
                    actor=admin,
                    designator=holders[0].person,
                    on=on,
                )
                designated += 1
            except DesignationError:
                continue
        if rule.report_form and code != "410":  # 福祉課 has not reported yet
            with contextlib.suppress(DesignationError):
                designations_report(kind=rule.kind, unit=city.units[code], actor=admin, on=on)

    # Who uses which system: what the management file entitles them to.
    entitled: dict[int, str] = {}
    month_ago = on - dt.timedelta(days=31)
    held = Entitlement.objects.filter(state=EntitlementState.ACTIVE, valid_from__lte=month_ago).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    for person_id, code in held.values_list("person_id", "system__code"):
        entitled.setdefault(person_id, code)
    needs_entitlement = pack.parameters.monitoring.entitlement_required is not None
    people = {p.pk: p for staff in city.staff.values() for p in staff}
    workers: list[Worker] = []
    for person_id, person in people.items():
        terminal = seat[person_id]
        system = entitled.get(person_id, "")
        if not system and not needs_entitlement:
            reachable = [s for s in terminal.systems.all() if not s.handles_identity_information]
            system = reachable[0].code if reachable else ""
        workers.append(Worker(account=person.staff_number, host=terminal.host_name, system=system))
    rows: list[Row] = [
        r
        for r in working_month(workers, until=on, days=30, closures=pack.parameters.calendar.closures)
        if r.system or r.kind in ("logon", "logoff", "lock", "unlock")
    ]
    rows += _planted(city, on, seat, workers, pack)
    rows = [row for row in rows if row.host not in idle]
    stored = store_events(rows, actor=admin, file_name=f"demo-{on.isoformat()}.jsonl")
    requests = _off_hours_requests(city, on, seat)
    return (
        f"端末機 {sum(len(t) for t in terminals.values())}台・操作員の指定 {designated}件・"
        f"時間外使用の申請 {requests}件・操作記録 {stored}件（違反の例を含む）"
    )


def _planted(city: Any, on: dt.date, seat: dict[int, Terminal], workers: list[Worker], pack) -> list[Row]:
    shimin = city.staff["310"]
    zeimu = city.staff["510"]
    a, b = shimin[0], shimin[1]
    host_a, host_b = seat[a.pk].host_name, seat[b.pk].host_name
    default = next((w.system for w in workers if w.system), "SYS01")
    own = {w.account: w.system for w in workers}

    def system_of(person: Person) -> str:
        """The person's own system, so that only the deliberate case below is a use without entitlement."""
        return own.get(person.staff_number, "")

    saturday = _last_working_saturday(on)
    weekday = _working_day_before(on, pack, 3)
    earlier = _working_day_before(on, pack, 6)
    rows: list[Row] = []
    # 時間外: a Saturday morning at the counter terminal, no request filed.
    rows += session(a.staff_number, host_a, saturday, "09:40", "12:15", "0xsat01")
    rows += [
        Row(
            at(saturday, "10:05"),
            "search",
            a.staff_number,
            host=host_a,
            system=system_of(a),
            subject="A000123",
            action="照会",
            result_count=1,
        )
    ]
    # 指定外: the section head, not designated, signs on at a's counter terminal.
    rows += session(city.heads["310"].staff_number, host_a, weekday, "13:10", "14:00", "0xswap01")
    # 同時使用: one ID on two terminals at once (someone used b's password).
    rows += session(b.staff_number, host_b, earlier, "09:00", "12:00", "0xdup01")
    rows += session(b.staff_number, seat[zeimu[0].pk].host_name, earlier, "10:15", "10:50", "0xdup02")
    # 大量抽出: 4,800 rows at once, and 80 residents looked up in one afternoon.
    c = zeimu[1]
    rows.append(
        Row(
            at(weekday, "15:30"),
            "extract",
            c.staff_number,
            host=seat[c.pk].host_name,
            system=system_of(c),
            action="一括抽出",
            result_count=4800,
        )
    )
    rows += [
        Row(
            at(weekday, "13:00") + dt.timedelta(minutes=2 * i),
            "search",
            c.staff_number,
            host=seat[c.pk].host_name,
            system=system_of(c),
            subject=f"B{700000 + i}",
            action="照会",
            result_count=1,
        )
        for i in range(80)
    ]
    # 研修: a new member of staff practising on the system, marked as training.
    trainee = city.staff["410"][0]
    rows += [
        Row(
            at(earlier, f"{14 + i // 4}:{(i % 4) * 15:02d}"),
            "search",
            trainee.staff_number,
            host=seat[trainee.pk].host_name,
            system=system_of(trainee),
            subject=f"T{i:04d}",
            action="照会（研修）",
            result_count=1,
            training=True,
        )
        for i in range(6)
    ]
    # 権限外: someone with no entitlement looks a resident up on the identity system.
    identity = System.objects.filter(handles_identity_information=True).order_by("code").first()
    stranger = city.staff["420"][0]
    rows.append(
        Row(
            at(weekday, "11:20"),
            "search",
            stranger.staff_number,
            host=seat[stranger.pk].host_name,
            system=(identity.code if identity else default),
            subject="A000123",
            action="照会",
            result_count=1,
        )
    )
    return rows


def _off_hours_requests(city: Any, on: dt.date, seat: dict[int, Terminal]) -> int:
    """An approved request for a coming Saturday, and (where the pack marks rather than refuses) a late one."""
    pack = city.pack
    try:
        chain = pack.chain("terminals.off_hours_use")
    except KeyError:
        return 0
    person = Person.objects.get(pk=city.heads["310"].pk)
    actor = account_for(city, person)
    operator = city.staff["310"][0]
    lead = chain.lead_time.days if chain.lead_time else 0
    upcoming = on + dt.timedelta(days=lead + 1)
    while upcoming.weekday() != 5:
        upcoming += dt.timedelta(days=1)
    made = 0
    for use_date, approve in ((upcoming, True), (on + dt.timedelta(days=2), False)):
        payload = {
            "terminal": seat[operator.pk].host_name,
            "use_date": use_date.isoformat(),
            "start_time": "09:00",
            "end_time": "12:00",
            "operators": operator.staff_number,
            "reason": "転入届の集中に対応するため" if approve else "システム更新後の確認作業",
        }
        try:
            request = request_file(kind=chain.kind, actor=actor, payload=payload, on=on)
        except WorkflowError:
            continue  # a late request the pack refuses (柳川市 第13条第3項) is not filed
        made += 1
        if approve:
            decide_all(request, on=on, pack=pack, city=city)
    return made

"""Designating and un-designating people (指定・指定解除), as the pack's ``parameters.designations`` say.

Who may designate is the rule's ``designated_by`` roles, resolved in the unit the designation belongs
to: the terminal's section for a terminal's operators (YAN-12-3 端末機管理責任者, FUK-18-2), the
system's owner unit for a per-system designation (MEG-13-1), otherwise the designated person's own
unit (FUK-10: the 取扱責任者 designates from the staff of their section).  Where the rule has
``report_to`` the designations are reported to its holder: each at once, recorded with its time
(FUK-10, and every change), or, where the rule names a ``report_form``, together by the designator on
that form (YAN-12-3 様式第1号, :func:`designations_report`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet

from mamori.core import time
from mamori.core.policy import Actor, may, require
from mamori.organisation.models import Assignment, Person, Unit
from mamori.organisation.roles import Holding, holders_of, primary_unit
from mamori.records.actions import RecordAction
from mamori.records.services import Entry, entry_for, record_append_many, snapshot
from mamori.registers.models import Invalid, NotFound
from mamori.regulations.active import active_pack
from mamori.regulations.registry import implements
from mamori.regulations.schema import DesignationRule, Pack
from mamori.systems.models import System
from mamori.workflows.notifications import notify

from .models import Designation, DesignationState, DesignationTarget

if TYPE_CHECKING:  # terminals sits above designations (.importlinter): a type, not a dependency
    from mamori.terminals.models import Terminal

RETENTION = "access"
DESIGNATION_FIELDS = (
    "id",
    "pack",
    "kind",
    "person_id",
    "system_id",
    "terminal_id",
    "valid_from",
    "valid_to",
    "state",
    "designated_by_id",
    "designated_as",
    "reported_to_id",
    "reported_at",
    "duties",
    "ended_at",
    "end_reason",
)


class DesignationError(Invalid):
    """What the pack's designation rules refuse: 400 in the one Problem schema, naming the field."""

    def __str__(self) -> str:
        return f"{self.message}（{self.article}）" if self.article else self.message


def designation_rule(pack: Pack, kind: str) -> DesignationRule:
    for spec in pack.parameters.designations:
        if spec.kind == kind:
            return spec
    raise DesignationError(f"{pack.municipality}の規程には「{kind}」の指定がありません", field="kind")


def terminal_rule(pack: Pack) -> DesignationRule | None:
    """The kind that designates a terminal's operators (YAN-12-3, FUK-18-2), if the pack has one."""
    return next((spec for spec in pack.parameters.designations if spec.per_terminal), None)


def operator_rule(pack: Pack) -> DesignationRule:
    """:func:`terminal_rule`, refused (404) where the pack designates no terminal operators."""
    spec = terminal_rule(pack)
    if spec is None:
        raise NotFound("この規程には端末機操作員の指定の定めがありません")
    return spec


def target_of(spec: DesignationRule) -> str:
    if spec.per_terminal:
        return DesignationTarget.TERMINAL
    return DesignationTarget.SYSTEM if spec.per_system else DesignationTarget.PERSON


def rule_applies_to(spec: DesignationRule, system: System) -> bool:
    """Whether a grant on ``system`` needs this designation (``applies_to`` of the pack)."""
    for selector in spec.applies_to:
        if selector == "all":
            return True
        if selector == "personal_information" and system.handles_personal_information:
            return True
        if selector == "specific_personal_information" and system.handles_specific_personal_information:
            return True
        if selector == "identity_information" and system.handles_identity_information:
            return True
        if selector.startswith("category:") and system.category == selector.removeprefix("category:"):
            return True
    return False


def system_filter(spec: DesignationRule, prefix: str = "") -> Q:
    """The same test as :func:`rule_applies_to`, as a query over systems (``prefix``: "system__")."""
    condition = Q(pk__in=[])
    for selector in spec.applies_to:
        if selector == "all":
            return Q()
        if selector == "personal_information":
            condition |= Q(**{f"{prefix}handles_personal_information": True})
        elif selector == "specific_personal_information":
            condition |= Q(**{f"{prefix}handles_specific_personal_information": True})
        elif selector == "identity_information":
            condition |= Q(**{f"{prefix}handles_identity_information": True})
        elif selector.startswith("category:"):
            condition |= Q(**{f"{prefix}category": selector.removeprefix("category:")})
    return condition


def designations_in_force(*, pack: Pack, kind: str, on: dt.date) -> QuerySet[Designation]:
    return Designation.objects.on(on).filter(pack=pack.pack, kind=kind)


def is_designated(
    *, pack: Pack, spec: DesignationRule, person: Person, system: System | None, on: dt.date
) -> bool:
    rows = designations_in_force(pack=pack, kind=spec.kind, on=on).filter(person=person)
    if spec.per_system and system is not None:
        rows = rows.filter(system=system)
    return rows.exists()


def scope_unit(
    spec: DesignationRule,
    person: Person | None,
    *,
    system: System | None = None,
    terminal: Terminal | None = None,
    on: dt.date,
) -> Unit | None:
    """The unit in which the designating role is resolved (see the module docstring)."""
    if spec.per_terminal and terminal is not None:
        return terminal.unit
    if spec.per_system and system is not None:
        return system.owner_unit
    return primary_unit(person, on=on) if person is not None else None


def designators_of(spec: DesignationRule, *, unit: Unit | None, on: dt.date, pack: Pack) -> list[Holding]:
    """Who may designate (and report) ``spec`` for ``unit`` on ``on``."""
    return [h for code in spec.designated_by for h in holders_of(code, on=on, pack=pack, unit=unit)]


def _capacity(
    designator: Person | None, spec: DesignationRule, *, pack: Pack, unit: Unit | None, on: dt.date
) -> str:
    return _designating(designator, spec, pack=pack, unit=unit, on=on).capacity


def _designating(
    designator: Person | None, spec: DesignationRule, *, pack: Pack, unit: Unit | None, on: dt.date
) -> Holding:
    """The designator's holding of a role that designates for ``spec``; refused without one."""
    if designator is not None:
        for holding in designators_of(spec, unit=unit, on=on, pack=pack):
            if holding.person.pk == designator.pk:
                return holding
    names = "・".join(pack.role(code).name for code in spec.designated_by)
    where = f"（{unit.name}）" if unit is not None else ""
    raise DesignationError(
        f"{spec.label}の指定は{names}{where}が行います", article=pack.cite(spec.article), field="designator"
    )


def _report_to(spec: DesignationRule, pack: Pack, on: dt.date, unit: Unit | None) -> Person | None:
    if spec.report_to is None:
        return None
    holders = holders_of(spec.report_to, on=on, pack=pack, unit=unit)
    return holders[0].person if holders else None


def _entry(
    designation: Designation,
    action: RecordAction,
    *,
    actor: Actor,
    capacity: str,
    before: dict | None = None,
    extra: dict | None = None,
) -> Entry:
    return entry_for(
        designation,
        action,
        fields=DESIGNATION_FIELDS,
        actor=actor,
        capacity=capacity,
        before=before,
        extra=extra,
        article=designation.article,
        requirement=designation.requirement,
        retention_class=RETENTION,
    )


def _target_checks(
    spec: DesignationRule, *, person: Person, system: System | None, terminal: Terminal | None, start: dt.date
) -> None:
    article = active_pack().cite(spec.article)
    if spec.per_system and system is None:
        raise DesignationError(f"{spec.label}はシステムごとに指定します", field="system", article=article)
    if spec.per_terminal:
        if terminal is None:
            raise DesignationError(f"{spec.label}は端末機ごとに指定します", field="terminal", article=article)
        if not terminal.is_active_on(start):
            raise DesignationError(
                f"{terminal.host_name}は{time.wareki(start)}に使用されていません", field="valid_from"
            )
        if (
            spec.same_unit
            and not Assignment.objects.on(start).filter(person=person, unit=terminal.unit).exists()
        ):
            raise DesignationError(
                f"{person.name}さんは{terminal.unit.name}の職員ではありません（端末機を設置した課の職員を指定します）",
                field="person",
                article=article,
            )


@implements("YAN-8", "YAN-14", "FUK-10", "FUK-17", "MEG-13-1", "YAN-12-3", "FUK-18-2")
@transaction.atomic
def designation_add(
    *,
    kind: str,
    person: Person,
    actor: Actor,
    system: System | None = None,
    terminal: Terminal | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    duties: str = "",
    designator: Person | None = None,
    on: dt.date | None = None,
) -> Designation:
    """Designate ``person`` (for ``system`` or ``terminal`` where the kind says so) and record it.
    The designator is the actor's own person, unless an administrator enters a designation made on
    paper naming its designator; either way the designator must hold the pack's role.  Where the pack
    says so, the designation is reported to the holder of ``report_to`` (FUK-10) in the same
    transaction; a kind reported on a form waits for :func:`designations_report` (YAN-12-3)."""
    pack = active_pack()
    today = on or time.today()
    spec = designation_rule(pack, kind)
    start = valid_from or today
    system = system if spec.per_system else None
    terminal = terminal if spec.per_terminal else None
    _target_checks(spec, person=person, system=system, terminal=terminal, start=start)
    if valid_to is not None and valid_to < start:
        raise DesignationError("指定期限が指定日より前です", field="valid_to")
    if not person.is_in_term_on(start):
        raise DesignationError(f"{person.name}さんは{time.wareki(start)}に任用期間外です", field="person")
    own = getattr(actor, "person", None)
    if designator is not None and (own is None or designator.pk != own.pk):
        require(
            actor,
            "designations.administer",
            message="他の者が行った指定を入力できるのは管理者です",
        )
    designator = designator or own
    unit = scope_unit(spec, person, system=system, terminal=terminal, on=today)
    holding = _designating(designator, spec, pack=pack, unit=unit, on=today)
    capacity = holding.capacity
    Person.objects.select_for_update().filter(pk=person.pk).first()
    overlapping = Designation.objects.filter(
        pack=pack.pack, kind=kind, person=person, system=system, terminal=terminal
    ).exclude(state=DesignationState.ENDED)
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    if overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start)).exists():
        what = system.name if system else terminal.host_name if terminal else ""
        raise DesignationError(
            f"{person.name}さんは既に{spec.label}{f'（{what}）' if what else ''}に指定されています",
            field="person",
        )
    if valid_to is None and person.term_end is not None:
        valid_to = person.term_end  # a designation does not outlast the appointment term
    moment = time.now()
    reported_to = None if spec.report_form else _report_to(spec, pack, today, unit)
    designation = Designation.objects.create(
        pack=pack.pack,
        kind=kind,
        label=spec.label,
        target=target_of(spec),
        person=person,
        system=system,
        terminal=terminal,
        valid_from=start,
        valid_to=valid_to,
        state=DesignationState.REPORTED if reported_to else DesignationState.DESIGNATED,
        designated_by=holding.person,
        designated_as=capacity,
        recorded_by=actor,
        recorded_at=moment,
        reported_to=reported_to,
        reported_at=moment if reported_to else None,
        duties=duties.strip(),
        article=spec.article,
        requirement=(spec.requirements or [""])[0],
    )
    entries = [_entry(designation, RecordAction.DESIGNATION_ADDED, actor=actor, capacity=capacity)]
    if reported_to is not None:
        entries.append(_reported(designation, reported_to, actor=actor, capacity=capacity, change="指定"))
    record_append_many(entries=entries)
    return designation


def _reported(
    designation: Designation, reported_to: Person, *, actor: Actor, capacity: str, change: str
) -> Entry:
    """FUK-10: tell the holder of report_to, and record that it was reported."""
    target = f"（{designation.target_name}）" if designation.target_name else ""
    notify(
        people=[reported_to],
        subject=f"【mamori】{designation.label}の{change}の報告（{designation.person.name}さん）",
        body=f"{capacity}が{designation.person.name}さんを{designation.label}{target}に{change}しました。",
        article=designation.article,
    )
    return _entry(
        designation,
        RecordAction.DESIGNATION_REPORTED,
        actor=actor,
        capacity=capacity,
        extra={"reported_to": reported_to.name, "change": change},
    )


def _end_capacity(
    designation: Designation, spec: DesignationRule, *, actor: Actor, pack: Pack, on: dt.date
) -> str:
    unit = scope_unit(
        spec, designation.person, system=designation.system, terminal=designation.terminal, on=on
    )
    try:
        return _capacity(getattr(actor, "person", None), spec, pack=pack, unit=unit, on=on)
    except DesignationError:
        # An administrator ends a designation left behind (a person who left, a terminal retired).
        if not may(actor, "designations.administer"):
            raise
        return "管理者"


def _end(designation: Designation, *, last_day: dt.date, reason: str, actor: Actor) -> Designation:
    designation.transition(to=DesignationState.ENDED)
    designation.valid_to = max(min(designation.valid_to or last_day, last_day), designation.valid_from)
    designation.ended_at, designation.ended_by, designation.end_reason = time.now(), actor, reason
    designation.save(update_fields=["state", "valid_to", "ended_at", "ended_by", "end_reason"])
    return designation


@implements("FUK-10", "YAN-12-3", "FUK-18-2")
@transaction.atomic
def designation_end(
    *, designation: Designation, actor: Actor, reason: str, on: dt.date | None = None
) -> Designation:
    """End a designation on ``on`` (異動・退職・担当替え; its last day in force), with the reason, by
    the designating role or an administrator; reported like the designation (変更したときも同様: FUK-10)."""
    pack = active_pack()
    today = on or time.today()
    locked = (
        Designation.objects.select_for_update(of=("self",))
        .select_related("person", "system__owner_unit", "terminal__unit")
        .get(pk=designation.pk)
    )
    if locked.state == DesignationState.ENDED:
        raise DesignationError(f"この指定は既に{locked.get_state_display()}です", field="state")
    if not reason.strip():
        raise DesignationError("指定解除の理由を入力してください", field="reason")
    if today < locked.valid_from:
        raise DesignationError("解除日が指定日より前です", field="on")
    spec = designation_rule(pack, locked.kind)
    capacity = _end_capacity(locked, spec, actor=actor, pack=pack, on=time.today())
    before = snapshot(locked, DESIGNATION_FIELDS)
    _end(locked, last_day=today, reason=reason.strip(), actor=actor)
    entries = [_entry(locked, RecordAction.DESIGNATION_ENDED, actor=actor, capacity=capacity, before=before)]
    unit = scope_unit(spec, locked.person, system=locked.system, terminal=locked.terminal, on=today)
    reported_to = None if spec.report_form else _report_to(spec, pack, today, unit)
    if reported_to is not None:
        entries.append(_reported(locked, reported_to, actor=actor, capacity=capacity, change="指定解除"))
    record_append_many(entries=entries)
    return locked


@transaction.atomic
def designations_end_for_terminal(*, terminal: Terminal, on: dt.date, reason: str, actor: Actor) -> int:
    """End every open designation of a terminal taken out of use on ``on`` (its last day)."""
    rows = list(
        Designation.objects.select_for_update()
        .filter(terminal=terminal)
        .exclude(state=DesignationState.ENDED)
        .order_by("pk")
    )
    entries = []
    for row in rows:
        before = snapshot(row, DESIGNATION_FIELDS)
        _end(row, last_day=on, reason=reason, actor=actor)
        entries.append(_entry(row, RecordAction.DESIGNATION_ENDED, actor=actor, capacity="", before=before))
    record_append_many(entries=entries)
    return len(rows)


def report_recipients(spec: DesignationRule, unit: Unit, *, on: dt.date, pack: Pack) -> list[Holding]:
    """To whom ``unit``'s designations are reported (柳川市: the 情報セキュリティ責任者 of its 部)."""
    if spec.report_to is None:
        return []
    return holders_of(spec.report_to, on=on, pack=pack, unit=unit)


def in_unit(spec: DesignationRule, unit: Unit) -> Q:
    """The designations that belong to ``unit`` (see :func:`scope_unit`)."""
    if spec.per_terminal:
        return Q(terminal__unit=unit)
    if spec.per_system:
        return Q(system__owner_unit=unit)
    return Q(person__in=Assignment.objects.on(time.today()).filter(unit=unit).values("person_id"))


@implements("YAN-12-3")
@transaction.atomic
def designations_report(
    *, kind: str, unit: Unit, actor: Actor, on: dt.date | None = None
) -> list[Designation]:
    """Report ``unit``'s unreported designations of ``kind`` on the pack's form (様式第1号).  The report
    itself is printed with :func:`mamori.designations.reports.designation_report`; this records that
    it was made, by the designating role (or an administrator, entering a report made on paper)."""
    pack = active_pack()
    today = on or time.today()
    spec = designation_rule(pack, kind)
    article = pack.cite(spec.article)
    if spec.report_to is None or not spec.report_form:
        raise DesignationError(f"この規程には{spec.label}の報告の定めがありません", article=article)
    person = getattr(actor, "person", None)
    reporters = designators_of(spec, unit=unit, on=today, pack=pack)
    if not any(person is not None and h.person.pk == person.pk for h in reporters):
        require(
            actor,
            "designations.administer",
            message=f"{unit.name}の{spec.label}を報告するのは"
            f"{'・'.join(pack.role(code).name for code in spec.designated_by)}です",
            article=article,
        )
    recipients = report_recipients(spec, unit, on=today, pack=pack)
    if not recipients:
        raise DesignationError(f"{unit.name}の{pack.role(spec.report_to).name}がいません", article=article)
    pending = list(
        Designation.objects.select_for_update(of=("self",))
        .filter(pack=pack.pack, kind=kind, state=DesignationState.DESIGNATED)
        .filter(in_unit(spec, unit))
        .order_by("terminal__host_name", "system__code", "person__staff_number")
    )
    if not pending:
        raise DesignationError(f"{unit.name}に未報告の{spec.label}の指定はありません")
    moment = time.now()
    entries = []
    for designation in pending:
        before = snapshot(designation, DESIGNATION_FIELDS)
        designation.transition(to=DesignationState.REPORTED)
        designation.reported_to, designation.reported_at = recipients[0].person, moment
        entries.append(
            _entry(designation, RecordAction.DESIGNATION_REPORTED, actor=actor, capacity="", before=before)
        )
    Designation.objects.bulk_update(pending, ["state", "reported_to", "reported_at"])
    record_append_many(entries=entries)
    return pending


def required_rules(pack: Pack, system: System) -> Iterable[DesignationRule]:
    return [spec for spec in pack.parameters.designations if rule_applies_to(spec, system)]

"""Designating and un-designating people (指定・指定解除), as the pack's ``parameters.designations`` say.

Who may designate is the rule's ``designated_by`` roles, resolved in the system's owner unit for a
per-system designation and otherwise in the designated person's own unit (FUK-10: the 取扱責任者
designates from the staff of their section).  Where the rule has ``report_to`` (FUK-10: the
データ保護管理者), the designation and every change are reported to its holder, and the report is
recorded with its time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q

from mamori.access.models import System
from mamori.core import time
from mamori.organisation.models import Person, Unit
from mamori.organisation.roles import holders_of, holding_of, primary_unit
from mamori.records.services import Entry, entry_for, record_append_many, snapshot
from mamori.regulations.active import active_pack
from mamori.regulations.registry import implements
from mamori.regulations.schema import DesignationRule, Pack
from mamori.workflows.notifications import notify

from .models import DESIGNATION_TRANSITIONS, Designation, DesignationState

DESIGNATION_FIELDS = (
    "id",
    "pack",
    "kind",
    "person_id",
    "system_id",
    "valid_from",
    "valid_to",
    "state",
    "designated_as",
    "reported_to_id",
    "reported_at",
    "duties",
    "ended_at",
    "end_reason",
)


class DesignationError(ValueError):
    def __init__(self, message: str, *, article: str = "", field: str | None = None):
        self.message, self.article, self.field = message, article, field
        super().__init__(f"{message}（{article}）" if article else message)


def designation_rule(pack: Pack, kind: str) -> DesignationRule:
    for spec in pack.parameters.designations:
        if spec.kind == kind:
            return spec
    raise DesignationError(f"{pack.municipality}の規程には「{kind}」の指定がありません", field="kind")


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


def designations_in_force(*, pack: Pack, kind: str, on: dt.date):
    return Designation.objects.on(on).filter(pack=pack.pack, kind=kind)


def is_designated(
    *, pack: Pack, spec: DesignationRule, person: Person, system: System | None, on: dt.date
) -> bool:
    rows = designations_in_force(pack=pack, kind=spec.kind, on=on).filter(person=person)
    if spec.per_system and system is not None:
        rows = rows.filter(system=system)
    return rows.exists()


def _scope_unit(spec: DesignationRule, person: Person, system: System | None, on: dt.date) -> Unit | None:
    if system is not None and spec.per_system:
        return system.owner_unit
    return primary_unit(person, on=on)


def designator_capacity(
    *, actor: Any, spec: DesignationRule, pack: Pack, unit: Unit | None, on: dt.date
) -> str:
    person = getattr(actor, "person", None)
    if person is not None:
        for code in spec.designated_by:
            holding = holding_of(person, code, on=on, pack=pack, unit=unit)
            if holding is not None:
                return holding.capacity
    names = "・".join(pack.role(code).name for code in spec.designated_by)
    where = f"（{unit.name}）" if unit is not None else ""
    raise DesignationError(f"{spec.label}の指定は{names}{where}が行います", article=pack.cite(spec.article))


def _report(spec: DesignationRule, pack: Pack, on: dt.date, unit: Unit | None) -> Person | None:
    if spec.report_to is None:
        return None
    holders = holders_of(spec.report_to, on=on, pack=pack, unit=unit)
    return holders[0].person if holders else None


def _entry(
    designation: Designation,
    action: str,
    *,
    actor: Any,
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
        retention_class="access",
    )


@implements("YAN-8", "YAN-14", "FUK-10", "FUK-17", "MEG-13-1")
@transaction.atomic
def designation_add(
    *,
    kind: str,
    person: Person,
    actor: Any,
    system: System | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    duties: str = "",
    on: dt.date | None = None,
) -> Designation:
    """Designate ``person`` (for ``system`` where the kind is per system) and record it; where the pack
    says so, report it to the holder of ``report_to`` (FUK-10) in the same transaction."""
    pack = active_pack()
    today = on or time.today()
    spec = designation_rule(pack, kind)
    article = pack.cite(spec.article)
    if spec.per_system and system is None:
        raise DesignationError(f"{spec.label}はシステムごとに指定します", field="system", article=article)
    if not spec.per_system:
        system = None
    start = valid_from or today
    if valid_to is not None and valid_to < start:
        raise DesignationError("指定期限が指定日より前です", field="valid_to")
    if not person.is_in_term_on(start):
        raise DesignationError(f"{person.name}さんは{time.wareki(start)}に任用期間外です", field="person")
    unit = _scope_unit(spec, person, system, today)
    capacity = designator_capacity(actor=actor, spec=spec, pack=pack, unit=unit, on=today)
    Person.objects.select_for_update().filter(pk=person.pk).first()
    already = Designation.objects.filter(
        pack=pack.pack, kind=kind, person=person, system=system, state=DesignationState.ACTIVE
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    if already.exists():
        target = f"（{system.name}）" if system else ""
        raise DesignationError(
            f"{person.name}さんは既に{spec.label}{target}に指定されています", field="person"
        )
    if valid_to is None and person.term_end is not None:
        valid_to = person.term_end  # a designation does not outlast the appointment term
    moment = time.now()
    reported_to = _report(spec, pack, today, unit)
    designation = Designation.objects.create(
        pack=pack.pack,
        kind=kind,
        label=spec.label,
        person=person,
        system=system,
        valid_from=start,
        valid_to=valid_to,
        designated_by=actor,
        designated_as=capacity,
        registered_at=moment,
        reported_to=reported_to,
        reported_at=moment if reported_to else None,
        duties=duties.strip(),
        article=spec.article,
        requirement=(spec.requirements or [""])[0],
    )
    entries = [_entry(designation, "designations.designation.added", actor=actor, capacity=capacity)]
    if reported_to is not None:
        entries.append(
            _entry(
                designation,
                "designations.designation.reported",
                actor=actor,
                capacity=capacity,
                extra={"reported_to": reported_to.name, "change": "指定"},
            )
        )
        _notify_report(designation, reported_to, capacity=capacity, change="指定")
    record_append_many(entries=entries)
    return designation


def _notify_report(designation: Designation, reported_to: Person, *, capacity: str, change: str) -> None:
    target = f"（{designation.system.name}）" if designation.system_id else ""
    notify(
        people=[reported_to],
        subject=f"【mamori】{designation.label}の{change}の報告（{designation.person.name}さん）",
        body=f"{capacity}が{designation.person.name}さんを{designation.label}{target}に{change}しました。",
        article=designation.article,
    )


@transaction.atomic
def designation_end(
    *, designation: Designation, actor: Any, reason: str, on: dt.date | None = None
) -> Designation:
    """End a designation (変更したときも同様に報告: FUK-10), with the reason."""
    pack = active_pack()
    today = on or time.today()
    locked = (
        Designation.objects.select_for_update(of=("self",))
        .select_related("person", "system__owner_unit")
        .get(pk=designation.pk)
    )
    if DesignationState.ENDED not in DESIGNATION_TRANSITIONS[locked.state]:
        raise DesignationError(f"この指定は既に{locked.get_state_display()}です")
    if not reason.strip():
        raise DesignationError("指定解除の理由を入力してください", field="reason")
    spec = designation_rule(pack, locked.kind)
    unit = _scope_unit(spec, locked.person, locked.system, today)
    try:
        capacity = designator_capacity(actor=actor, spec=spec, pack=pack, unit=unit, on=today)
    except DesignationError:
        # 情報政策課 may end a designation left behind (a person who left, a system withdrawn).
        if not getattr(actor, "is_superuser", False):
            raise
        capacity = "管理者（情報政策課）"
    before = snapshot(locked, DESIGNATION_FIELDS)
    locked.state, locked.ended_at, locked.ended_by, locked.end_reason = (
        DesignationState.ENDED,
        time.now(),
        actor,
        reason.strip(),
    )
    locked.save(update_fields=["state", "ended_at", "ended_by", "end_reason"])
    entries = [
        _entry(locked, "designations.designation.ended", actor=actor, capacity=capacity, before=before)
    ]
    reported_to = _report(spec, pack, today, unit)
    if reported_to is not None:
        entries.append(
            _entry(
                locked,
                "designations.designation.reported",
                actor=actor,
                capacity=capacity,
                extra={"reported_to": reported_to.name, "change": "指定解除"},
            )
        )
        _notify_report(locked, reported_to, capacity=capacity, change="指定解除")
    record_append_many(entries=entries)
    return locked


def required_rules(pack: Pack, system: System) -> Iterable[DesignationRule]:
    return [spec for spec in pack.parameters.designations if rule_applies_to(spec, system)]

"""Services of the terminal register: registering terminals, designating their operators (YAN-12-3,
FUK-18-2) and reporting the designations (様式第1号).  Every function is one transaction that writes
its record, citing the article."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from mamori.access.models import System
from mamori.core import time
from mamori.core.policy import require
from mamori.organisation.models import Assignment, Person, Unit
from mamori.organisation.roles import Holding, holders_of
from mamori.records.services import Entry, record_append_many, snapshot
from mamori.regulations.active import active_pack
from mamori.regulations.registry import implements
from mamori.regulations.schema import OperatorDesignation, Pack

from .models import DESIGNATION_TRANSITIONS, DesignationState, Terminal, TerminalOperator

RETENTION = "terminals"
TERMINAL_FIELDS = ("id", "host_name", "location", "unit_id", "active_from", "active_to", "note")
DESIGNATION_FIELDS = (
    "id",
    "terminal_id",
    "person_id",
    "valid_from",
    "valid_to",
    "state",
    "designated_by_id",
    "designated_capacity",
    "reported_to_id",
    "reported_at",
    "end_reason",
)


class TerminalError(Exception):
    """A refusal a person can read: what is wrong, the field, and the article that says so."""

    def __init__(self, message: str, *, field: str = "", article: str = ""):
        self.message = message
        self.field = field
        self.article = article
        super().__init__(f"{message}（{article}）" if article else message)


def _terminal_entry(terminal: Terminal, action: str, *, actor: Any, before: dict | None = None) -> Entry:
    after = snapshot(terminal, TERMINAL_FIELDS)
    after["systems"] = sorted(terminal.systems.values_list("code", flat=True))
    return Entry(
        action=action,
        object_type="terminals.Terminal",
        object_id=str(terminal.pk),
        actor=actor,
        before=before,
        after=after,
        retention_class=RETENTION,
    )


def _clean_host(host_name: str) -> str:
    host = (host_name or "").strip()
    if not host:
        raise TerminalError("ホスト名を入力してください", field="host_name")
    if len(host) > 120 or any(c.isspace() for c in host):
        raise TerminalError(
            f"ホスト名「{host}」は空白を含まない120文字以内で入力してください", field="host_name"
        )
    return host


@transaction.atomic
def terminal_register(
    *,
    host_name: str,
    unit: Unit,
    actor: Any,
    active_from: dt.date,
    location: str = "",
    systems: Sequence[System] = (),
    note: str = "",
) -> Terminal:
    """Add a terminal to the register: its host name (as the logs name it), section and systems."""
    host = _clean_host(host_name)
    if Terminal.objects.filter(host_name__iexact=host).exists():
        raise TerminalError(f"ホスト名「{host}」の端末機は登録済みです", field="host_name")
    terminal = Terminal.objects.create(
        host_name=host, unit=unit, location=location.strip(), active_from=active_from, note=note.strip()
    )
    terminal.systems.set(systems)
    record_append_many(entries=[_terminal_entry(terminal, "terminals.terminal.registered", actor=actor)])
    return terminal


@transaction.atomic
def terminal_change(
    *,
    terminal: Terminal,
    actor: Any,
    location: str | None = None,
    unit: Unit | None = None,
    systems: Sequence[System] | None = None,
    note: str | None = None,
) -> Terminal:
    """Change where a terminal stands, its section or the systems it reaches (FUK-18-1)."""
    terminal = Terminal.objects.select_for_update().get(pk=terminal.pk)
    before = _terminal_entry(terminal, "", actor=actor).after
    if location is not None:
        terminal.location = location.strip()
    if unit is not None:
        terminal.unit = unit
    if note is not None:
        terminal.note = note.strip()
    terminal.save(update_fields=["location", "unit", "note"])
    if systems is not None:
        terminal.systems.set(systems)
    record_append_many(
        entries=[_terminal_entry(terminal, "terminals.terminal.changed", actor=actor, before=before)]
    )
    return terminal


@transaction.atomic
def terminal_retire(*, terminal: Terminal, on: dt.date, actor: Any) -> Terminal:
    """Take a terminal out of use from the day after ``on``; its designations end with it."""
    terminal = Terminal.objects.select_for_update().get(pk=terminal.pk)
    if terminal.active_to is not None:
        raise TerminalError(f"{terminal.host_name}は{time.wareki(terminal.active_to)}に使用を終了しています")
    if on < terminal.active_from:
        raise TerminalError("使用終了日が使用開始日より前です", field="active_to")
    before = _terminal_entry(terminal, "", actor=actor).after
    terminal.active_to = on
    terminal.save(update_fields=["active_to"])
    entries = [_terminal_entry(terminal, "terminals.terminal.retired", actor=actor, before=before)]
    open_designations = TerminalOperator.objects.filter(terminal=terminal).exclude(
        state=DesignationState.ENDED
    )
    entries += _end_many(list(open_designations), on=on, reason="端末機の使用終了", actor=actor)
    record_append_many(entries=entries)
    return terminal


# --- operator designations (YAN-12-3, FUK-18-2) ---------------------------------------------


def designation_rule(pack: Pack) -> OperatorDesignation | None:
    return pack.parameters.monitoring.designated_operators


def designators_of(terminal: Terminal, *, on: dt.date, pack: Pack) -> list[Holding]:
    """Who may designate the terminal's operators on ``on``: the pack's role, resolved in the terminal's
    section (柳川市: its 課長 as 端末機管理責任者; 福山市: the ICT推進課長)."""
    rule = designation_rule(pack)
    if rule is None:
        return []
    return holders_of(rule.designated_by, on=on, pack=pack, unit=terminal.unit)


def _designation_entry(
    designation: TerminalOperator, action: str, *, actor: Any, pack: Pack | None, before: dict | None = None
) -> Entry:
    rule = designation_rule(pack) if pack else None
    return Entry(
        action=action,
        object_type="terminals.TerminalOperator",
        object_id=str(designation.pk),
        actor=actor,
        capacity=designation.designated_capacity if action.endswith("designated") else "",
        before=before,
        after=snapshot(designation, DESIGNATION_FIELDS),
        article=pack.cite(rule.articles[0]) if pack and rule else "",
        requirement=rule.requirements[0] if rule and rule.requirements else "",
        retention_class=RETENTION,
    )


def _in_unit(person: Person, unit: Unit, on: dt.date) -> bool:
    return Assignment.objects.on(on).filter(person=person, unit=unit).exists()


@implements("YAN-12-3", "FUK-18-2")
@transaction.atomic
def operator_designate(
    *,
    terminal: Terminal,
    person: Person,
    valid_from: dt.date,
    actor: Any,
    valid_to: dt.date | None = None,
    designator: Person | None = None,
    on: dt.date | None = None,
) -> TerminalOperator:
    """Designate ``person`` as an operator of ``terminal``.  The designator (the actor's own person unless
    an administrator enters a designation made on paper) must hold the pack's designating role for the
    terminal's section; the operator must be in term and, where the pack says so, staff of that section."""
    pack = active_pack()
    today = on or time.today()
    rule = designation_rule(pack)
    if rule is None:
        raise TerminalError("この規程には端末機操作員の指定の定めがありません")
    article = pack.cite(rule.articles[0])
    designator = designator or getattr(actor, "person", None)
    if designator is None:
        raise TerminalError("指定者（職員）が分かりません", field="designator")
    holding = next(
        (h for h in designators_of(terminal, on=today, pack=pack) if h.person.pk == designator.pk), None
    )
    if holding is None:
        role = pack.role(rule.designated_by).name
        raise TerminalError(
            f"{terminal.host_name}（{terminal.unit.name}）の端末機操作員を指定できるのは{role}です",
            field="designator",
            article=article,
        )
    if not terminal.is_active_on(valid_from):
        raise TerminalError(
            f"{terminal.host_name}は{time.wareki(valid_from)}に使用されていません", field="valid_from"
        )
    if valid_to is not None and valid_to < valid_from:
        raise TerminalError("指定終了日が指定日より前です", field="valid_to")
    if not person.is_in_term_on(valid_from):
        raise TerminalError(
            f"{person.name}は{time.wareki(valid_from)}に任用期間内にありません", field="person"
        )
    if rule.same_unit and not _in_unit(person, terminal.unit, valid_from):
        raise TerminalError(
            f"{person.name}は{terminal.unit.name}の職員ではありません（端末機を設置した課の職員を指定します）",
            field="person",
            article=article,
        )
    overlapping = TerminalOperator.objects.filter(terminal=terminal, person=person).exclude(
        state=DesignationState.ENDED
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    overlapping = overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if overlapping.exists():
        raise TerminalError(
            f"{person.name}は{terminal.host_name}の端末機操作員に指定済みです", field="person"
        )
    designation = TerminalOperator.objects.create(
        terminal=terminal,
        person=person,
        valid_from=valid_from,
        valid_to=valid_to,
        designated_by=designator,
        designated_capacity=holding.capacity,
        designated_at=time.now(),
        recorded_by=actor,
    )
    record_append_many(
        entries=[_designation_entry(designation, "terminals.operator.designated", actor=actor, pack=pack)]
    )
    return designation


def _end_many(
    designations: Iterable[TerminalOperator], *, on: dt.date, reason: str, actor: Any
) -> list[Entry]:
    moment = time.now()
    entries, changed = [], []
    pack = active_pack()
    for designation in designations:
        if DesignationState.ENDED not in DESIGNATION_TRANSITIONS[designation.state]:
            continue
        before = snapshot(designation, DESIGNATION_FIELDS)
        designation.state = DesignationState.ENDED
        designation.valid_to = min(designation.valid_to or on, on)
        designation.ended_at, designation.end_reason = moment, reason
        changed.append(designation)
        entries.append(
            _designation_entry(designation, "terminals.operator.ended", actor=actor, pack=pack, before=before)
        )
    TerminalOperator.objects.bulk_update(changed, ["state", "valid_to", "ended_at", "end_reason"])
    return entries


@transaction.atomic
def operator_designation_end(
    *, designation: TerminalOperator, on: dt.date, reason: str, actor: Any
) -> TerminalOperator:
    """End a designation (異動・退職・担当替え) on ``on``, with the reason; by the designator (the
    pack's role, today) or an administrator."""
    designation = (
        TerminalOperator.objects.select_for_update().select_related("terminal").get(pk=designation.pk)
    )
    require(
        actor,
        "terminals.end_designation",
        designation.terminal,
        message="指定を解除できるのは指定者（端末機管理責任者等）か管理者です",
    )
    if designation.state == DesignationState.ENDED:
        raise TerminalError("この指定は解除済みです")
    if not reason.strip():
        raise TerminalError("解除の理由を入力してください", field="reason")
    if on < designation.valid_from:
        raise TerminalError("解除日が指定日より前です", field="on")
    record_append_many(entries=_end_many([designation], on=on, reason=reason.strip(), actor=actor))
    return designation


def report_recipients(unit: Unit, *, on: dt.date, pack: Pack) -> list[Holding]:
    """To whom the designation list is reported (柳川市: the 情報セキュリティ責任者 of the section's 部)."""
    rule = designation_rule(pack)
    if rule is None or rule.reported_to is None:
        return []
    return holders_of(rule.reported_to, on=on, pack=pack, unit=unit)


@implements("YAN-12-3")
@transaction.atomic
def designations_report(*, unit: Unit, actor: Any, on: dt.date | None = None) -> list[TerminalOperator]:
    """Report the section's unreported designations to the 情報セキュリティ責任者 (様式第1号, 第12条第3項).
    The report itself is printed with ``designation_report_export``; this records that it was made."""
    pack = active_pack()
    today = on or time.today()
    rule = designation_rule(pack)
    if rule is None or rule.reported_to is None:
        raise TerminalError("この規程には端末機操作員の報告の定めがありません")
    article = pack.cite(rule.articles[0])
    person = getattr(actor, "person", None)
    reporters = designators_of(Terminal(unit=unit), on=today, pack=pack)
    is_reporter = person is not None and any(h.person.pk == person.pk for h in reporters)
    if not is_reporter and not getattr(actor, "is_superuser", False):
        raise TerminalError(
            f"{unit.name}の端末機操作員を報告するのは{pack.role(rule.designated_by).name}です",
            article=article,
        )
    recipients = report_recipients(unit, on=today, pack=pack)
    if not recipients:
        raise TerminalError(f"{unit.name}の{pack.role(rule.reported_to).name}がいません", article=article)
    pending = list(
        TerminalOperator.objects.select_for_update()
        .filter(terminal__unit=unit, state=DesignationState.DESIGNATED)
        .order_by("terminal__host_name", "person__staff_number")
    )
    if not pending:
        raise TerminalError(f"{unit.name}に未報告の端末機操作員の指定はありません")
    moment = time.now()
    entries = []
    for designation in pending:
        before = snapshot(designation, DESIGNATION_FIELDS)
        designation.state = DesignationState.REPORTED
        designation.reported_to, designation.reported_at = recipients[0].person, moment
        entries.append(
            _designation_entry(
                designation, "terminals.operator.reported", actor=actor, pack=pack, before=before
            )
        )
    TerminalOperator.objects.bulk_update(pending, ["state", "reported_to", "reported_at"])
    record_append_many(entries=entries)
    return pending


def designated_on(*, host_name: str, person: Person, on: dt.date) -> bool:
    """Whether ``person`` is a designated operator of the terminal ``host_name`` on ``on``."""
    return (
        TerminalOperator.objects.on(on).filter(terminal__host_name__iexact=host_name, person=person).exists()
    )

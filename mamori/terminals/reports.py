"""Printed lists of the terminal register: the designation report (柳川市 様式第1号 端末機操作員報告書,
YAN-12-3) and, for a pack without such a form, the list of designated operators (FUK-18-2)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from mamori.core import time
from mamori.exports.forms import designation_report_export
from mamori.exports.tables import Column, TableExport
from mamori.organisation.models import Unit
from mamori.regulations.schema import Pack

from .models import TerminalOperator
from .services import designation_rule, designators_of, report_recipients


def _designations(unit: Unit | None, on: dt.date):
    designations = TerminalOperator.objects.on(on).select_related("terminal__unit", "person", "designated_by")
    if unit is not None:
        designations = designations.filter(terminal__unit=unit)
    return designations.order_by(
        "terminal__unit__code", "terminal__host_name", "valid_from", "person__staff_number"
    )


def _form_rows(unit: Unit | None, on: dt.date) -> Iterator[tuple]:
    """One row per terminal and designation day: 所管課, 端末責任者, 端末機, 端末機操作員, 指定年月日."""
    groups: dict[tuple, list[TerminalOperator]] = defaultdict(list)
    for designation in _designations(unit, on):
        groups[(designation.terminal, designation.valid_from, designation.designated_by)].append(designation)
    for (terminal, valid_from, designator), members in groups.items():
        yield (
            terminal.unit.name,
            designator.name,
            f"{terminal.host_name}（{terminal.location}）" if terminal.location else terminal.host_name,
            "、".join(m.person.name for m in members),
            valid_from,
        )


def designation_report(*, pack: Pack, unit: Unit | None, on: dt.date | None = None) -> TableExport:
    """The designations in force on ``on`` as the pack's report form (様式第1号), or as a plain list."""
    today = on or time.today()
    rule = designation_rule(pack)
    if rule is not None and rule.report_form:
        reporter = ""
        recipient = ""
        if unit is not None:
            holdings = designators_of(_unit_terminal(unit), on=today, pack=pack)
            reporter = "、".join(f"{h.capacity} {h.person.name}" for h in holdings)
            recipient = "、".join(
                f"{h.capacity} {h.person.name}" for h in report_recipients(unit, on=today, pack=pack)
            )
        return designation_report_export(
            pack=pack,
            form_id=rule.report_form,
            rows=_form_rows(unit, today),
            unit_name=unit.name if unit else "",
            reported_by=reporter,
            reported_to=recipient,
            on=today,
        )
    article = pack.cite(rule.articles[0]) if rule else ""
    return TableExport(
        title="端末機操作員一覧",
        subtitle=f"{pack.municipality}{' ' + unit.name if unit else ''}",
        article=article,
        columns=[
            Column("所管課", 16),
            Column("端末機", 18),
            Column("設置場所", 18),
            Column("職員番号", 10),
            Column("氏名", 14),
            Column("指定日", 14),
            Column("指定者", 20),
            Column("状態", 10),
        ],
        rows=(
            (
                d.terminal.unit.name,
                d.terminal.host_name,
                d.terminal.location,
                d.person.staff_number,
                d.person.name,
                d.valid_from,
                f"{d.designated_capacity} {d.designated_by.name}",
                d.get_state_display(),
            )
            for d in _designations(unit, today)
        ),
        meta=[("基準日", time.wareki(today))],
        landscape=True,
    )


def _unit_terminal(unit: Unit):
    from .models import Terminal

    return Terminal(unit=unit)

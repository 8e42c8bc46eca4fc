"""The printed register of one designation kind, one report per pack: the pack's form where the kind
names one (柳川市 様式第1号 端末機操作員報告書, YAN-12-3), otherwise the ledger the pack names
(電算要員登録台帳 FUK-17, 本人確認情報取扱者指定簿 YAN-8 …) or the list of the kind (FUK-18-2)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from mamori.core import time
from mamori.exports.forms import designation_report_export, form_of_pack
from mamori.exports.tables import TableExport
from mamori.organisation.models import Unit
from mamori.regulations.schema import DesignationRule, Pack

from .models import Designation
from .register import spec as register
from .services import designators_of, in_unit, report_recipients


def ledger(pack: Pack, spec: DesignationRule, *, unit: Unit | None = None, on: dt.date | None = None):
    """The kind's designations, of ``unit`` where given; ``on``: only those in force that day."""
    rows = Designation.objects.filter(pack=pack.pack, kind=spec.kind).select_related(
        "person", "system", "terminal__unit", "designated_by", "reported_to"
    )
    if unit is not None:
        rows = rows.filter(in_unit(spec, unit))
    if on is not None:
        rows = rows.on(on)
    return rows.order_by("terminal__host_name", "system__code", "person__staff_number", "valid_from", "id")


def _form_rows(pack: Pack, spec: DesignationRule, rows) -> Iterator[tuple]:
    """One row per target, day and designator, its values picked by the type of each form field: the
    unit, the designator (person), the target (text), the designated names (textarea), the day (date)."""
    groups: dict[tuple, list[Designation]] = defaultdict(list)
    for designation in rows:
        key = (designation.terminal or designation.system, designation.valid_from, designation.designated_by)
        groups[key].append(designation)
    fields = form_of_pack(pack, spec.report_form).fields
    for (target, valid_from, designator), members in groups.items():
        first = members[0]
        where = first.terminal.location if first.terminal_id else ""
        values = {
            "unit": first.terminal.unit.name if first.terminal_id else getattr(target, "name", ""),
            "person": designator.name,
            "text": f"{first.target_name}（{where}）" if where else first.target_name,
            "textarea": "、".join(m.person.name for m in members),
            "date": valid_from,
        }
        yield tuple(values.get(f.type, "") for f in fields)


def designation_report(
    *, pack: Pack, spec: DesignationRule, unit: Unit | None = None, on: dt.date | None = None, all_rows=False
) -> TableExport:
    """The designations of ``spec`` in force on ``on`` (every one with ``all_rows``) as the pack's
    report form, or as the kind's ledger."""
    today = on or time.today()
    rows = ledger(pack, spec, unit=unit, on=None if all_rows else today)
    if spec.report_form:
        reporter = recipient = ""
        if unit is not None:
            reporter = "、".join(
                f"{h.capacity} {h.person.name}" for h in designators_of(spec, unit=unit, on=today, pack=pack)
            )
            recipient = "、".join(
                f"{h.capacity} {h.person.name}" for h in report_recipients(spec, unit, on=today, pack=pack)
            )
        return designation_report_export(
            pack=pack,
            form_id=spec.report_form,
            rows=_form_rows(pack, spec, rows),
            unit_name=unit.name if unit else "",
            reported_by=reporter,
            reported_to=recipient,
            on=today,
        )
    return register.export(
        rows,
        title=spec.ledger or f"{spec.label}の指定",
        subtitle=f"{pack.municipality}{' ' + unit.name if unit else ''}",
        article=pack.cite(spec.article),
        meta=[("基準日", time.wareki(today))],
    )

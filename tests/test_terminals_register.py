"""The terminal register, operator designations (YAN-12-3, FUK-18-2) and their report (様式第1号)."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest

from mamori.accounts.models import User
from mamori.designations.models import Designation, DesignationState
from mamori.designations.reports import designation_report
from mamori.designations.services import (
    DesignationError,
    designation_add,
    designation_end,
    designations_report,
)
from mamori.organisation.roles import holders_of
from mamori.records.models import Record
from mamori.regulations.loader import get_pack
from mamori.systems.models import System
from mamori.terminals.services import (
    TerminalError,
    designated_on,
    terminal_register,
    terminal_retire,
)
from tests.conftest import TODAY, make_city

pytestmark = pytest.mark.django_db
# A terminal's operators are designations of the packs' per-terminal kind (YAN-12-3, FUK-18-2).
designate_operator = partial(designation_add, kind="terminal_operator")


def _account(city, name: str) -> User:
    return city.accounts[name][0]


@pytest.fixture
def yanagawa():
    return make_city("yanagawa")


def _terminal(city, unit_code="310", host="SHIMIN-PC01"):
    admin = _account(city, "admin")
    return terminal_register(
        host_name=host,
        unit=city.units[unit_code],
        actor=admin,
        active_from=dt.date(2026, 4, 1),
        location="市民課窓口",
        systems=list(System.objects.filter(code__in=["SYS01", "SYS02"])),
    )


def test_it_registers_a_terminal_with_its_systems_and_records_it(yanagawa):
    terminal = _terminal(yanagawa)
    assert sorted(terminal.systems.values_list("code", flat=True)) == ["SYS01", "SYS02"]
    record = Record.objects.filter(object_type="terminals.Terminal", object_id=str(terminal.pk)).get()
    assert record.action == "terminals.terminal.registered"
    assert record.after["host_name"] == "SHIMIN-PC01"
    with pytest.raises(TerminalError, match="登録済み"):
        _terminal(yanagawa, host="shimin-pc01")


def test_YAN_12_3_the_section_head_designates_operators_and_reports_them_on_yoshiki1(yanagawa):
    """YAN-12-3: the 所管課長 as 端末機管理責任者 designates; the list goes to the 情報セキュリティ責任者."""
    terminal = _terminal(yanagawa)
    kacho = _account(yanagawa, "kacho.shimin")
    operator = yanagawa.staff["310"][0]
    designation = designate_operator(
        terminal=terminal, person=operator, valid_from=TODAY, actor=kacho, on=TODAY
    )
    assert designation.designated_by == yanagawa.heads["310"]
    assert designation.designated_as == "端末機管理責任者"
    assert designation.state == DesignationState.DESIGNATED  # 様式第1号 reports it later
    assert (designation.kind, designation.label, designation.target) == (
        "terminal_operator",
        "端末機操作員",
        "terminal",
    )
    record = Record.objects.get(
        object_type="designations.Designation", action="designations.designation.added"
    )
    assert (record.requirement, yanagawa.pack.cite(record.article)) == ("YAN-12-3", "第12条第3項")
    assert designated_on(host_name="shimin-pc01", person=operator, on=TODAY)
    assert not designated_on(host_name="SHIMIN-PC01", person=operator, on=TODAY - dt.timedelta(days=1))

    reported = designations_report(
        kind="terminal_operator", unit=yanagawa.units["310"], actor=kacho, on=TODAY
    )
    assert [d.pk for d in reported] == [designation.pk]
    designation.refresh_from_db()
    assert designation.state == DesignationState.REPORTED
    assert designation.reported_to == yanagawa.heads["300"]  # 市民部長 = 情報セキュリティ責任者
    assert designation.reported_at is not None
    with pytest.raises(DesignationError, match="未報告"):
        designations_report(kind="terminal_operator", unit=yanagawa.units["310"], actor=kacho, on=TODAY)


def test_YAN_12_3_it_refuses_a_designation_by_someone_who_is_not_the_terminal_manager(yanagawa):
    """YAN-12-3: only the 端末責任者 of the terminal's section designates its operators."""
    terminal = _terminal(yanagawa)
    other_head = _account(yanagawa, "bucho.somu")
    with pytest.raises(DesignationError) as refused:
        designate_operator(
            terminal=terminal, person=yanagawa.staff["310"][0], valid_from=TODAY, actor=other_head, on=TODAY
        )
    assert refused.value.article == "第12条第3項"
    assert "端末機管理責任者" in refused.value.message
    assert not Designation.objects.exists()


def test_a_designation_ends_with_a_reason_and_the_terminal_retirement_ends_the_rest(yanagawa):
    terminal = _terminal(yanagawa)
    kacho = _account(yanagawa, "kacho.shimin")
    first, second = yanagawa.staff["310"][:2]
    one = designate_operator(terminal=terminal, person=first, valid_from=TODAY, actor=kacho, on=TODAY)
    designate_operator(terminal=terminal, person=second, valid_from=TODAY, actor=kacho, on=TODAY)
    with pytest.raises(DesignationError, match="既に"):
        designate_operator(terminal=terminal, person=first, valid_from=TODAY, actor=kacho, on=TODAY)
    with pytest.raises(DesignationError, match="理由"):
        designation_end(designation=one, on=TODAY, reason=" ", actor=kacho)
    designation_end(designation=one, on=TODAY + dt.timedelta(days=3), reason="異動", actor=kacho)
    assert not designated_on(host_name=terminal.host_name, person=first, on=TODAY + dt.timedelta(days=4))
    assert designated_on(host_name=terminal.host_name, person=second, on=TODAY + dt.timedelta(days=4))
    terminal_retire(terminal=terminal, on=TODAY + dt.timedelta(days=10), actor=_account(yanagawa, "admin"))
    assert not Designation.objects.exclude(state=DesignationState.ENDED).exists()
    # An ended designation is in force on no day asked about; its days stay for the log rules.
    assert not designated_on(host_name=terminal.host_name, person=second, on=TODAY + dt.timedelta(days=4))
    assert Designation.objects.get(person=second).valid_to == TODAY + dt.timedelta(days=10)
    assert Designation.objects.get(person=first).valid_to == TODAY + dt.timedelta(days=3)


def test_FUK_18_2_the_ict_head_designates_only_staff_of_the_terminals_section(db):
    """FUK-18-2: the ICT推進課長 designates staff of the section that installed the terminal."""
    city = make_city("fukuyama")
    terminal = _terminal(city)
    ict = holders_of("ict_section_head", on=TODAY, pack=get_pack("fukuyama"))[0].person
    admin = _account(city, "admin")
    with pytest.raises(DesignationError) as refused:
        designate_operator(
            terminal=terminal,
            person=city.staff["410"][0],
            valid_from=TODAY,
            actor=admin,
            designator=ict,
            on=TODAY,
        )
    assert refused.value.article == "第18条第2項"
    assert "市民課の職員ではありません" in refused.value.message
    designation = designate_operator(
        terminal=terminal,
        person=city.staff["310"][0],
        valid_from=TODAY,
        actor=admin,
        designator=ict,
        on=TODAY,
    )
    assert designation.designated_as == "ICT推進課長"
    # The 市民課長 is not the designator in 福山市.
    with pytest.raises(DesignationError):
        designate_operator(
            terminal=terminal,
            person=city.staff["310"][1],
            valid_from=TODAY,
            actor=_account(city, "kacho.shimin"),
            on=TODAY,
        )


def test_YAN_12_3_the_yoshiki1_report_lists_each_terminals_operators_as_xlsx_and_pdf(yanagawa):
    """YAN-12-3: 端末機操作員報告書 (様式第1号), from the designations in force."""
    import io

    from openpyxl import load_workbook

    from mamori.exports.tables import table_pdf, table_xlsx

    terminal = _terminal(yanagawa)
    kacho = _account(yanagawa, "kacho.shimin")
    for person in yanagawa.staff["310"][:2]:
        designate_operator(terminal=terminal, person=person, valid_from=TODAY, actor=kacho, on=TODAY)
    spec = yanagawa.pack.parameters.designations[-1]
    export = designation_report(pack=yanagawa.pack, spec=spec, unit=yanagawa.units["310"], on=TODAY)
    assert export.title == "端末機操作員報告書"
    assert "第12条第3項" in export.article
    sheet = load_workbook(io.BytesIO(table_xlsx(export))).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    names = "、".join(p.name for p in yanagawa.staff["310"][:2])
    assert names in cells
    assert any(yanagawa.heads["300"].name in c for c in cells)  # 報告先: 情報セキュリティ責任者
    assert table_pdf(
        designation_report(pack=yanagawa.pack, spec=spec, unit=yanagawa.units["310"], on=TODAY)
    ).startswith(b"%PDF")


def test_FUK_18_2_a_pack_without_a_report_form_prints_the_list_of_operators(db):
    city = make_city("fukuyama")
    terminal = _terminal(city)
    ict = holders_of("ict_section_head", on=TODAY, pack=get_pack("fukuyama"))[0].person
    designate_operator(
        terminal=terminal,
        person=city.staff["310"][0],
        valid_from=TODAY,
        actor=_account(city, "admin"),
        designator=ict,
        on=TODAY,
    )
    spec = next(d for d in city.pack.parameters.designations if d.per_terminal)
    export = designation_report(pack=city.pack, spec=spec, unit=None, on=TODAY)
    rows = list(export.rows)
    assert export.title == "端末機を操作する職員の指定" and export.article == "第18条第2項"
    labels = [c.label for c in export.columns]  # the register's export columns (designations/register.py)
    person, terminal = labels.index("指定された者"), labels.index("端末機")
    assert [(r[person], r[terminal]) for r in rows] == [(city.staff["310"][0].name, "SHIMIN-PC01")]

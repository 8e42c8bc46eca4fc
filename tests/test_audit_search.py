"""Audit search over operation events: by person, by subject, outside hours; keyset pages; exports."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from mamori.events.search import (
    SearchError,
    all_rows,
    audit_csv_chunks,
    audit_export,
    audit_page,
    audit_query,
    last_month,
)
from mamori.exports.tables import table_xlsx
from mamori.terminals.eventgen import Row, at, session, store_events
from tests.conftest import make_city

pytestmark = pytest.mark.django_db
MON, SAT = dt.date(2026, 10, 5), dt.date(2026, 10, 10)


@pytest.fixture
def yanagawa():
    city = make_city("yanagawa")
    first, second = city.staff["310"][:2]
    rows = [*session(first.staff_number, "PC1", MON, "08:40", "17:00", "0x1")]
    rows += [
        Row(
            at(MON, "09:00") + dt.timedelta(minutes=i),
            "search",
            first.staff_number,
            host="PC1",
            system="SYS01",
            subject=f"A{i % 7}",
            result_count=1,
        )
        for i in range(120)
    ]
    rows += [Row(at(MON, "10:00"), "search", second.staff_number, host="PC2", system="SYS01", subject="A3")]
    rows += [*session(second.staff_number, "PC2", SAT, "10:00", "11:00", "0x2")]
    store_events(rows)
    return city


def test_MAI_21_4_everything_a_person_did_between_two_dates_pages_by_keyset(yanagawa):
    """MAI-21-4 / MAI-3: every search is logged and can be read back per person, page by page."""
    first = yanagawa.staff["310"][0]
    query = audit_query(since="2026-10-01", until="2026-10-31", person=first.staff_number)
    seen, cursor, pages = [], "", 0
    while True:
        page = audit_page(query, after=cursor, limit=50, pack=yanagawa.pack)
        seen += page.rows
        pages += 1
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert pages == 3 and len(seen) == 122  # logon + 120 searches + logoff
    assert len({e.pk for e in seen}) == 122
    assert [e.at for e in seen] == sorted(e.at for e in seen)
    assert all(e.person == first for e in seen)


def test_MAI_3_everything_done_to_a_subject_for_a_disclosure_request(yanagawa):
    """MAI-3: who looked at resident A3, and when."""
    query = audit_query(since="2026-10-01", until="2026-10-31", subject="A3")
    rows = audit_page(query, limit=500, pack=yanagawa.pack).rows
    assert {e.account for e in rows} == {s.staff_number for s in yanagawa.staff["310"][:2]}
    assert all(e.subject == "A3" for e in rows)
    assert len(rows) == 18  # 120 searches cycle over A0–A6: A3 17 times, plus one by the second person


def test_YAN_13_1_all_sessions_outside_hours_last_month(yanagawa):
    """YAN-13-1: last month's use outside the operating hours (the Saturday session)."""
    since, until = last_month(dt.date(2026, 11, 16))
    assert (since, until) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    query = audit_query(since=since, until=until, outside_hours=True, kinds=["logon", "logoff"])
    rows = audit_page(query, pack=yanagawa.pack).rows
    assert [(e.kind, e.host) for e in rows] == [("logon", "PC2"), ("logoff", "PC2")]


def test_the_search_refuses_bad_input_naming_the_field(yanagawa):
    cases = [
        (dict(since="2026-10-31", until="2026-10-01", person="1001"), "until"),
        (dict(since="x", until="2026-10-01", person="1001"), "since"),
        (dict(since="2026-10-01", until="2026-10-31", person="nobody"), "person"),
        (dict(since="2026-10-01", until="2026-10-31"), "person"),
        (dict(since="2026-10-01", until="2026-10-31", subject="A1", kinds=["nap"]), "kinds"),
        (dict(since="2024-01-01", until="2026-10-31", subject="A1"), "until"),
    ]
    for values, field in cases:
        with pytest.raises(SearchError) as refused:
            audit_query(**values)
        assert refused.value.field == field


def test_the_results_export_as_xlsx_and_csv_with_every_row(yanagawa):
    first = yanagawa.staff["310"][0]
    query = audit_query(since="2026-10-01", until="2026-10-31", person=first.staff_number)
    assert len(list(all_rows(query, pack=yanagawa.pack, chunk=7))) == 122
    content = table_xlsx(audit_export(query, pack=yanagawa.pack))
    import io

    sheet = load_workbook(io.BytesIO(content)).active
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[2] == first.staff_number]
    assert len(values) == 122
    text = "".join(audit_csv_chunks(query, pack=yanagawa.pack))
    assert text.startswith("\ufeff日時,種別,利用者ID")
    assert text.count("\n") == 123


def test_FUK_18_1_a_terminals_operating_status_day_by_day(yanagawa):
    """FUK-18-1: 端末機の稼働状況を記録 — first and last use, count and users per day."""
    from mamori.events.search import terminal_activity

    days = terminal_activity("PC2", since=dt.date(2026, 10, 1), until=dt.date(2026, 10, 31))
    assert [d["day"] for d in days] == [SAT, MON]
    assert (days[0]["first"].strftime("%H:%M"), days[0]["last"].strftime("%H:%M"), days[0]["count"]) == (
        "10:00",
        "11:00",
        2,
    )
    assert days[1]["accounts"] == 1

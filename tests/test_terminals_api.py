"""The terminals API: register, designations (YAN-12-3), hours (YAN-13-1) and the audit search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from mamori.records.models import Record
from mamori.terminals.eventgen import Row, at, session, store_events
from tests.conftest import make_city

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


@pytest.fixture
def yanagawa():
    return make_city("yanagawa")


def test_YAN_12_3_terminals_and_designations_through_the_api(yanagawa):
    admin = client_for(yanagawa.accounts["admin"][0])
    body = {"host_name": "SHIMIN-PC01", "unit": "310", "systems": ["SYS01"], "active_from": "2026-04-01"}
    response = admin.post("/api/terminals/terminals", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["systems"] == ["SYS01"]
    bad = admin.post(
        "/api/terminals/terminals", {**body, "systems": ["NOPE"]}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "systems"
    clerk = client_for(yanagawa.accounts["shokuin"][0])
    assert clerk.post("/api/terminals/terminals", body, content_type="application/json").status_code == 403

    operator = yanagawa.staff["310"][0]
    designate = {"staff_number": operator.staff_number, "valid_from": "2026-11-01"}
    refused = clerk.post(
        "/api/terminals/terminals/SHIMIN-PC01/operators", designate, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["article"] == "第12条第3項"
    kacho = client_for(yanagawa.accounts["kacho.shimin"][0])
    made = kacho.post(
        "/api/terminals/terminals/shimin-pc01/operators", designate, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["designated_capacity"] == "端末機管理責任者"
    listed = kacho.get("/api/terminals/terminals/SHIMIN-PC01/operators").json()
    assert [o["staff_number"] for o in listed] == [operator.staff_number]
    reported = kacho.post("/api/terminals/units/310/report")
    assert reported.status_code == 200 and reported.json()[0]["state"] == "reported"
    xlsx = kacho.get("/api/terminals/report?fmt=xlsx&unit=310")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].startswith("attachment")


def test_YAN_13_1_the_hours_endpoint_says_why_a_moment_is_outside(yanagawa):
    client = client_for(yanagawa.accounts["shokuin"][0])
    inside = client.get("/api/terminals/hours", {"at": "2026-11-16T10:00:00+09:00"}).json()
    assert inside["within"] is True and inside["reason"] == ""
    outside = client.get("/api/terminals/hours", {"at": "2026-11-23T10:00:00"}).json()
    assert outside["within"] is False and "勤労感謝の日" in outside["reason"]


def test_MAI_3_the_audit_search_is_for_administrators_and_is_itself_recorded(yanagawa):
    """MAI-3: every access to a resident's operation history is logged, including the auditor's."""
    person = yanagawa.staff["310"][0]
    day = dt.date(2026, 10, 5)
    store_events(
        [
            *session(person.staff_number, "PC1", day, "08:40", "17:00", "0x1"),
            *[
                Row(
                    at(day, "09:00") + dt.timedelta(minutes=i),
                    "search",
                    person.staff_number,
                    host="PC1",
                    system="SYS01",
                    subject="R-1",
                )
                for i in range(3)
            ],
        ]
    )
    params = {"since": "2026-10-01", "until": "2026-10-31", "subject": "R-1", "limit": 2}
    json = "application/json"
    assert (
        client_for(yanagawa.accounts["shokuin"][0])
        .post("/api/terminals/audit/events", params, content_type=json)
        .status_code
        == 403
    )
    admin = client_for(yanagawa.accounts["admin"][0])
    first = admin.post("/api/terminals/audit/events", params, content_type=json).json()
    assert len(first["rows"]) == 2 and first["next_cursor"]
    assert first["rows"][0]["name"] == person.name
    second = admin.post(
        "/api/terminals/audit/events", {**params, "after": first["next_cursor"]}, content_type=json
    ).json()
    assert len(second["rows"]) == 1 and second["next_cursor"] == ""
    # Every page is a search of its own (tests/test_hardening_audit.py).
    assert Record.objects.filter(action="events.audit.searched").count() == 2
    csv = admin.post("/api/terminals/audit/export", {**params, "fmt": "csv"}, content_type=json)
    assert b"".join(csv.streaming_content).decode().count("R-1") == 3
    bad = admin.post(
        "/api/terminals/audit/events",
        {"since": "2026-10-31", "until": "2026-10-01", "subject": "R-1"},
        content_type=json,
    )
    assert bad.status_code == 400

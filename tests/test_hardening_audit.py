"""Audit search (MAI-3, MAI-21-4): every search, every further page and every export is recorded,
and they are POSTs — a GET never searches, so it never has to record (nor skips recording)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from mamori.records.models import Record
from mamori.terminals.eventgen import Row, at, store_events
from tests.conftest import make_city
from tests.test_api import client_for

JSON = "application/json"
DAY = dt.date(2026, 10, 5)
CONDITIONS = {"since": "2026-10-01", "until": "2026-10-31", "subject": "R-5"}


@pytest.fixture
def city(db):
    city = make_city("yanagawa")
    person = city.staff["310"][0]
    store_events(
        [
            Row(at(DAY, "09:00") + dt.timedelta(minutes=i), "search", person.staff_number, subject="R-5")
            for i in range(3)
        ]
    )
    return city


def searched() -> list[str]:
    return [r.after["purpose"] for r in Record.objects.filter(action="events.audit.searched").order_by("seq")]


def test_the_screen_searches_only_on_post_and_records_every_page(city):
    admin = client_for(city.accounts["admin"][0])
    shown = admin.get(reverse("audit_search"), CONDITIONS)
    assert shown.status_code == 200 and 'value="R-5"' in shown.content.decode()  # the form, filled
    assert "該当する操作記録" not in shown.content.decode() and searched() == []

    first = admin.post(reverse("audit_search"), CONDITIONS).content.decode()
    assert 'method="post"' in first and "R-5" in first
    admin.post(reverse("audit_search"), {**CONDITIONS, "after": "0.0"})  # a made-up cursor
    assert searched() == ["screen", "screen.next"]


def test_the_screen_export_is_a_post_and_recorded(city):
    admin = client_for(city.accounts["admin"][0])
    assert admin.get(reverse("audit_search_export", args=["csv"]), CONDITIONS).status_code == 405
    answer = admin.post(reverse("audit_search_export", args=["csv"]), CONDITIONS)
    assert answer.status_code == 200 and b"".join(answer.streaming_content).decode().count("R-5") == 3
    assert searched() == ["export.csv"]


def test_the_api_searches_by_post_and_records_pages_with_a_cursor_too(city):
    admin = client_for(city.accounts["admin"][0])
    usage = admin.get("/api/terminals/audit/events", CONDITIONS)
    assert usage.status_code == 405 and "POST" in usage.json()["message"]
    assert searched() == []

    first = admin.post("/api/terminals/audit/events", {**CONDITIONS, "limit": 2}, content_type=JSON).json()
    assert len(first["rows"]) == 2
    admin.post(
        "/api/terminals/audit/events",
        {**CONDITIONS, "limit": 2, "after": first["next_cursor"]},
        content_type=JSON,
    )
    after_zero = admin.post("/api/terminals/audit/events", {**CONDITIONS, "after": "0.0"}, content_type=JSON)
    assert after_zero.status_code == 200 and len(after_zero.json()["rows"]) == 3
    assert searched() == ["api", "api.next", "api.next"]

    assert admin.get("/api/terminals/audit/export", {**CONDITIONS, "fmt": "csv"}).status_code == 405
    export = admin.post("/api/terminals/audit/export", {**CONDITIONS, "fmt": "csv"}, content_type=JSON)
    assert export.status_code == 200 and searched()[-1] == "export.csv"

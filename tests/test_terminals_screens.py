"""Screens of the terminal register and the audit search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from mamori.core import time
from mamori.designations.models import Designation
from mamori.records.models import Record
from mamori.terminals.eventgen import Row, at, session, store_events
from tests.conftest import make_city

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def yanagawa():
    return make_city("yanagawa")


def test_YAN_12_3_a_section_head_registers_designates_and_reports_through_the_screens(yanagawa):
    admin = client_for(yanagawa.accounts["admin"][0])
    response = admin.post(
        reverse("terminal_new"),
        {
            "host_name": "SHIMIN-PC01",
            "location": "窓口",
            "unit": yanagawa.units["310"].pk,
            "active_from": "2026-04-01",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "terminal_detail", args=["SHIMIN-PC01"]
    )
    kacho = client_for(yanagawa.accounts["kacho.shimin"][0])
    page = kacho.get(reverse("terminal_detail", args=["SHIMIN-PC01"]))
    assert "操作員を指定する" in page.content.decode()
    operator = yanagawa.staff["310"][0]
    kacho.post(
        reverse("terminal_designate", args=["SHIMIN-PC01"]),
        {"person": operator.pk, "valid_from": time.today().isoformat()},
    )
    assert Designation.objects.filter(person=operator).exists()
    kacho.post(reverse("terminal_report_submit", args=["310"]))
    assert Designation.objects.get(person=operator).state == "reported"
    listing = kacho.get(reverse("terminals")).content.decode()
    assert "SHIMIN-PC01" in listing and "1名" in listing
    assert (
        kacho.get(reverse("terminal_report", args=["pdf"]) + "?unit=310")["Content-Type"] == "application/pdf"
    )
    assert "08:30〜17:00" in kacho.get(reverse("terminal_hours")).content.decode()


def test_MAI_21_4_the_audit_search_screen_pages_and_exports_and_is_for_administrators(yanagawa):
    """MAI-21-4: searches are logged and can be reviewed; the review itself is recorded."""
    person = yanagawa.staff["310"][0]
    day = dt.date(2026, 10, 5)
    store_events(
        [
            *session(person.staff_number, "PC1", day, "08:40", "17:00", "0x1"),
            Row(at(day, "09:00"), "search", person.staff_number, host="PC1", system="SYS01", subject="R-7"),
        ]
    )
    assert client_for(yanagawa.accounts["shokuin"][0]).get(reverse("audit_search")).status_code == 403
    admin = client_for(yanagawa.accounts["admin"][0])
    page = admin.post(
        reverse("audit_search"), {"since": "2026-10-01", "until": "2026-10-31", "subject": "R-7"}
    )
    text = page.content.decode()
    assert person.name in text and "R-7" in text
    assert Record.objects.filter(action="events.audit.searched").count() == 1
    bad = admin.post(
        reverse("audit_search"), {"since": "2026-10-31", "until": "2026-10-01", "subject": "R-7"}
    )
    assert "終了日が開始日より前です" in bad.content.decode()
    export = admin.post(
        reverse("audit_search_export", args=["xlsx"]),
        {"since": "2026-10-01", "until": "2026-10-31", "subject": "R-7"},
    )
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    preset = admin.post(reverse("audit_search"), {"preset": "last_month_outside"})
    assert preset.status_code == 200

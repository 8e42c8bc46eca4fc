"""The export downloads: a request's form only for those who may see the request, the management
file with the list's filters and KIT-4 visibility, in a number of queries that does not grow with
the number of lines."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mamori.access.models import Entitlement
from mamori.organisation.models import Person
from mamori.systems.models import Privilege, System
from tests.conftest import TODAY
from tests.test_kitami_privilege import privilege_request

ON = f"?on={TODAY.isoformat()}"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def grant(people, persons: list[Person], system_code: str = "SYS01") -> None:
    system = System.objects.get(code=system_code)
    privilege = Privilege.objects.filter(system=system).order_by("code").first()
    Entitlement.objects.bulk_create(
        Entitlement(
            person=person,
            system=system,
            privilege=privilege,
            user_id=f"U{person.staff_number}",
            valid_from=TODAY - dt.timedelta(days=30),
            registered_at=dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC),
            registered_by=people.approver,
        )
        for person in persons
    )


def staff_numbers(content: bytes) -> set[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row and row[1] == "職員番号")
    return {row[1] for row in rows[header + 1 :] if row and row[1]}


def test_the_requester_downloads_the_request_form_and_an_outsider_cannot(city, people):
    request = privilege_request(city, people)
    response = client_for(people.requester).get(f"/exports/requests/{request.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"IPAexGothic" in response.content
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    xlsx = client_for(people.approver).get(f"/exports/requests/{request.pk}.xlsx")  # asked to decide
    assert xlsx.status_code == 200
    assert client_for(people.outsider).get(f"/exports/requests/{request.pk}.pdf").status_code == 404
    assert client_for(people.requester).get(f"/exports/requests/{request.pk}.docx").status_code == 404


def test_kit_4_a_security_officer_exports_the_users_of_their_own_organisation_only(city, people):
    """KIT-4: 市民部長 (情報セキュリティ責任者 of 市民部) gets 市民部's lines; the administrator all."""
    ours = city.staff["310"][:2]
    theirs = city.staff["410"][:2]
    grant(people, ours + theirs)
    officer = client_for(people.requester).get(f"/exports/management-file.xlsx{ON}")
    assert officer.status_code == 200
    assert staff_numbers(officer.content) == {p.staff_number for p in ours}
    admin = client_for(people.admin).get(f"/exports/management-file.xlsx{ON}")
    assert {p.staff_number for p in ours + theirs} <= staff_numbers(admin.content)


def test_the_management_file_export_follows_the_list_filters(city, people):
    grant(people, city.staff["310"][:2] + city.staff["410"][:1])
    response = client_for(people.admin).get(f"/exports/management-file.xlsx{ON}&unit=410&system=SYS01")
    assert staff_numbers(response.content) == {city.staff["410"][0].staff_number}
    pdf = client_for(people.admin).get(f"/exports/management-file.pdf{ON}&unit=410")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_the_management_file_export_takes_as_many_queries_for_many_lines_as_for_few(city, people):
    """The export streams one query's rows: its query count must not grow with the lines."""
    client = client_for(people.requester)
    persons = list(Person.objects.filter(staff_number__in=[p.staff_number for p in city.staff["310"]]))
    grant(people, persons[:1])
    client.get(f"/exports/management-file.xlsx{ON}")  # warm the session and the pack
    with CaptureQueriesContext(connection) as few:
        response = client.get(f"/exports/management-file.xlsx{ON}")
    assert len(staff_numbers(response.content)) == 1
    for code in ("SYS02", "SYS03", "SYS04"):
        grant(people, persons, system_code=code)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/exports/management-file.xlsx{ON}")
    assert len(staff_numbers(response.content)) == len(persons)
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]


def test_the_export_page_offers_both_formats(city, people):
    response = client_for(people.requester).get("/exports/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/exports/management-file.xlsx" in body and "/exports/management-file.pdf" in body


def test_the_api_exports_the_management_file_and_the_request_form_within_the_callers_scope(city, people):
    """KIT-4 through the API: the officer's download holds their organisation's lines only."""
    grant(people, city.staff["310"][:1] + city.staff["410"][:1])
    client = client_for(people.requester)
    response = client.get(f"/api/exports/management-file?fmt=xlsx&on={TODAY.isoformat()}")
    assert response.status_code == 200
    assert staff_numbers(response.content) == {city.staff["310"][0].staff_number}
    request = privilege_request(city, people)
    form = client.get(f"/api/exports/requests/{request.pk}?fmt=pdf")
    assert form.status_code == 200 and form.content.startswith(b"%PDF-")
    assert client_for(people.outsider).get(f"/api/exports/requests/{request.pk}").status_code == 404
    schema = client.get("/api/openapi.json").json()
    assert "/api/exports/management-file" in schema["paths"]


def test_like_the_list_the_export_holds_open_lines_unless_asked_for_every_state(city, people):
    ours = city.staff["310"][:2]
    grant(people, ours)
    Entitlement.objects.filter(person=ours[1]).update(state="expired", valid_to=TODAY - dt.timedelta(days=1))
    client = client_for(people.admin)
    default = staff_numbers(client.get(f"/exports/management-file.xlsx{ON}&unit=310").content)
    assert default == {ours[0].staff_number}
    every = staff_numbers(client.get(f"/exports/management-file.xlsx{ON}&unit=310&state=").content)
    assert every == {p.staff_number for p in ours}

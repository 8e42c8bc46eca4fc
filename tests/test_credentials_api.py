"""The credentials and designations JSON API: every action, documented in the OpenAPI schema; a
password appears in the response that issued it and in no later one."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from mamori.credentials.models import Credential
from mamori.workflows.services import request_file
from tests.conftest import TODAY, make_city


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, body or {}, content_type="application/json")


def test_the_openapi_schema_documents_every_credentials_and_designations_action(people):
    paths = client_for(people.requester).get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/credentials/passwords",
        "/api/credentials/passwords/{credential_id}/changed",
        "/api/credentials/password-requests/{request_id}/register",
        "/api/credentials/operator-ids",
        "/api/credentials/verification-ids/{code}/end",
        "/api/credentials/viewing-ids",
        "/api/credentials/loans",
        "/api/credentials/loans/{loan_id}/return",
        "/api/designations/",
        "/api/designations/{pk}/end",
        "/api/designations/kinds",
    ):
        assert path in paths, path


def test_kit_8_2_the_api_shows_the_temporary_password_once(city, people):
    """KIT-8-2: the issuing response carries the secret; the list never does."""
    admin = client_for(people.approver)
    issued = post(
        admin, "/api/credentials/passwords", {"person": city.staff["310"][0].staff_number, "system": "SYS01"}
    )
    assert issued.status_code == 201, issued.content
    body = issued.json()
    credential = Credential.objects.get(pk=body["credential"]["id"])
    assert check_password(body["secret"], credential.secret_hash)
    listed = admin.get("/api/credentials/passwords")
    assert listed.status_code == 200 and body["secret"] not in listed.content.decode()
    refused = post(
        client_for(people.outsider),
        "/api/credentials/passwords",
        {"person": city.staff["310"][0].staff_number, "system": "SYS01"},
    )
    assert refused.status_code == 400 and refused.json()["article"] == "第8条第2項"
    changed = post(admin, f"/api/credentials/passwords/{credential.pk}/changed")
    assert changed.status_code == 200 and changed.json()["state"] == "changed"


def test_kit_8_1_registering_form_2_through_the_api_returns_the_password(city, people):
    """KIT-8-1, KIT-8-2: the administrator registers the 別記様式2 request and receives the secret."""
    request = request_file(
        kind="access.password", actor=people.outsider, on=TODAY, payload={"system": "SYS01"}
    )
    response = post(client_for(people.approver), f"/api/credentials/password-requests/{request.pk}/register")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "approved" and len(body["issued"]) == 1
    assert body["issued"][0]["credential"]["person"] == people.outsider.person.staff_number


def test_kit_11_lend_and_return_through_the_api(city, people):
    """KIT-11: register an ID, lend it, refuse a second loan, return it."""
    officer = client_for(people.requester)
    assert post(officer, "/api/credentials/viewing-ids", {"code": "V-1", "unit": "310"}).status_code == 201
    lent = post(
        officer,
        "/api/credentials/loans",
        {"viewing_id": "V-1", "viewer": people.outsider.person.staff_number},
    )
    assert lent.status_code == 201, lent.content
    again = post(
        officer, "/api/credentials/loans", {"viewing_id": "V-1", "viewer": city.staff["510"][0].staff_number}
    )
    assert again.status_code == 400 and "貸与中" in again.json()["message"]
    returned = post(officer, f"/api/credentials/loans/{lent.json()['id']}/return")
    assert returned.status_code == 200 and returned.json()["returned_at"]


@pytest.mark.django_db
def test_mai_23_and_fuk_10_through_the_api(account_for):
    """MAI-23 IDs in maizuru; FUK-10 designation with its report in fukuyama."""
    maizuru = make_city("maizuru")
    manager = client_for(account_for(maizuru.head_of("デジタル推進課")))
    body = {
        "person": maizuru.staff["310"][0].staff_number,
        "system": "SYS01",
        "privileges": ["view"],
        "operator_id": "P-1",
    }
    assert post(manager, "/api/credentials/operator-ids", body).status_code == 201
    body["person"] = maizuru.staff["310"][1].staff_number
    refused = post(manager, "/api/credentials/operator-ids", body)
    assert refused.status_code == 400 and "第23条" in refused.json()["article"]


@pytest.mark.django_db
def test_fuk_10_designation_through_the_api(account_for):
    """FUK-10: the 取扱責任者 designates 電算要員; the response names the データ保護管理者 reported to."""
    fukuyama = make_city("fukuyama")
    officer = client_for(account_for(fukuyama.heads["310"]))
    kinds = officer.get("/api/designations/kinds").json()
    assert "computing_staff" in [k["kind"] for k in kinds]
    person = fukuyama.staff["310"][0]
    added = post(
        officer,
        "/api/designations/",
        {"kind": "computing_staff", "person_id": person.pk, "valid_from": TODAY.isoformat()},
    )
    assert added.status_code == 201, added.content
    assert added.json()["reported_to"]
    listed = officer.get("/api/designations/", {"kind": "computing_staff"}).json()
    assert [d["id"] for d in listed["items"]] == [added.json()["id"]] and listed["count"] == 1
    ended = post(
        officer, f"/api/designations/{added.json()['id']}/end", {"on": TODAY.isoformat(), "reason": "異動"}
    )
    assert ended.status_code == 200 and ended.json()["state"] == "ended"


@pytest.mark.django_db
def test_it_pages_the_operator_ids_with_the_whole_count(account_for):
    """MAI-23's IDs are one of ninja's pages (items, count): the second page holds the rest."""
    maizuru = make_city("maizuru")
    manager = client_for(account_for(maizuru.head_of("デジタル推進課")))
    for n, person in enumerate(maizuru.staff["310"][:3]):
        body = {
            "person": person.staff_number,
            "system": "SYS01",
            "privileges": ["view"],
            "operator_id": f"P-{n}",
        }
        assert post(manager, "/api/credentials/operator-ids", body).status_code == 201
    first = manager.get("/api/credentials/operator-ids?page_size=2").json()
    second = manager.get("/api/credentials/operator-ids?page_size=2&page=2").json()
    assert first["count"] == second["count"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert {o["code"] for o in first["items"] + second["items"]} == {"P-0", "P-1", "P-2"}

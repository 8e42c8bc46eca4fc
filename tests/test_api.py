"""The JSON API drives the same engine as the screens."""

from __future__ import annotations

from django.test import Client

from mamori.workflows.models import RequestState


def client_for(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def test_the_openapi_schema_documents_the_request_endpoints(people):
    schema = client_for(people.requester).get("/api/openapi.json").json()
    assert "/api/requests" in schema["paths"]
    assert "/api/requests/{request_id}/decisions" in schema["paths"]


def test_kit_5_2_and_kit_5_4_through_the_api(city, people):
    payload = {
        "action": "grant",
        "person": city.staff["310"][0].staff_number,
        "system": "SYS01",
        "privileges": ["view"],
        "user_id": "U1",
        "valid_from": "2026-11-16",
    }
    created = client_for(people.requester).post(
        "/api/requests", {"kind": "access.privilege", "payload": payload}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    inbox = client_for(people.approver).get("/api/approvals").json()
    assert [r["id"] for r in inbox] == [request_id]
    decided = client_for(people.approver).post(
        f"/api/requests/{request_id}/decisions",
        {"action": "approve", "comment": "登録済"},
        content_type="application/json",
    )
    assert decided.status_code == 200
    body = decided.json()
    assert body["state"] == RequestState.APPROVED
    assert body["steps"][0]["decided_as"] == "COKAS-R/ADⅡ管理者、中間サーバー管理者又は個別システム管理者"


def test_the_api_refuses_self_approval_with_a_readable_message(city, people):
    payload = {
        "action": "grant",
        "person": city.staff["310"][0].staff_number,
        "system": "SYS01",
        "privileges": ["view"],
    }
    created = (
        client_for(people.requester)
        .post(
            "/api/requests", {"kind": "access.privilege", "payload": payload}, content_type="application/json"
        )
        .json()
    )
    refused = client_for(people.requester).post(
        f"/api/requests/{created['id']}/decisions", {"action": "approve"}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert "自分の申請" in refused.json()["message"]


def test_the_api_needs_a_log_in(db):
    assert Client().get("/api/requests").status_code == 401


def test_only_an_administrator_verifies_records_through_the_api(people):
    assert client_for(people.outsider).get("/api/records/verify").status_code == 403
    result = client_for(people.admin).get("/api/records/verify").json()
    assert result["ok"] and result["checked"] > 0


def test_role_holders_on_a_day(people):
    holders = client_for(people.outsider).get("/api/roles/holders?on=2026-11-16").json()
    names = {h["role_name"] for h in holders}
    assert "情報セキュリティ責任者" in names


def test_a_post_without_the_csrf_token_is_refused(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.requester)
    refused = client.post(
        "/api/requests", {"kind": "access.privilege", "payload": {}}, content_type="application/json"
    )
    assert refused.status_code == 403

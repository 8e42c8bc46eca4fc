"""JSON lines through the authenticated API: log-in, CSRF, permission, refusal naming the line."""

from __future__ import annotations

import json

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from mamori.events.models import Event
from mamori.events.services import event_source_save

LINE = {
    "at": "2026-11-16T09:00:00+09:00",
    "kind": "search",
    "account": "shokuin",
    "subject": "100",
    "training": True,
}


def body(*events) -> str:
    return "\n".join(json.dumps(event, ensure_ascii=False) for event in events)


def csrf_client(user) -> Client:
    """A logged-in browser-like client that sends its CSRF token, as the screens do."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client


@pytest.fixture
def source(db):
    return event_source_save(code="agent", name="ログ収集", format="jsonl", system="jukiki")


def test_kit_10_jsonl_through_the_api_with_log_in_and_csrf(source, people):
    client = csrf_client(people.admin)
    created = client.post(
        "/api/events/ingest?source=agent",
        body(LINE, {**LINE, "subject": "101"}),
        content_type="application/x-ndjson",
    )
    assert created.status_code == 201, created.content
    assert created.json()["stored"] == 2
    assert Event.objects.filter(training=True, system="jukiki").count() == 2
    again = client.post("/api/events/ingest?source=agent", body(LINE), content_type="application/x-ndjson")
    assert (again.json()["stored"], again.json()["duplicate"]) == (0, 1)


def test_the_api_refuses_without_log_in_csrf_or_permission(source, people):
    assert (
        Client()
        .post("/api/events/ingest?source=agent", body(LINE), content_type="application/x-ndjson")
        .status_code
        == 401
    )
    no_token = Client(enforce_csrf_checks=True)
    no_token.force_login(people.admin)
    assert (
        no_token.post(
            "/api/events/ingest?source=agent", body(LINE), content_type="application/x-ndjson"
        ).status_code
        == 403
    )
    refused = csrf_client(people.outsider).post(
        "/api/events/ingest?source=agent", body(LINE), content_type="application/x-ndjson"
    )
    assert refused.status_code == 403
    assert not Event.objects.exists()


def test_a_bad_line_through_the_api_refuses_the_body_naming_line_and_field(source, people):
    client = csrf_client(people.admin)
    refused = client.post(
        "/api/events/ingest?source=agent",
        body(LINE, {**LINE, "account": ""}),
        content_type="application/x-ndjson",
    )
    assert refused.status_code == 400
    assert refused.json()["bad_lines"] == [{"line": 2, "field": "account", "reason": "利用者IDがありません"}]
    assert not Event.objects.exists()
    kept = client.post(
        "/api/events/ingest?source=agent&quarantine=true",
        json.dumps([LINE, {**LINE, "account": ""}]),
        content_type="application/json",
    )
    assert kept.status_code == 201
    assert (kept.json()["stored"], kept.json()["quarantined"]) == (1, 1)
    assert kept.json()["bad_lines"][0]["line"] == 2


def test_sources_and_the_openapi_schema(source, people):
    # Issue 10: sources and batches are the administrators' (and a log-shipping account's), not all staff's.
    assert csrf_client(people.outsider).get("/api/events/sources").status_code == 403
    assert csrf_client(people.outsider).get("/api/events/batches").status_code == 403
    client = csrf_client(people.admin)
    assert [s["code"] for s in client.get("/api/events/sources").json()] == ["agent"]
    schema = client.get("/api/openapi.json").json()
    assert "/api/events/ingest" in schema["paths"]
    assert "/api/events/sources" in schema["paths"]
    csrf_client(people.admin).post(
        "/api/events/ingest?source=agent", body(LINE), content_type="application/x-ndjson"
    )
    (batch,) = client.get("/api/events/batches").json()
    assert (batch["source"], batch["state"], batch["stored"]) == ("agent", "complete", 1)

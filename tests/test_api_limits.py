"""Every free-text input of the JSON API is bounded (issue 10: "every text field has a maximum length").

The OpenAPI schema is the contract: every string a client may send — in a request body, a query or a
path — declares a ``maxLength`` (dates, times, files and enumerations excepted), and the API refuses
what goes beyond it before anything is written."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from django.test import Client
from ninja import Schema

from mamori.api import api
from mamori.core.schemas import CODE_MAX, PAYLOAD_MAX, TEXT_MAX, TITLE_MAX
from mamori.workflows.models import Decision, Request, RequestState, RequestStep, StepState

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
EXEMPT_FORMATS = {"date", "date-time", "time", "binary"}
MEGABYTE = "x" * 1_000_000
ROUTERS = ("access", "credentials", "designations", "reviews", "terminals", "events", "exports")


def unbounded_strings(schema: Any, components: dict[str, Any], where: str, seen=frozenset()) -> Iterator[str]:
    """The places under ``schema`` where a string has no maxLength, following $refs (once each on a
    path, so recursive schemas end), arrays, objects and anyOf/oneOf/allOf."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            yield from unbounded_strings(components[name], components, f"{where}<{name}>", seen | {name})
        return
    for combiner in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(combiner, []):
            yield from unbounded_strings(option, components, where, seen)
    kinds = schema.get("type")
    kinds = set(kinds) if isinstance(kinds, list) else {kinds}
    if (
        "string" in kinds
        and "maxLength" not in schema
        and schema.get("format") not in EXEMPT_FORMATS
        and "enum" not in schema
        and "const" not in schema
    ):
        yield where
    if "items" in schema:
        yield from unbounded_strings(schema["items"], components, f"{where}[]", seen)
    for name, prop in schema.get("properties", {}).items():
        yield from unbounded_strings(prop, components, f"{where}.{name}", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from unbounded_strings(schema["additionalProperties"], components, f"{where}.*", seen)


def offending_inputs(openapi: dict[str, Any]) -> list[str]:
    components = openapi.get("components", {}).get("schemas", {})
    found = []
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            here = f"{method.upper()} {path}"
            for parameter in item.get("parameters", []) + operation.get("parameters", []):
                where = f"{here} {parameter['in']}:{parameter['name']}"
                found += unbounded_strings(parameter.get("schema", {}), components, where)
            content = operation.get("requestBody", {}).get("content", {})
            for media_type, body in content.items():
                found += unbounded_strings(body.get("schema", {}), components, f"{here} body({media_type})")
    return found


def test_every_string_the_api_accepts_has_a_maximum_length():
    offending = offending_inputs(api.get_openapi_schema())
    assert not offending, "入力の文字列に maxLength がありません:\n" + "\n".join(offending)


def test_the_walker_finds_an_unbounded_string_wherever_it_is():
    """The check above is not vacuous: a bare string is found in a body behind a $ref, an array, an
    anyOf and a query; dates, enums and bounded strings pass."""
    openapi = {
        "paths": {
            "/x/{code}": {
                "post": {
                    "parameters": [
                        {"in": "path", "name": "code", "schema": {"type": "string"}},
                        {"in": "query", "name": "on", "schema": {"type": "string", "format": "date"}},
                        {"in": "query", "name": "fmt", "schema": {"type": "string", "enum": ["pdf"]}},
                    ],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/c/In"}}}},
                }
            }
        },
        "components": {
            "schemas": {
                "In": {
                    "properties": {
                        "ok": {"type": "string", "maxLength": 10},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                        "self": {"$ref": "#/c/In"},
                    }
                }
            }
        },
    }
    assert offending_inputs(openapi) == [
        "POST /x/{code} path:code",
        "POST /x/{code} body(application/json)<In>.tags[]",
        "POST /x/{code} body(application/json)<In>.note",
    ]


def test_every_schema_has_its_own_name_in_the_openapi_components():
    """Two schemas of one name share one entry of ``components/schemas``: the documentation (and the
    check above) would show one in place of the other."""
    routers = ["mamori.api"] + [f"mamori.{name}.api" for name in ROUTERS]
    owners: dict[str, list[str]] = {}
    for module_name in routers:
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module_name:
                owners.setdefault(name, []).append(module_name)
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}


# --- end to end: the limits are enforced, and nothing is written -----------------------------------


def client_for(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def privilege_payload(city) -> dict[str, Any]:
    return {
        "action": "grant",
        "person": city.staff["310"][0].staff_number,
        "system": "SYS01",
        "privileges": ["view"],
    }


def post(user, path: str, body: dict[str, Any]):
    return client_for(user).post(path, body, content_type="application/json")


def refused(response) -> bool:
    return response.status_code in (400, 422)


def test_a_megabyte_title_is_refused_and_nothing_is_filed(city, people):
    before = Request.objects.count()
    response = post(
        people.requester,
        "/api/requests",
        {"kind": "access.privilege", "title": MEGABYTE, "payload": privilege_payload(city)},
    )
    assert refused(response), (response.status_code, response.content[:300])
    assert Request.objects.count() == before


def test_a_title_at_the_limit_is_filed(city, people):
    title = "件" * TITLE_MAX
    response = post(
        people.requester,
        "/api/requests",
        {"kind": "access.privilege", "title": title, "payload": privilege_payload(city)},
    )
    assert response.status_code == 201, response.content[:300]
    assert Request.objects.get(pk=response.json()["id"]).title == title


def test_a_megabyte_decision_comment_is_refused_and_nothing_is_decided(city, people):
    filed = post(
        people.requester, "/api/requests", {"kind": "access.privilege", "payload": privilege_payload(city)}
    )
    assert filed.status_code == 201, filed.content[:300]
    request_id = filed.json()["id"]
    decisions = Decision.objects.count()
    response = post(
        people.approver, f"/api/requests/{request_id}/decisions", {"action": "approve", "comment": MEGABYTE}
    )
    assert refused(response), (response.status_code, response.content[:300])
    assert Decision.objects.count() == decisions
    assert Request.objects.get(pk=request_id).state == RequestState.SUBMITTED
    assert RequestStep.objects.filter(request_id=request_id, state=StepState.PENDING).exists()
    # A comment at the limit is taken.
    decided = post(
        people.approver,
        f"/api/requests/{request_id}/decisions",
        {"action": "approve", "comment": "意" * TEXT_MAX},
    )
    assert decided.status_code == 200, decided.content[:300]


def test_a_payload_with_a_long_value_is_refused_naming_the_field(city, people):
    payload = {**privilege_payload(city), "reason": "理" * (TEXT_MAX + 1)}
    before = Request.objects.count()
    response = post(people.requester, "/api/requests", {"kind": "access.privilege", "payload": payload})
    assert response.status_code == 422, response.content[:300]
    # The one Problem schema, as every other refusal (issue 9): what is wrong and the field at fault.
    assert set(response.json()) == {"message", "article", "field"}
    assert response.json()["message"].startswith("payload.reason の文字数")
    message = str(response.json())
    assert "payload.reason" in message and "2,000" in message
    assert Request.objects.count() == before


def test_a_payload_too_large_as_a_whole_is_refused(city, people):
    # Many short values: each is within the limit, the whole is not.
    payload = {**privilege_payload(city), **{f"extra{n}": "あ" * 100 for n in range(PAYLOAD_MAX // 100)}}
    before = Request.objects.count()
    response = post(people.requester, "/api/requests", {"kind": "access.privilege", "payload": payload})
    assert response.status_code == 422, response.content[:300]
    assert "payload" in str(response.json()) and f"{PAYLOAD_MAX:,}" in str(response.json())
    assert Request.objects.count() == before


def test_a_long_search_in_the_query_is_refused(people):
    client = client_for(people.requester)
    assert client.get("/api/access/entitlements", {"q": "氏" * CODE_MAX}).status_code == 200
    assert client.get("/api/access/entitlements", {"q": "氏" * (CODE_MAX + 1)}).status_code == 422


def test_a_routers_own_refusal_is_the_problem_schema_too(people):
    """Issue 9: one exception path; an HttpError a router raises (a request that is not there) answers
    in the one Problem schema, not ninja's ``{"detail": …}``."""
    response = client_for(people.approver).get("/api/exports/requests/987654")
    assert response.status_code == 404, response.content[:300]
    assert set(response.json()) == {"message", "article", "field"}
    assert "見つからない" in response.json()["message"]

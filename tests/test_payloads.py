"""Typed request payloads (issue 9 item 3): every request kind of every pack takes the fields of the
form its chain names (mamori/workflows/payloads.py), with or without a handler, through the API
and through the screen; an unknown field and a missing required one are refused naming the field
and the form's article."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from django import forms
from django.test import Client

from mamori.access import kinds
from mamori.demo.requests import _account_for, _filer
from mamori.regulations.loader import available_packs, get_pack
from mamori.systems.models import Privilege, System
from mamori.workflows import handlers
from mamori.workflows.handlers import handler_for
from mamori.workflows.models import Request
from mamori.workflows.payloads import NOT_ON_FORM, REQUIRED, PayloadSchema, payload_schema
from tests.conftest import TODAY, make_city

CASES = [(pack, chain.kind) for pack in sorted(available_packs()) for chain in get_pack(pack).chains]
UNKNOWN = "bogus_field"
LATER = (TODAY + dt.timedelta(days=30)).isoformat()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def filer_of(city, kind: str):
    chain = city.pack.chain(kind)
    return _account_for(city, _filer(chain, city.pack, city, TODAY))


def valid_payload(schema: PayloadSchema, city) -> dict[str, Any]:
    """The required fields (and the choices, which the screen asks for) filled in correctly."""
    system = System.objects.order_by("code").first()
    samples = {
        "date": LATER,
        "datetime": f"{LATER}T10:00",
        "number": 3,
        "person": city.staff["310"][0].staff_number,
        "unit": city.units["310"].code,
        "system": system.code if system else "",
    }
    payload: dict[str, Any] = {}
    for spec in schema.fields:
        if spec.type == "choice":
            payload[spec.name] = spec.choices[0]
        elif not spec.required:
            continue
        elif spec.name == "privileges":
            payload[spec.name] = [Privilege.objects.filter(system=system).order_by("pk").first().code]
        elif spec.type in samples:
            payload[spec.name] = samples[spec.type]
        else:
            payload[spec.name] = f"{spec.label}の記入例"
    return payload


def first_required(schema: PayloadSchema) -> str:
    return next(spec.name for spec in schema.fields if spec.required)


def api_post(client: Client, kind: str, payload: dict[str, Any]):
    return client.post("/api/requests", {"kind": kind, "payload": payload}, content_type="application/json")


def screen_data(form, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the screen posts it: a list in one box is comma-separated, check boxes a list."""
    data: dict[str, Any] = {}
    for name, value in payload.items():
        many = isinstance(form.fields.get(name), forms.MultipleChoiceField)
        data[name] = value if many or not isinstance(value, list) else ",".join(value)
    return data


@pytest.mark.parametrize(("pack", "kind"), CASES, ids=[f"{pack}-{kind}" for pack, kind in CASES])
def test_it_refuses_an_unknown_field_and_a_missing_one_naming_the_field(db, pack, kind):
    city = make_city(pack)
    chain = city.pack.chain(kind)
    schema = payload_schema(city.pack, chain)
    client = client_for(filer_of(city, kind))
    good = valid_payload(schema, city)
    missing = first_required(schema)
    label = schema.spec(missing).label

    # The API: 400 in the Problem shape, naming the field and the form's article.
    answer = api_post(client, kind, {**good, UNKNOWN: "x"})
    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["field"] == UNKNOWN and NOT_ON_FORM in problem["message"], problem
    assert problem["article"] == schema.article
    answer = api_post(client, kind, {k: v for k, v in good.items() if k != missing})
    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["field"] == missing and REQUIRED in problem["message"] and label in problem["message"]
    assert problem["article"] == schema.article

    # The screen: the same schema in the form's clean(); the refusal at the field.
    url = f"/requests/new/{kind}/"
    form = client.get(url).context["form"]
    shown = client.post(url, screen_data(form, {k: v for k, v in good.items() if k != missing}))
    assert shown.status_code == 400
    assert missing in shown.context["form"].errors, shown.context["form"].errors
    assert f'id="field-{missing}"' in shown.content.decode()
    shown = client.post(url, {**screen_data(form, good), UNKNOWN: "x"})
    assert shown.status_code == 400
    assert any(UNKNOWN in error for error in shown.context["form"].non_field_errors())
    assert not Request.objects.exists()


def test_a_kind_without_a_handler_takes_its_pack_form_and_nothing_else(db):
    """福山市 第28条第1項: 電算処理業務計画書及び仕様書 has five required fields; anything else is refused."""
    city = make_city("fukuyama")
    client = client_for(filer_of(city, "vendors.outsourcing"))
    answer = api_post(client, "vendors.outsourcing", {"anything": [1]})
    assert answer.status_code == 400
    assert answer.json() == {
        "message": "委託業務の内容: 必須です",
        "article": "第28条第1項",
        "field": "task",
    }
    schema = payload_schema(city.pack, city.pack.chain("vendors.outsourcing"))
    good = valid_payload(schema, city)
    answer = api_post(client, "vendors.outsourcing", good)
    assert answer.status_code == 201, answer.content
    assert Request.objects.get(pk=answer.json()["id"]).payload == good


def test_a_date_may_be_written_in_wareki_and_is_kept_as_iso(db):
    city = make_city("fukuyama")
    kind = "assets.media_storage"
    schema = payload_schema(city.pack, city.pack.chain(kind))
    client = client_for(filer_of(city, kind))
    answer = api_post(client, kind, {**valid_payload(schema, city), "retention_until": "令和9年3月31日"})
    assert answer.status_code == 201, answer.content
    assert Request.objects.get(pk=answer.json()["id"]).payload["retention_until"] == "2027-03-31"
    answer = api_post(client, kind, {**valid_payload(schema, city), "retention_until": "3月31日"})
    assert answer.status_code == 400
    assert answer.json()["field"] == "retention_until"
    assert "YYYY-MM-DD または 令和8年12月10日" in answer.json()["message"]


def test_a_kind_with_a_handler_gets_the_rows_its_form_names(db, monkeypatch):
    """北見市 別記様式1: the schema finds the person and the system; the handler is handed them."""
    city = make_city("kitami")

    seen: dict[str, Any] = {}
    original = kinds.clean_privilege_payload

    def spy(payload, **kwargs):
        seen.update(kwargs["resolved"])
        return original(payload, **kwargs)

    handler = handler_for("access.privilege")
    monkeypatch.setitem(handlers._HANDLERS, "access.privilege", replace(handler, clean=spy))
    monkeypatch.setattr("mamori.workflows.payloads._CACHE", {})
    person = city.staff["310"][0]
    client = client_for(filer_of(city, "access.privilege"))
    answer = api_post(
        client,
        "access.privilege",
        {
            "person": person.staff_number,
            "system": "SYS01",
            "privileges": "view",
            "valid_from": "令和8年12月1日",
        },
    )
    assert answer.status_code == 201, answer.content
    assert seen["person"] == person and seen["system"].code == "SYS01"
    filed = Request.objects.get(pk=answer.json()["id"])
    assert filed.payload["privileges"] == ["view"] and filed.payload["valid_from"] == "2026-12-01"
    assert filed.payload["person"] == person.staff_number  # the record keeps the natural key


def test_a_person_who_has_left_is_refused_naming_the_field(db):
    city = make_city("kitami")
    person = city.staff["310"][0]
    person.left_on = TODAY - dt.timedelta(days=1)
    person.save(update_fields=["left_on"])
    client = client_for(filer_of(city, "access.privilege"))
    answer = api_post(
        client, "access.privilege", {"person": person.staff_number, "system": "SYS01", "privileges": ["view"]}
    )
    assert answer.status_code == 400
    assert answer.json()["field"] == "person" and "在職中の職員はいません" in answer.json()["message"]


def test_the_screen_files_a_valid_form(db):
    city = make_city("fukuyama")
    kind = "vendors.outsourcing"
    schema = payload_schema(city.pack, city.pack.chain(kind))
    client = client_for(filer_of(city, kind))
    answer = client.post(f"/requests/new/{kind}/", valid_payload(schema, city))
    assert answer.status_code == 302
    assert Request.objects.get().payload == valid_payload(schema, city)

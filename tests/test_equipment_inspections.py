"""Inspections of the safety equipment (YAN-18 保安装置, FUK-26 電子計算機室等の措置): the interval from the
pack per kind or from the row, the overdue finding and its clearing by an inspection, a failed result
changing the item's state, the records, the screen and the API, and the refusals."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import include, path
from ninja import NinjaAPI
from ninja.security import django_auth

from mamori import urls as site
from mamori.core.policy import Refused
from mamori.equipment.inspections import OVERDUE_RULE, inspection_record
from mamori.equipment.models import Equipment, EquipmentState, Inspection
from mamori.equipment.register import router, spec
from mamori.findings.models import Finding
from mamori.findings.services import findings_run
from mamori.organisation.roles import holders_of
from mamori.records.models import Record
from mamori.registers.api import problem_handlers
from mamori.registers.services import register_add, register_end
from tests.conftest import TODAY, make_city

api = NinjaAPI(urls_namespace="equipment-inspections-test", auth=django_auth)
problem_handlers(api)
api.add_router("/equipment", router)
urlpatterns = [
    path("t/api/", api.urls),
    path("t/equipment/", include(("mamori.equipment.register", "equipment"))),
    *site.urlpatterns,
]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mounted")]
ROW = {"name": "ハロン消火設備", "kind": "fire", "place": "サーバ室", "valid_from": "2024-04-01"}
PASSED = {"inspected_on": str(TODAY), "inspector": "防災設備保守業者", "result": "passed"}


@pytest.fixture
def mounted():
    with override_settings(ROOT_URLCONF=__name__):
        yield


@pytest.fixture
def town(db, account_for):
    """柳川市: the 入退室管理者 of 情報システム課's 部 keeps its rows; a clerk of 市民課 holds no role."""
    city = make_city("yanagawa")
    unit = city.units["231"]
    keeper = holders_of("room_manager", on=TODAY, pack=city.pack, unit=unit)[0].person
    return city, account_for(keeper), account_for(city.staff["310"][0]), unit


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add(town, **more) -> Equipment:
    return register_add(spec=spec, actor=town[1], data={**ROW, "unit": town[3].pk, **more})


def open_overdue() -> dict[str, Finding]:
    findings_run(only=[OVERDUE_RULE])
    found = Finding.objects.filter(rule=OVERDUE_RULE, state="open")
    return {f.object_id: f for f in found}


def test_an_overdue_inspection_is_a_finding_citing_the_article_until_one_is_recorded_yan_18(town):
    # The pack: fire equipment every 6 months, anything else every 12; a row may set its own.
    late = add(town, inspected_on="2026-05-15")  # due 2026-11-15: overdue today
    due_today = add(town, name="消火器", inspected_on="2026-05-16")  # due today: in time
    own = add(town, name="ガス消火設備", inspected_on="2026-05-01", inspection_months=12)
    never = add(town, name="監視カメラ", kind="theft", valid_from="2025-11-15")  # never, installed > 1 year
    new = add(town, name="入退室カメラ", kind="theft", valid_from="2025-11-16")  # never, installed 1 year
    found = open_overdue()
    assert set(found) == {str(late.pk), str(never.pk)}
    assert {str(due_today.pk), str(own.pk), str(new.pk)}.isdisjoint(found)
    finding = found[str(late.pk)]
    assert (finding.requirement, finding.article, finding.unit) == ("YAN-18", "第18条", town[3])
    assert "期限" in finding.title and "ハロン消火設備" in finding.title

    response = client_for(town[1]).post(f"/t/api/equipment/{late.pk}/inspections", PASSED, "application/json")
    assert response.status_code == 201 and response.json()["result"] == "passed"
    late.refresh_from_db()
    assert late.inspected_on == TODAY and late.state == EquipmentState.IN_USE
    finding.refresh_from_db()
    assert finding.state == "resolved"  # at once, not at the next daily run
    assert set(open_overdue()) == {str(never.pk)}
    records = Record.objects.filter(action="equipment.inspection.recorded")
    assert [(r.object_id, r.requirement, r.article, r.after["result"]) for r in records] == [
        (str(Inspection.objects.get().pk), "YAN-18", "18", "passed")
    ]
    change = Record.objects.filter(action="equipment.change", object_id=str(late.pk)).get()
    assert (change.before["inspected_on"], change.after["inspected_on"]) == ("2026-05-15", str(TODAY))
    listed = client_for(town[1]).get(f"/t/api/equipment/{late.pk}/inspections").json()
    assert listed["count"] == 1 and listed["items"][0]["inspector"] == "防災設備保守業者"


def test_a_failed_inspection_puts_the_item_out_of_order_and_a_pass_brings_it_back_yan_18(town):
    row = add(town, inspected_on="2026-10-01")
    client = client_for(town[1])
    page = client.get(f"/t/equipment/{row.pk}/").content.decode()
    assert "点検の記録はありません" in page and "点検を記録する" in page and "次回点検期限" in page
    failed = {**PASSED, "inspected_on": "2026-11-10", "result": "failed"}
    refused = client.post(f"/t/equipment/{row.pk}/", failed)
    assert refused.status_code == 400 and "措置を記入" in refused.content.decode()
    done = {**failed, "follow_up": "感知器を交換", "follow_up_done_on": "2026-11-12"}
    assert client.post(f"/t/equipment/{row.pk}/", done).status_code == 302
    row.refresh_from_db()
    assert (row.state, row.inspected_on) == (EquipmentState.OUT_OF_ORDER, dt.date(2026, 11, 10))
    page = client.get(f"/t/equipment/{row.pk}/").content.decode()
    assert "不合格" in page and "感知器を交換" in page and ">failed<" not in page
    # An older inspection changes neither the last inspection nor the state.
    inspection_record(actor=town[1], equipment_id=row.pk, inspected_on=dt.date(2026, 10, 1),
                      inspector="係員", result="passed")  # fmt: skip
    row.refresh_from_db()
    assert (row.state, row.inspected_on) == (EquipmentState.OUT_OF_ORDER, dt.date(2026, 11, 10))
    inspection_record(
        actor=town[1], equipment_id=row.pk, inspected_on=TODAY, inspector="係員", result="passed"
    )
    row.refresh_from_db()
    assert (row.state, row.inspected_on) == (EquipmentState.IN_USE, TODAY)


def test_it_refuses_who_keeps_no_register_and_rows_outside_the_keepers_scope_yan_18(town, account_for):
    city, _, clerk, _ = town
    row = add(town, inspected_on="2026-01-01")
    response = client_for(clerk).post(f"/t/api/equipment/{row.pk}/inspections", PASSED, "application/json")
    assert response.status_code == 403 and set(response.json()) == {"message", "article", "field"}
    assert client_for(clerk).post(f"/t/equipment/{row.pk}/", PASSED).status_code == 403
    other = account_for(city.heads["300"])  # 市民部's 入退室管理者: not 情報システム課's rows
    with pytest.raises(Refused):
        inspection_record(
            actor=other, equipment_id=row.pk, inspected_on=TODAY, inspector="x", result="passed"
        )
    assert not Inspection.objects.exists() and Equipment.objects.get().inspected_on == dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"result": "ok"}, 422, "result"),
        ({"inspected_on": "2026-11-17"}, 400, "inspected_on"),  # tomorrow
        ({"inspected_on": "2024-03-31"}, 400, "inspected_on"),  # before installation
        ({"inspector": " "}, 400, "inspector"),
        ({"follow_up_done_on": "2026-11-15"}, 400, "follow_up_done_on"),  # before the inspection
        ({"colour": "赤"}, 422, "colour"),
    ],
)
def test_it_names_the_field_of_bad_input_yan_18(town, body, status, field):
    row = add(town)
    response = client_for(town[1]).post(
        f"/t/api/equipment/{row.pk}/inspections", {**PASSED, **body}, "application/json"
    )
    assert response.status_code == status and response.json()["field"] == field
    assert not Inspection.objects.exists()


def test_a_removed_item_takes_no_inspection_and_is_never_overdue_yan_18(town):
    row = add(town, inspected_on="2025-01-01")
    register_end(spec=spec, actor=town[1], pk=row.pk, on=dt.date(2026, 10, 31), reason="撤去")
    response = client_for(town[1]).post(f"/t/api/equipment/{row.pk}/inspections", PASSED, "application/json")
    assert response.status_code == 409 and response.json()["field"] == "state"
    assert open_overdue() == {}


def test_the_database_refuses_a_bad_result_and_a_follow_up_before_the_inspection_yan_18(town):
    row = add(town)
    inspection_record(
        actor=town[1], equipment_id=row.pk, inspected_on=TODAY, inspector="係員", result="passed"
    )
    for change in ({"result": "maybe"}, {"follow_up_done_on": dt.date(2026, 11, 1)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Inspection.objects.update(**change)


def test_fukuyama_finds_an_overdue_inspection_under_its_own_article_fuk_26(db, account_for):
    city = make_city("fukuyama")
    unit = city.unit("ICT推進課")
    head = account_for(city.heads[unit.code])
    data = {**ROW, "unit": unit.pk, "kind": "theft", "inspected_on": "2025-11-01"}
    row = register_add(spec=spec, actor=head, data=data)
    finding = open_overdue()[str(row.pk)]
    assert (finding.requirement, finding.article) == ("FUK-26", "第26条")
    failed = {**PASSED, "result": "failed", "follow_up": "録画装置を交換する"}
    assert (
        client_for(head)
        .post(f"/t/api/equipment/{row.pk}/inspections", failed, "application/json")
        .status_code
        == 201
    )
    row.refresh_from_db()
    finding.refresh_from_db()
    assert (row.state, finding.state) == (EquipmentState.OUT_OF_ORDER, "resolved")
    assert Record.objects.filter(action="equipment.inspection.recorded", requirement="FUK-26").count() == 1

"""The safety-equipment register (YAN-18 保安装置, FUK-26 電子計算機室等の措置) on the register layer:
add / change / end through the service, the API and the screens; refusals; the list; the exports;
the database CHECKs."""

import datetime as dt
import io
import shutil
import subprocess

import openpyxl
import pytest
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import include, path
from ninja import NinjaAPI
from ninja.security import django_auth

from mamori import urls as site
from mamori.core.policy import Refused
from mamori.equipment.models import Equipment, EquipmentState
from mamori.equipment.register import spec
from mamori.organisation.roles import holders_of
from mamori.records.models import Record
from mamori.registers.api import problem_handlers, register_router
from mamori.registers.services import register_add, register_change, register_end
from tests.conftest import TODAY, make_city

# The register mounted as the collectors mount it (mamori/core/plugins.py), for this module's tests.
api = NinjaAPI(urls_namespace="equipment-test", auth=django_auth)
problem_handlers(api)
api.add_router("/equipment", register_router(spec))
urlpatterns = [
    path("t/api/", api.urls),
    path("t/equipment/", include(("mamori.equipment.register", "equipment"))),
    *site.urlpatterns,
]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mounted")]
ROW = {"name": "ハロン消火設備", "kind": "fire", "place": "サーバ室", "valid_from": "2026-04-01"}


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
    _, keeper, _, unit = town
    return register_add(spec=spec, actor=keeper, data={**ROW, "unit": unit.pk, **more})


def test_it_adds_changes_and_ends_through_the_service_with_records_yan_18(town):
    row = add(town)
    assert (row.article, row.requirement, row.pack, row.state) == ("18", "YAN-18", "yanagawa", "in_use")
    register_change(spec=spec, actor=town[1], pk=row.pk, data={"inspected_on": "2026-11-01"})
    register_change(spec=spec, actor=town[1], pk=row.pk, data={}, state=EquipmentState.OUT_OF_ORDER)
    ended = register_end(spec=spec, actor=town[1], pk=row.pk, on=TODAY, reason="更新のため撤去")
    assert (ended.state, ended.valid_to, ended.end_reason) == ("removed", TODAY, "更新のため撤去")
    assert list(Equipment.objects.on(TODAY)) == [ended]
    assert not Equipment.objects.on(TODAY + dt.timedelta(days=1)).exists()
    records = Record.objects.filter(object_type="equipment.Equipment", object_id=str(row.pk))
    assert [(r.action, r.requirement, r.article) for r in records] == [
        ("equipment.add", "YAN-18", "18"),
        ("equipment.change", "YAN-18", "18"),
        ("equipment.change", "YAN-18", "18"),
        ("equipment.end", "YAN-18", "18"),
    ]
    assert (
        records[1].after["inspected_on"] == "2026-11-01"
        and records[3].after["end_reason"] == "更新のため撤去"
    )


def test_it_refuses_who_keeps_no_register_and_rows_outside_the_keepers_scope_yan_18(town, account_for):
    city, _, clerk, unit = town
    body = {**ROW, "unit_id": unit.pk}
    response = client_for(clerk).post("/t/api/equipment", body, "application/json")
    assert response.status_code == 403 and set(response.json()) == {"message", "article", "field"}
    assert client_for(clerk).get("/t/equipment/").status_code == 403
    # 市民部's 入退室管理者 keeps 市民部's rows, not 情報システム課's.
    other = account_for(city.heads["300"])
    assert client_for(other).post("/t/api/equipment", body, "application/json").status_code == 403
    with pytest.raises(Refused):
        register_add(spec=spec, actor=other, data={**ROW, "unit": unit.pk})
    assert not Equipment.objects.exists()


def test_it_keeps_the_register_through_the_api_with_pages_filters_and_sort_yan_18(town):
    client, unit = client_for(town[1]), town[3]
    for n in range(7):
        body = {**ROW, "name": f"消火器{n}", "unit_id": unit.pk, "kind": "theft" if n % 2 else "fire"}
        assert client.post("/t/api/equipment", body, "application/json").status_code == 201
    page = client.get("/t/api/equipment?kind=theft&sort=-name&page_size=2").json()
    assert page["count"] == 3 and [r["name"] for r in page["items"]] == ["消火器5", "消火器3"]
    last = client.get("/t/api/equipment?kind=theft&sort=-name&page_size=2&page=2").json()
    assert [r["name"] for r in last["items"]] == ["消火器1"]
    pk = page["items"][0]["id"]
    changed = client.patch(f"/t/api/equipment/{pk}", {"place": "記録媒体保管庫"}, "application/json")
    assert changed.status_code == 200 and changed.json()["place"] == "記録媒体保管庫"
    ended = client.post(
        f"/t/api/equipment/{pk}/end", {"on": str(TODAY), "reason": "撤去"}, "application/json"
    )
    assert ended.json()["state"] == "removed"
    again = client.post(f"/t/api/equipment/{pk}/state", {"state": "in_use"}, "application/json")
    assert again.status_code == 409 and again.json()["field"] == "state"


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"kind": "flood"}, 400, "kind"),
        ({"valid_to": "2026-05-01"}, 422, "valid_to"),  # set only by ending the row
        ({"unit_id": 999_999}, 400, "unit"),
        ({"colour": "赤"}, 422, "colour"),
        ({"valid_from": "昨日"}, 422, "valid_from"),
    ],
)
def test_it_names_the_field_of_bad_input_yan_18(town, body, status, field):
    response = client_for(town[1]).post(
        "/t/api/equipment", {**ROW, "unit_id": town[3].pk, **body}, "application/json"
    )
    assert response.status_code == status and response.json()["field"] == field


def test_it_keeps_the_register_on_screen_and_asks_before_ending_yan_18(town):
    client, unit = client_for(town[1]), town[3]
    response = client.post("/t/equipment/new/", {**ROW, "unit": unit.pk})
    assert response.status_code == 302
    row = Equipment.objects.get()
    bad = client.post(f"/t/equipment/{row.pk}/edit/", {**ROW, "unit": unit.pk, "valid_from": ""})
    assert bad.status_code == 400 and "設置日" in bad.content.decode() and "必須" in bad.content.decode()
    page = client.get("/t/equipment/?sort=name").content.decode()
    assert "保安装置台帳" in page and "1件" in page and "防火・消火" in page and ">fire<" not in page
    confirm = client.get(f"/t/equipment/{row.pk}/end/").content.decode()
    assert "元に戻したり変更したりはできません" in confirm
    assert client.post(f"/t/equipment/{row.pk}/end/", {"on": str(TODAY), "reason": "撤去"}).status_code == 302
    assert Equipment.objects.get().state == EquipmentState.REMOVED
    assert "撤去" in client.get(f"/t/equipment/{row.pk}/").content.decode()


def test_it_exports_what_the_list_shows_as_xlsx_and_pdf_yan_18(town):
    add(town)
    add(town, name="監視カメラ", kind="theft")
    client = client_for(town[1])
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get("/t/equipment/export.xlsx?kind=theft").content)
    ).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "保安装置台帳" in cells and "監視カメラ" in cells and "ハロン消火設備" not in cells
    assert "防犯（施錠・監視カメラ・侵入検知）" in cells
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = client.get("/t/equipment/export.pdf").content
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "ハロン消火設備" in text and "監視カメラ" in text and "第18条" in text


def test_the_database_refuses_a_bad_range_and_a_bad_state_yan_18(town):
    row = add(town)
    for change in ({"valid_to": dt.date(2026, 3, 31)}, {"state": "lost"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Equipment.objects.filter(pk=row.pk).update(**change)


def test_fukuyama_keeps_it_under_its_own_article_fuk_26(db, account_for):
    city = make_city("fukuyama")
    head = account_for(city.heads[city.unit("ICT推進課").code])
    data = {**ROW, "unit": city.unit("ICT推進課").pk}
    row = register_add(spec=spec, actor=head, data=data)
    assert (row.article, row.requirement) == ("26", "FUK-26")
    page = client_for(head).get("/t/equipment/").content.decode()
    assert "電子計算機室等の安全措置台帳" in page and "第26条" in page


def test_a_pack_without_the_register_has_none(db, account_for):
    city = make_city("kitami")
    admin = city.accounts["admin"][0]
    response = client_for(admin).post("/t/api/equipment", {**ROW, "unit_id": 1}, "application/json")
    assert response.status_code == 404 and "定めがありません" in response.json()["message"]

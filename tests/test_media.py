"""The recording-media ledger (FUK-23 記録媒体の管理, YAN-20 磁気ファイル等管理台帳 様式第3号, YAN-2 情報資産の
種類): label codes, the pack's asset types, the history, copies, checkout and return, the overdue
finding, witnessed disposal, the label sheet, the scan screen and the exports."""

import io
import re

import openpyxl
import pytest
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import include, path
from ninja import NinjaAPI
from ninja.security import django_auth

from mamori import urls as site
from mamori.core.policy import Refused
from mamori.findings.engine import all_rules
from mamori.media import demo
from mamori.media.models import LABEL_ALPHABET, Checkout, Medium, MediumEvent, MediumState
from mamori.media.register import spec
from mamori.media.rules import returns_overdue
from mamori.media.services import (
    medium_checkout,
    medium_copy,
    medium_dispose,
    medium_record_event,
    medium_return,
)
from mamori.records.models import Record
from mamori.registers.api import problem_handlers, register_router
from mamori.registers.models import Invalid, TransitionRefused
from mamori.registers.services import register_add, register_end
from tests.conftest import TODAY, make_city

api = NinjaAPI(urls_namespace="media-test", auth=django_auth)
problem_handlers(api)
api.add_router("/media", register_router(spec))
urlpatterns = [
    path("t/api/", api.urls),
    path("t/media/", include(("mamori.media.urls", "media"))),
    *site.urlpatterns,
]
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mounted")]
DAY = TODAY.replace(day=1)


@pytest.fixture
def mounted():
    with override_settings(ROOT_URLCONF=__name__):
        yield


@pytest.fixture
def town(db, account_for):
    """柳川市: 情報システム課's 所管課長 keeps its media; a clerk of 市民課 holds no role."""
    city = make_city("yanagawa")
    unit = city.units["231"]
    return city, account_for(city.heads["231"]), account_for(city.staff["310"][0]), unit


@pytest.fixture
def fukuyama(db, account_for):
    city = make_city("fukuyama")
    unit = city.unit("ICT推進課")
    return city, account_for(city.heads[unit.code]), unit


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add(keeper, unit, **more) -> Medium:
    data = {
        "asset_type": "magnetic",
        "description": "住民記録 月次バックアップ",
        "place": "server_room",
        "unit": unit.pk,
        "valid_from": str(DAY),
        **more,
    }
    return register_add(spec=spec, actor=keeper, data=data)


def test_it_gives_each_medium_a_random_label_code_that_reveals_nothing_fuk_23(town):
    _, keeper, _, unit = town
    rows = [add(keeper, unit, description=f"課税台帳 {n}") for n in range(30)]
    codes = [row.label_code for row in rows]
    assert len(set(codes)) == 30
    assert all(len(code) == 8 and set(code) <= set(LABEL_ALPHABET) for code in codes)
    assert not set("01OIL") & set("".join(codes))
    # Not a sequence: codes in the order issued are not sorted, and say nothing of the content.
    assert codes != sorted(codes) and all("課税" not in code for code in codes)
    with pytest.raises(IntegrityError), transaction.atomic():
        Medium.objects.filter(pk=rows[1].pk).update(label_code=rows[0].label_code)


def test_every_row_has_one_of_the_active_packs_asset_types_yan_2(town):
    _, keeper, _, unit = town
    with pytest.raises(Invalid) as refused:
        add(keeper, unit, asset_type="floppy")
    assert refused.value.field == "asset_type"
    response = client_for(keeper).post(
        "/t/api/media",
        {
            "asset_type": "cloud",
            "description": "x",
            "place": "server_room",
            "unit_id": unit.pk,
            "valid_from": str(DAY),
        },
        "application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "asset_type"
    row = add(keeper, unit, asset_type="document")
    assert (row.article, row.requirement, row.pack) == ("20", "YAN-20", "yanagawa")
    assert spec.cell(row, "asset_type") == "ドキュメント"


def test_fukuyama_has_its_own_media_kinds_and_article_fuk_23(fukuyama):
    _, head, unit = fukuyama
    data = {"description": "x", "place": "media_store", "unit": unit.pk, "valid_from": str(DAY)}
    with pytest.raises(Invalid):
        register_add(spec=spec, actor=head, data={**data, "asset_type": "magnetic"})  # yanagawa's type
    row = register_add(spec=spec, actor=head, data={**data, "asset_type": "magnetic_tape"})
    assert (row.article, row.requirement, spec.cell(row, "asset_type")) == ("23-2", "FUK-23", "磁気テープ")


def test_it_keeps_the_history_of_creation_additions_updates_and_copies_with_who_and_when_yan_20(town):
    city, keeper, _, unit = town
    row = add(keeper, unit, important=True)
    clerk = city.staff["231"][0]
    medium_record_event(actor=keeper, pk=row.pk, kind="appended", person=clerk, on=TODAY, note="11月分追記")
    medium_record_event(actor=keeper, pk=row.pk, kind="updated", person=clerk, on=TODAY)
    copy = medium_copy(actor=keeper, pk=row.pk, person=clerk, on=TODAY)
    assert copy.backup_of == row and copy.important and copy.label_code != row.label_code
    history = list(MediumEvent.objects.filter(medium=row).values_list("kind", "person", "on"))
    assert history == [
        ("created", keeper.person.pk, DAY),
        ("appended", clerk.pk, TODAY),
        ("updated", clerk.pk, TODAY),
        ("copied", clerk.pk, TODAY),
    ]
    assert MediumEvent.objects.get(medium=copy).kind == "created"
    with pytest.raises(Invalid) as refused:
        medium_record_event(actor=keeper, pk=row.pk, kind="disposed", person=clerk, on=TODAY)
    assert refused.value.field == "kind"
    actions = set(Record.objects.filter(object_type="media.Medium").values_list("action", flat=True))
    assert {"media.add", "media.medium.event_recorded", "media.medium.copied"} <= actions


def test_it_refuses_who_keeps_no_ledger_fuk_23(town):
    _, keeper, clerk, unit = town
    row = add(keeper, unit)
    with pytest.raises(Refused):
        add(clerk, unit)
    with pytest.raises(Refused):
        medium_checkout(actor=clerk, pk=row.pk, person=clerk.person, purpose="x", due=TODAY)
    assert client_for(clerk).get("/t/media/").status_code == 403
    assert client_for(clerk).get(f"/t/media/{row.pk}/").status_code == 403


def test_disposal_records_method_person_witness_and_keeps_the_row_fuk_23(town):
    city, keeper, _, unit = town
    row = add(keeper, unit)
    person, witness = city.staff["231"][0], city.staff["231"][1]
    with pytest.raises(Invalid) as refused:
        medium_dispose(actor=keeper, pk=row.pk, method="shredding", person=person, witness=person, on=TODAY)
    assert refused.value.field == "witness"
    with pytest.raises(Invalid) as refused:
        medium_dispose(actor=keeper, pk=row.pk, method="throw_away", person=person, witness=witness, on=TODAY)
    assert refused.value.field == "method"
    # The register layer's plain end records no method nor witness: refused.
    with pytest.raises(Refused):
        register_end(spec=spec, actor=keeper, pk=row.pk, on=TODAY, reason="不要")
    medium_dispose(actor=keeper, pk=row.pk, method="degaussing", person=person, witness=witness, on=TODAY)
    row.refresh_from_db()
    assert (row.state, row.valid_to, row.disposal_method) == ("disposed", TODAY, "degaussing")
    assert (row.disposed_by, row.witness, row.description) == (person, witness, "住民記録 月次バックアップ")
    assert MediumEvent.objects.filter(medium=row).last().kind == "disposed"
    assert Record.objects.filter(object_id=str(row.pk), action="media.end").exists()
    with pytest.raises(TransitionRefused):
        medium_checkout(actor=keeper, pk=row.pk, person=person, purpose="x", due=TODAY)


def test_the_database_refuses_a_disposal_without_its_record_fuk_23(town):
    _, keeper, _, unit = town
    row = add(keeper, unit)
    for change in ({"state": "disposed", "valid_to": TODAY}, {"state": "lost"}, {"backup_of": row.pk}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Medium.objects.filter(pk=row.pk).update(**change)


def test_checkout_and_return_and_an_overdue_return_is_a_finding_fuk_23(fukuyama, clock):
    city, head, unit = fukuyama
    data = {"asset_type": "magnetic_disk", "description": "x", "place": "media_store", "unit": unit.pk}
    row = register_add(spec=spec, actor=head, data={**data, "valid_from": str(DAY)})
    person = city.staff[unit.code][0]
    with pytest.raises(Invalid) as refused:
        medium_checkout(actor=head, pk=row.pk, person=person, purpose="検証", due=DAY)
    assert refused.value.field == "due"
    with pytest.raises(Invalid) as refused:
        medium_checkout(actor=head, pk=row.pk, person=person, purpose=" ", due=TODAY)
    assert refused.value.field == "purpose"
    medium_checkout(actor=head, pk=row.pk, person=person, purpose="委託先での処理", due=TODAY)
    assert Medium.objects.get(pk=row.pk).state == MediumState.OUT
    with pytest.raises(TransitionRefused):
        medium_checkout(actor=head, pk=row.pk, person=person, purpose="again", due=TODAY)
    with pytest.raises(TransitionRefused):
        medium_dispose(
            actor=head, pk=row.pk, method="erasure", person=person, witness=city.heads[unit.code], on=TODAY
        )
    assert not list(returns_overdue(city.pack, TODAY))  # due today: not yet overdue
    found = list(returns_overdue(city.pack, TODAY.replace(day=17)))
    assert len(found) == 1 and found[0].article == "第23条第1項" and found[0].requirement == "FUK-23"
    assert row.label_code in found[0].title and "media.return_overdue" in all_rules()
    medium_return(actor=head, pk=row.pk)
    assert Medium.objects.get(pk=row.pk).state == MediumState.IN_STORAGE
    assert not list(returns_overdue(city.pack, TODAY.replace(day=17)))
    with pytest.raises(TransitionRefused):
        medium_return(actor=head, pk=row.pk)
    kinds = list(MediumEvent.objects.filter(medium=row).values_list("kind", flat=True))
    assert kinds == ["created", "checked_out", "returned"]
    assert Checkout.objects.get().returned_at is not None


def test_the_label_sheet_shows_codes_and_qr_codes_and_nothing_of_the_content_fuk_23(town):
    _, keeper, _, unit = town
    rows = [add(keeper, unit, description=f"秘密の内容{n}") for n in range(3)]
    page = client_for(keeper).get("/t/media/labels/").content.decode()
    assert all(row.label_code in page for row in rows)
    assert (
        page.count("<svg") == 3
        and "秘密の内容" not in page
        and "http" not in re.sub(r'xmlns="[^"]*"', "", page.split("<svg", 1)[1])
    )


def test_the_scan_screen_finds_a_medium_and_checks_it_out_and_back_fuk_23(town):
    city, keeper, _, unit = town
    row = add(keeper, unit)
    client = client_for(keeper)
    typed = f"{row.label_code[:4].lower()}-{row.label_code[4:]}"
    found = client.get("/t/media/scan/", {"code": typed})
    assert found.status_code == 302 and found["Location"].endswith(f"/t/media/{row.pk}/")
    assert client.get("/t/media/scan/", {"code": "ZZZZZZZZ"}).status_code == 404
    page = client.get(f"/t/media/{row.pk}/").content.decode()
    assert "<svg" in page and "持出しを記録する" in page and "磁気記録" in page
    person = city.staff["231"][0]
    bad = client.post(
        f"/t/media/{row.pk}/checkout/", {"person": person.pk, "purpose": "検証", "due": "2026-01-01"}
    )
    assert bad.status_code == 400 and "返却期限" in bad.content.decode()
    ok = client.post(
        f"/t/media/{row.pk}/checkout/", {"person": person.pk, "purpose": "検証", "due": str(TODAY)}
    )
    assert ok.status_code == 302 and Medium.objects.get(pk=row.pk).state == "out"
    assert client.post(f"/t/media/{row.pk}/return/").status_code == 302
    assert Medium.objects.get(pk=row.pk).state == "in_storage"
    confirm = client.get(f"/t/media/{row.pk}/dispose/").content.decode()
    assert "元に戻したり変更したりはできません" in confirm


def test_it_exports_the_ledger_as_xlsx_with_labels_not_codes_yan_20(town):
    _, keeper, _, unit = town
    add(keeper, unit)
    sheet = openpyxl.load_workbook(io.BytesIO(client_for(keeper).get("/t/media/export.xlsx").content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "磁気ファイル等管理台帳" in cells and "磁気記録" in cells and "サーバ室" in cells
    assert "magnetic" not in cells and "server_room" not in cells


def test_the_demo_plants_an_overdue_return_fuk_23(db):
    city = make_city("fukuyama")
    summary = demo.populate(city, on=TODAY)
    assert "記録媒体保管台帳" in summary
    found = list(returns_overdue(city.pack, TODAY))
    assert len(found) == 1 and found[0].article == "第23条第1項"
    assert Medium.objects.filter(state="disposed").count() == 1
    assert Medium.objects.filter(backup_of__isnull=False).count() == 1

"""The register layer (issue 9 item 1), on its first register (mamori.equipment): the abstract row's
range and state CHECKs, the one transition helper, ``.on(day)``, and what the column spec derives."""

import datetime as dt

import pytest
from django.db import connection
from ninja import NinjaAPI
from ninja.testing import TestClient

from mamori.equipment.models import Equipment, EquipmentState
from mamori.equipment.register import spec
from mamori.registers.api import problem_handlers
from mamori.registers.models import RegisterQuerySet, TransitionRefused, in_force
from tests.conftest import NOW, TODAY

DAY = dt.date(2026, 4, 1)


def row(**more) -> Equipment:
    fields = {"name": "消火器", "kind": "fire", "place": "サーバ室", "valid_from": DAY, "recorded_at": NOW}
    return Equipment(**{**fields, **more})


def test_the_transitions_map_moves_the_state_and_refuses_the_rest_without_assert():
    equipment = row()
    equipment.transition(to=EquipmentState.OUT_OF_ORDER)
    equipment.transition(to=EquipmentState.REMOVED)
    with pytest.raises(TransitionRefused) as refused:
        equipment.transition(to=EquipmentState.IN_USE)
    assert refused.value.status == 409 and refused.value.field == "state"
    assert "「撤去」の行は「稼働中」にできません" in refused.value.message


def test_every_register_gets_a_range_check_and_a_state_check_on_its_table(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Equipment._meta.db_table)
    checks = [name for name, c in constraints.items() if c["check"]]
    assert "equipment_equipment_valid_range" in checks
    sql = Equipment._meta.get_field("state").db_parameters(connection)["check"]
    assert sql == "\"state\" IN ('in_use', 'out_of_order', 'removed')"


def test_on_a_day_means_within_the_range_and_not_void(db, monkeypatch):
    assert str(in_force(TODAY, start="start", end="end")).count("start__lte") == 1
    early = dt.date(2026, 3, 1)
    assert Equipment.objects.on(TODAY).query is not None
    assert isinstance(Equipment.objects.all(), RegisterQuerySet)
    assert row(valid_to=TODAY).is_in_force_on(TODAY) and not row(valid_to=TODAY).is_in_force_on(early)
    monkeypatch.setattr(Equipment, "void_states", (EquipmentState.REMOVED,))
    assert not row(state=EquipmentState.REMOVED).is_in_force_on(TODAY)
    assert "state" in str(Equipment.objects.on(TODAY).query)


def test_the_spec_derives_table_filters_form_and_schemas():
    table = spec.table([])
    assert [c.verbose_name for c in table.columns][:3] == ["設備名", "区分", "設置場所"]
    assert table.columns["state"].orderable and "valid_to" not in table.columns.names()
    filters = spec.filterset().form.fields
    assert {"name", "kind", "place", "unit", "inspected_on", "state", "sort"} <= set(filters)
    assert filters["kind"].label == "区分" and filters["sort"].label == "並び順"
    assert list(spec.form().fields) == [
        "name",
        "kind",
        "place",
        "unit",
        "inspected_on",
        "inspection_months",
        "valid_from",
    ]
    assert spec.form().fields["valid_from"].label == "設置日"
    assert (
        spec.schema_in.model_fields["unit"].alias == "unit_id" and "state" not in spec.schema_in.model_fields
    )
    assert spec.schema_in.model_config["extra"] == "forbid"
    assert {"id", "state", "valid_to", "article", "requirement"} <= set(spec.schema_out.model_fields)
    assert spec.cell(row(), "kind") == "防火・消火（消火設備・火災報知器）"


def test_unreadable_input_is_the_problem_schema_naming_the_field():
    api = NinjaAPI(urls_namespace="registers-test")
    problem_handlers(api)

    @api.post("/x", auth=None)
    def x(request, day: dt.date):
        return {}

    response = TestClient(api).post("/x?day=yesterday")
    assert response.status_code == 422 and response.json()["field"] == "day"

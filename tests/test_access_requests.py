"""Privilege requests (別記様式1) beyond the foundation's end-to-end test: change and revoke, the
user-information registration first (KIT-5-3), maintenance staff (KIT-5-9), terminal privileges
complete after biometric registration (KIT-6), and the other packs' kinds through the same engine."""

from __future__ import annotations

import datetime as dt

import pytest

from mamori.access.models import Entitlement, EntitlementBasis, EntitlementState
from mamori.access.services import (
    EntitlementError,
    biometric_registration_record,
    contract_register,
    maintenance_entitlement_register,
    user_registration_record,
)
from mamori.organisation.models import Employment, Person
from mamori.records.models import Record
from mamori.systems.models import MaintenanceContract, Privilege, System
from mamori.workflows.models import RequestState
from mamori.workflows.services import WorkflowError, current_step, request_decide, request_file
from tests.conftest import TODAY


def file_and_approve(city, people, *, kind="access.privilege", approve=True, **payload):
    person = payload.pop("person", None) or city.staff["310"][0]
    request = request_file(
        kind=kind,
        actor=people.requester,
        on=TODAY,
        payload={"system": "SYS01", "privileges": ["view"], **payload, "person": person.staff_number},
    )
    if approve:
        request = request_decide(
            step=current_step(request), actor=people.approver, action="approve", on=TODAY
        )
    return request


def states(person, system="SYS01"):
    return dict(
        Entitlement.objects.filter(person=person, system__code=system).values_list("privilege__code", "state")
    )


# --- KIT-5-2 grant / change / revoke ------------------------------------------------------------


def test_kit_5_2_a_change_request_adds_and_removes_privileges_to_the_wanted_set(city, people):
    person = city.staff["310"][0]
    file_and_approve(city, people, person=person, privileges=["view", "update"])
    file_and_approve(city, people, person=person, action="change", privileges=["view", "admin"])
    assert states(person) == {
        "view": EntitlementState.ACTIVE,
        "update": EntitlementState.REVOKED,
        "admin": EntitlementState.ACTIVE,
    }
    # The user ID stays the one already held on the system.
    assert set(Entitlement.objects.filter(person=person).values_list("user_id", flat=True)) == {
        person.staff_number
    }


def test_kit_5_2_a_change_request_can_shorten_the_validity(city, people):
    person = city.staff["310"][0]
    file_and_approve(city, people, person=person, privileges=["view"])
    end = TODAY + dt.timedelta(days=30)
    file_and_approve(
        city, people, person=person, action="change", privileges=["view"], valid_to=end.isoformat()
    )
    line = Entitlement.objects.get(person=person, state=EntitlementState.ACTIVE)
    assert line.valid_to == end
    assert Record.objects.filter(action="access.entitlement.changed", object_id=str(line.pk)).exists()


def test_kit_5_2_revoking_a_privilege_the_person_does_not_hold_is_refused(city, people):
    with pytest.raises(WorkflowError) as refused:
        file_and_approve(city, people, action="revoke", privileges=["admin"], approve=False)
    assert refused.value.field == "privileges"


# --- KIT-5-3 ------------------------------------------------------------------------------------


def test_kit_5_3_a_fixed_term_member_of_staff_needs_the_user_registration_first(city, people):
    fixed_term = city.staff["310"][-1]
    assert fixed_term.employment == Employment.FIXED_TERM
    with pytest.raises(WorkflowError) as refused:
        file_and_approve(city, people, person=fixed_term, approve=False)
    assert refused.value.field == "person"
    assert refused.value.article == "第5条第3項"
    assert "利用者情報登録" in refused.value.message

    user_registration_record(
        person=fixed_term, registered_on=TODAY, actor=people.approver, pack=city.pack, reference="R8-利用-12"
    )
    request = file_and_approve(city, people, person=fixed_term)
    assert request.state == RequestState.APPROVED
    line = Entitlement.objects.get(person=fixed_term)
    assert line.valid_to == fixed_term.term_end  # KIT-7
    assert Record.objects.filter(action="access.user_registration.recorded", requirement="KIT-5-3").exists()


def test_kit_5_3_does_not_apply_to_regular_staff(city, people):
    request = file_and_approve(city, people, person=city.staff["310"][0])
    assert request.state == RequestState.APPROVED


# --- KIT-5-9 ------------------------------------------------------------------------------------


@pytest.fixture
def vendor(city) -> Person:
    return Person.objects.get(employment=Employment.CONTRACTOR)


@pytest.fixture
def contract(city, people) -> MaintenanceContract:
    return contract_register(
        number="R8-保守-001",
        company="みどり情報サービス株式会社",
        start=dt.date(2026, 4, 1),
        end=dt.date(2027, 3, 31),
        actor=people.approver,
        systems=[System.objects.get(code="SYS01")],
        pack=city.pack,
    )


def test_kit_5_9_maintenance_staff_are_not_granted_through_a_request(city, people, vendor):
    with pytest.raises(WorkflowError) as refused:
        file_and_approve(city, people, person=vendor, approve=False)
    assert refused.value.article == "第5条第9項"


def test_kit_5_9_the_administrator_registers_maintenance_staff_under_a_contract(
    city, people, vendor, contract
):
    lines = maintenance_entitlement_register(
        person=vendor,
        system=System.objects.get(code="SYS01"),
        privileges=["admin"],
        contract=contract,
        valid_to=dt.date(2027, 3, 31),
        actor=people.approver,
        pack=city.pack,
        on=TODAY,
    )
    assert [(line.basis, line.contract, line.valid_to) for line in lines] == [
        (EntitlementBasis.MAINTENANCE, contract, dt.date(2027, 3, 31))
    ]
    assert Record.objects.filter(
        action="access.entitlement.registered", requirement="KIT-5-9", article="5-9"
    ).exists()


def test_kit_5_9_a_maintenance_id_cannot_outlast_its_contract(city, people, vendor, contract):
    with pytest.raises(EntitlementError) as refused:
        maintenance_entitlement_register(
            person=vendor,
            system=System.objects.get(code="SYS01"),
            privileges=["admin"],
            contract=contract,
            valid_to=dt.date(2027, 4, 30),
            actor=people.approver,
            pack=city.pack,
            on=TODAY,
        )
    assert refused.value.field == "valid_to" and refused.value.article == "第5条第9項"
    assert not Entitlement.objects.filter(person=vendor).exists()


def test_kit_5_9_only_the_systems_administrator_registers_maintenance_staff(city, people, vendor, contract):
    with pytest.raises(EntitlementError):
        maintenance_entitlement_register(
            person=vendor,
            system=System.objects.get(code="SYS01"),
            privileges=["admin"],
            contract=contract,
            valid_to=dt.date(2027, 3, 31),
            actor=people.requester,
            pack=city.pack,
            on=TODAY,
        )


# --- KIT-6 --------------------------------------------------------------------------------------


@pytest.fixture
def two_factor(city) -> System:
    system = System.objects.create(
        code="TFA",
        name="二要素認証システム",
        owner_unit=city.unit("情報システム課"),
        category="二要素認証",
        administrator_role="two_factor_manager",
        flags=["two_factor"],
    )
    Privilege.objects.create(system=system, code="terminal", name="端末装置の使用")
    return system


def test_kit_6_a_terminal_privilege_completes_only_after_biometric_registration(city, people, two_factor):
    person = city.staff["310"][0]
    request = file_and_approve(
        city, people, kind="access.terminal_privilege", person=person, system="TFA", privileges=["terminal"]
    )
    assert request.state == RequestState.APPROVED
    line = Entitlement.objects.get(person=person, system=two_factor)
    assert line.state == EntitlementState.PENDING

    _registration, activated = biometric_registration_record(
        person=person,
        system=two_factor,
        place="情報システム課 生体認証登録端末",
        registered_on=TODAY,
        actor=people.approver,
        pack=city.pack,
        on=TODAY,
    )
    line.refresh_from_db()
    assert line.state == EntitlementState.ACTIVE and activated == [line]
    assert Record.objects.filter(action="access.entitlement.activated", requirement="KIT-6").exists()


def test_kit_6_a_person_already_registered_gets_the_terminal_privilege_at_once(city, people, two_factor):
    person = city.staff["310"][0]
    biometric_registration_record(
        person=person,
        system=two_factor,
        place="本庁",
        registered_on=TODAY,
        actor=people.approver,
        pack=city.pack,
    )
    file_and_approve(
        city, people, kind="access.terminal_privilege", person=person, system="TFA", privileges=["terminal"]
    )
    assert states(person, "TFA") == {"terminal": EntitlementState.ACTIVE}


def test_kit_6_only_the_two_factor_administrator_records_biometric_registration(city, people, two_factor):
    with pytest.raises(EntitlementError):
        biometric_registration_record(
            person=city.staff["310"][0],
            system=two_factor,
            place="本庁",
            registered_on=TODAY,
            actor=people.requester,
            pack=city.pack,
        )


# --- the other packs ----------------------------------------------------------------------------


@pytest.mark.parametrize("pack", ["maizuru"])
def test_the_other_packs_privilege_requests_register_in_the_same_management_file(db, pack):
    from tests.conftest import make_city

    city = make_city(pack)
    from mamori.demo.requests import _decide_all
    from mamori.organisation.roles import holders_of

    chain = city.pack.chain("access.privilege")
    filer = (
        holders_of(chain.filed_by[0], on=TODAY, pack=city.pack)[0].person
        if chain.filed_by
        else city.staff["310"][0]
    )
    from mamori.demo.requests import _account_for

    person = city.staff["310"][0]
    request = request_file(
        kind="access.privilege",
        actor=_account_for(city, filer),
        on=TODAY,
        payload={"person": person.staff_number, "system": "SYS01", "privileges": ["view"]},
    )
    _decide_all(request, on=TODAY, pack=city.pack, city=city)
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert states(person) == {"view": EntitlementState.ACTIVE}


def test_yanagawas_terminal_operator_report_passes_through_unchanged(db):
    """柳川市 様式第1号 under access.terminal_privilege carries no privileges: the pack's form (not the
    payload's shape) tells that the privilege handler does not read it; it is checked against its own
    form and recorded as filed."""
    from mamori.demo.requests import _account_for, _filer
    from mamori.workflows.payloads import payload_schema
    from tests.conftest import make_city

    city = make_city("yanagawa")
    chain = city.pack.chain("access.terminal_privilege")
    assert payload_schema(city.pack, chain).handler.clean is None
    payload = {
        "unit": "310",
        "terminal_manager": city.staff["310"][0].staff_number,
        "terminal": "T-01",
        "operators": "佐藤",
        "designated_on": "2026-11-16",
    }
    filer = _account_for(city, _filer(chain, city.pack, city, TODAY))
    request = request_file(kind=chain.kind, actor=filer, on=TODAY, payload=payload)
    assert request.payload == payload and request.form == "yoshiki1"
    assert request.title == chain.title

"""Designations the packs require: YAN-8 本人確認情報 handlers, YAN-14 server-room operators,
FUK-10/FUK-17 電算要員 (reported to the データ保護管理者, 登録台帳), MEG-13-1 each personal-information
system's staff.  A grant to someone not designated is refused with the article; lines already held
are findings."""

from __future__ import annotations

import pytest

from mamori.access.checks import grant_refusals
from mamori.access.models import Entitlement
from mamori.core import time
from mamori.designations.models import Designation, DesignationState
from mamori.designations.services import DesignationError, designation_add, designation_end
from mamori.findings.models import Finding, FindingState
from mamori.findings.services import findings_run
from mamori.records.models import Record
from mamori.regulations.active import active_pack
from mamori.systems.models import System
from mamori.workflows.models import Notification
from tests.conftest import TODAY, make_city

RULE = "designations.entitlement_without_designation"


def refusals(person, system):
    return grant_refusals(
        pack=active_pack(), person=person, system=system, privileges=list(system.privileges.all()), on=TODAY
    )


def juki(city_systems=None) -> System:
    return System.objects.get(handles_identity_information=True)


@pytest.mark.django_db
def test_yan_8_only_designated_staff_get_identity_information_privileges(account_for):
    """YAN-8: 本人確認情報管理責任者 designates who may handle 本人確認情報; nobody else is granted."""
    city = make_city("yanagawa")
    person, system = city.staff["310"][0], juki()
    refused = refusals(person, system)
    assert refused and refused[0].article == "第8条" and refused[0].requirement == "YAN-8"
    with pytest.raises(DesignationError) as not_manager:
        designation_add(
            kind="identity_handler", person=person, actor=account_for(city.heads["300"]), on=TODAY
        )
    assert not_manager.value.article == "第8条"
    manager = account_for(city.heads["310"])  # 市民課長: 本人確認情報管理責任者
    designation = designation_add(kind="identity_handler", person=person, actor=manager, on=TODAY)
    assert designation.designated_as == "本人確認情報管理責任者"
    assert all(r.requirement != "YAN-8" for r in refusals(person, system))
    designation_end(designation=designation, actor=manager, reason="異動", on=TODAY)
    assert any(r.requirement == "YAN-8" for r in refusals(person, system))


@pytest.mark.django_db
def test_yan_14_server_room_systems_need_a_designated_operator(account_for):
    """YAN-14: only 情報システム担当者 designated by the 情報セキュリティ責任者 operate server-room systems."""
    city = make_city("yanagawa")
    person = city.staff["231"][0]  # 情報システム課 (DX推進室, 企画財政部)
    server_room = System.objects.filter(category="基幹", handles_identity_information=False).first()
    refused = refusals(person, server_room)
    assert [r.requirement for r in refused] == ["YAN-14"] and refused[0].article == "第14条"
    assert refusals(person, System.objects.get(code="SYS90")) == []  # 文書管理: not in the server room
    officer = account_for(city.heads["200"])  # 企画財政部長
    designation_add(kind="server_room_operator", person=person, actor=officer, on=TODAY)
    assert refusals(person, server_room) == []


@pytest.mark.django_db
def test_fuk_10_the_handling_officer_designates_and_reports_to_the_data_protection_manager(account_for):
    """FUK-10: 取扱責任者 designates 電算要員 from their own staff and reports it, and every change."""
    city = make_city("fukuyama")
    person = city.staff["310"][0]
    with pytest.raises(DesignationError):  # 福祉課長 is not 市民課's 取扱責任者
        designation_add(kind="computing_staff", person=person, actor=account_for(city.heads["410"]), on=TODAY)
    officer = account_for(city.heads["310"])
    designation = designation_add(
        kind="computing_staff", person=person, actor=officer, duties="住民記録", on=TODAY
    )
    manager = city.unit("総務部").posts.get(title="参与(デジタル化担当)").assignments.get().person
    assert designation.reported_to == manager and designation.reported_at is not None
    assert designation.designated_as == "データ取扱責任者"
    reports = Record.objects.filter(action="designations.designation.reported", object_id=str(designation.pk))
    assert reports.count() == 1 and reports.get().after["reported_to"] == manager.name
    designation_end(designation=designation, actor=officer, reason="異動", on=TODAY)
    assert reports.count() == 2  # 変更したときも、同様とする
    assert Notification.objects.filter(person=manager, subject__contains="電算要員").count() == 2


@pytest.mark.django_db
def test_fuk_17_only_registered_computing_staff_operate_systems(account_for):
    """FUK-17: 電算要員登録台帳 — a grant to someone not registered is refused (第17条第2項); the
    ICT推進課長 registers; a line held without registration is a finding."""
    city = make_city("fukuyama")
    person = city.staff["310"][0]
    system = System.objects.get(code="SYS01")
    refused = refusals(person, system)
    assert refused and refused[0].article == "第17条第2項" and refused[0].requirement == "FUK-10"
    head = account_for(city.head_of("ICT推進課"))
    Entitlement.objects.create(
        person=person,
        system=system,
        privilege=system.privileges.first(),
        user_id="U1",
        valid_from=TODAY,
        registered_at=time.now(),
        registered_by=head,
    )
    findings_run(on=TODAY, only=[RULE])
    finding = Finding.objects.get(rule=RULE)
    assert finding.article == "第17条第2項" and finding.person == person
    designation_add(kind="computing_staff", person=person, actor=head, on=TODAY)
    assert refusals(person, system) == []
    findings_run(on=TODAY, only=[RULE])
    finding.refresh_from_db()
    assert finding.state == FindingState.RESOLVED


@pytest.mark.django_db
def test_meg_13_1_each_personal_information_system_has_its_own_staff_list(account_for):
    """MEG-13-1: staff are designated per personal-information system by the 課長 of the system's
    owner; a line on a system whose list does not name the holder is a finding (第13条第1項第1号).
    The meguro pack's own grant request is the designation, so the grant is not refused."""
    city = make_city("meguro")
    person = city.staff["310"][0]
    sys1, sys2 = System.objects.get(code="SYS01"), System.objects.get(code="SYS02")
    owner_head = account_for(city.heads["231"])  # 課長 of the systems' owner unit
    with pytest.raises(DesignationError):
        designation_add(kind="pi_system_staff", person=person, actor=owner_head, on=TODAY)  # no system
    with pytest.raises(DesignationError):
        designation_add(
            kind="pi_system_staff", person=person, system=sys1, actor=account_for(city.heads["310"]), on=TODAY
        )
    designation_add(kind="pi_system_staff", person=person, system=sys1, actor=owner_head, on=TODAY)
    assert refusals(person, sys2) == []  # refuse_grants: false in the meguro pack
    for system in (sys1, sys2, System.objects.get(code="SYS90")):
        Entitlement.objects.create(
            person=person,
            system=system,
            privilege=system.privileges.first(),
            user_id="U1",
            valid_from=TODAY,
            registered_at=time.now(),
            registered_by=owner_head,
        )
    findings_run(on=TODAY, only=[RULE])
    finding = Finding.objects.get(rule=RULE)  # SYS02 only: SYS01 is on the list, SYS90 has no PI
    assert finding.object_id == str(Entitlement.objects.get(system=sys2).pk)
    assert finding.requirement == "MEG-13-1" and finding.article == "第13条第1項第1号"


def test_kitami_requires_no_designation(city):
    """The kitami pack names no designation: grants are not refused by this check."""
    assert refusals(city.staff["310"][0], System.objects.get(code="SYS01")) == []


@pytest.mark.django_db
def test_a_person_is_not_designated_twice_and_a_designation_ends_with_the_term(account_for):
    """YAN-8: one live designation of a kind per person; a fixed-term member's ends with the term."""
    city = make_city("yanagawa")
    manager = account_for(city.heads["310"])
    fixed_term = city.staff["310"][-1]
    designation = designation_add(kind="identity_handler", person=fixed_term, actor=manager, on=TODAY)
    assert designation.valid_to == fixed_term.term_end and designation.state == DesignationState.DESIGNATED
    with pytest.raises(DesignationError):
        designation_add(kind="identity_handler", person=fixed_term, actor=manager, on=TODAY)
    assert Designation.objects.count() == 1

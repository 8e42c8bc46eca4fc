"""The 北見市 privilege request end to end: KIT-5-2 filed by the 情報セキュリティ責任者 with 別記様式1,
KIT-5-4 registered in the management file by the system's administrator, who notifies back."""

from __future__ import annotations

import pytest

from mamori.access.models import Entitlement, EntitlementState
from mamori.access.services import user_registration_record
from mamori.records.models import Record
from mamori.records.services import records_verify
from mamori.systems.models import System
from mamori.workflows.models import Notification, RequestState
from mamori.workflows.services import NotAllowed, WorkflowError, current_step, request_decide, request_file
from tests.conftest import TODAY


def privilege_request(city, people, *, person=None, privileges=("view", "update"), action="grant"):
    person = person or city.staff["310"][0]
    return request_file(
        kind="access.privilege",
        actor=people.requester,
        on=TODAY,
        payload={
            "action": action,
            "person": person.staff_number,
            "system": "SYS01",
            "privileges": list(privileges),
            "user_id": f"U{person.staff_number}",
            "valid_from": TODAY.isoformat(),
            "reason": "窓口業務",
        },
    )


def test_kit_5_2_the_security_officer_files_with_form_1_to_the_systems_administrator(city, people):
    request = privilege_request(city, people)
    assert request.form == "beki1"  # 別記様式1
    assert request.requester_capacity == "情報セキュリティ責任者"
    step = current_step(request)
    # COKAS-R/ADⅡ systems belong to 情報システム課: its 課長 is the administrator who registers.
    assert [a.person for a in step.assignees.all()] == [people.approver.person]
    assert step.label == "登録"


def test_kit_5_2_a_member_of_staff_who_is_not_a_security_officer_cannot_file(city, people):
    with pytest.raises(NotAllowed) as refused:
        request_file(
            kind="access.privilege",
            actor=people.outsider,
            on=TODAY,
            payload={"person": city.staff["410"][0].staff_number, "system": "SYS01", "privileges": ["view"]},
        )
    assert "情報セキュリティ責任者" in refused.value.message


def test_it_names_the_field_of_a_bad_payload(city, people):
    with pytest.raises(WorkflowError) as refused:
        request_file(
            kind="access.privilege",
            actor=people.requester,
            on=TODAY,
            payload={"person": city.staff["310"][0].staff_number, "system": "SYS01", "privileges": ["fly"]},
        )
    assert refused.value.field == "privileges"


def test_kit_5_4_approval_registers_the_privileges_and_notifies_the_security_officer(city, people):
    request = privilege_request(city, people)
    request = request_decide(
        step=current_step(request),
        actor=people.approver,
        action="approve",
        comment="管理ファイルに登録しました",
        on=TODAY,
    )
    assert request.state == RequestState.APPROVED
    lines = Entitlement.objects.filter(request=request)
    assert sorted(lines.values_list("privilege__code", flat=True)) == ["update", "view"]
    assert all(line.registered_by == people.approver for line in lines)
    notice = Notification.objects.filter(person=people.requester.person, request=request).first()
    assert notice is not None and "完了" in notice.subject
    registered = Record.objects.filter(action="access.entitlement.registered")
    assert registered.count() == 2
    assert set(registered.values_list("requirement", "article")) == {("KIT-5-4", "5-4")}
    assert records_verify().ok


def test_kit_7_a_fixed_term_persons_privilege_ends_with_the_term(city, people):
    fixed_term = city.staff["310"][-1]
    assert fixed_term.term_end is not None
    # KIT-5-3: a 会計年度任用職員's user-information registration comes first.
    user_registration_record(person=fixed_term, registered_on=TODAY, actor=people.approver, pack=city.pack)
    request = privilege_request(city, people, person=fixed_term, privileges=("view",))
    request_decide(step=current_step(request), actor=people.approver, action="approve", on=TODAY)
    line = Entitlement.objects.get(person=fixed_term)
    assert line.valid_to == fixed_term.term_end


def test_a_revocation_request_ends_the_active_privileges(city, people):
    person = city.staff["310"][0]
    request_decide(
        step=current_step(privilege_request(city, people, person=person)),
        actor=people.approver,
        action="approve",
        on=TODAY,
    )
    revoke = privilege_request(city, people, person=person, privileges=("update",), action="revoke")
    request_decide(step=current_step(revoke), actor=people.approver, action="approve", on=TODAY)
    states = dict(Entitlement.objects.filter(person=person).values_list("privilege__code", "state"))
    assert states == {"view": EntitlementState.ACTIVE, "update": EntitlementState.REVOKED}


def test_the_requester_cannot_register_their_own_request_even_as_an_administrator(city, people):
    # Even for a system of the requester's own 部, the requester is never the one who registers.
    System.objects.filter(code="SYS01").update(owner_unit=city.unit("市民課"))
    request = privilege_request(city, people)
    with pytest.raises(NotAllowed):
        request_decide(step=current_step(request), actor=people.requester, action="approve", on=TODAY)

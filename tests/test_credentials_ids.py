"""MAI-23: 照合ID per operator, 操作者IDs that carry privileges, never given to a second person."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from mamori.access.models import Entitlement
from mamori.core import time
from mamori.credentials.models import IdState, OperatorId, VerificationId
from mamori.credentials.operator_ids import operator_id_issue, verification_id_end
from mamori.credentials.services import CredentialError
from mamori.records.models import Record
from mamori.systems.models import Privilege, System
from mamori.workflows.models import RequestState
from mamori.workflows.services import WorkflowError, current_step, request_decide, request_file
from tests.conftest import TODAY, make_city


@pytest.fixture
def maizuru(db):
    return make_city("maizuru")


def test_mai_23_the_security_officer_applies_and_the_system_manager_issues_linked_ids(maizuru, account_for):
    """MAI-23: セキュリティ責任者 applies; システム管理者 gives a 照合ID and an 操作者ID carrying the
    privileges, registered in the management file under that 操作者ID."""
    operator = maizuru.staff["310"][0]
    officer = account_for(maizuru.heads["310"])  # 市民課長: セキュリティ責任者
    manager = account_for(maizuru.head_of("デジタル推進課"))  # システム管理者
    request = request_file(
        kind="credentials.operator_id",
        actor=officer,
        on=TODAY,
        payload={"person": operator.staff_number, "system": "SYS01", "privileges": ["view", "update"]},
    )
    step = current_step(request)
    assert [a.person for a in step.assignees.all()] == [manager.person]
    request_decide(step=step, actor=manager, action="approve", on=TODAY)
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    verification = VerificationId.objects.get(person=operator)
    operator_id = OperatorId.objects.get(verification=verification)
    assert operator_id.code == request.payload["operator_id"]
    assert sorted(operator_id.privileges.values_list("code", flat=True)) == ["update", "view"]
    lines = Entitlement.objects.filter(person=operator, system__code="SYS01")
    assert set(lines.values_list("user_id", flat=True)) == {operator_id.code}
    assert set(operator_id.entitlements.all()) == set(lines)
    issued = Record.objects.get(action="credentials.operator_id.issued")
    assert issued.requirement == "MAI-23" and issued.article == "23-1"


def test_mai_23_an_id_of_one_person_is_never_given_to_another(maizuru, account_for):
    """MAI-23 (第23条第2項): the service refuses, naming the article, and so does the database."""
    manager = account_for(maizuru.head_of("デジタル推進課"))
    first, second = maizuru.staff["310"][0], maizuru.staff["310"][1]
    system = System.objects.get(code="SYS01")
    view = list(Privilege.objects.filter(system=system, code="view"))
    operator_id_issue(
        person=first,
        system=system,
        privileges=view,
        actor=manager,
        verification_code="V-100",
        operator_code="P-100",
        on=TODAY,
    )
    for kwargs in ({"verification_code": "V-100"}, {"operator_code": "P-100"}):
        with pytest.raises(CredentialError) as refused:
            operator_id_issue(
                person=second, system=system, privileges=view, actor=manager, on=TODAY, **kwargs
            )
        assert "他の者に利用させることはできません" in refused.value.message
        assert "第23条" in refused.value.article
    # Ended, the codes stay taken.
    verification_id_end(verification=VerificationId.objects.get(code="V-100"), actor=manager, reason="異動")
    assert OperatorId.objects.get(code="P-100").state == IdState.ENDED
    with pytest.raises(CredentialError):
        operator_id_issue(
            person=second, system=system, privileges=view, actor=manager, verification_code="V-100", on=TODAY
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        VerificationId.objects.create(code="V-100", person=second, issued_at=time.now(), issued_by=manager)


def test_mai_23_one_live_verification_id_per_operator(maizuru, account_for):
    """MAI-23: 操作者に照合IDを付与 — a second 操作者ID goes under the same 照合ID."""
    manager = account_for(maizuru.head_of("デジタル推進課"))
    person = maizuru.staff["310"][0]
    for code in ("SYS01", "SYS02"):
        system = System.objects.get(code=code)
        operator_id_issue(
            person=person,
            system=system,
            privileges=list(system.privileges.filter(code="view")),
            actor=manager,
            on=TODAY,
        )
    assert VerificationId.objects.filter(person=person).count() == 1
    assert OperatorId.objects.filter(verification__person=person).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        VerificationId.objects.create(code="V-OTHER", person=person, issued_at=time.now(), issued_by=manager)


def test_mai_23_only_the_system_manager_issues_and_a_taken_code_is_refused_at_filing(maizuru, account_for):
    """MAI-23: the issuer is the システム管理者; the request form refuses a code already someone else's."""
    system = System.objects.get(code="SYS01")
    with pytest.raises(CredentialError) as refused:
        operator_id_issue(
            person=maizuru.staff["310"][0],
            system=system,
            privileges=list(system.privileges.all()[:1]),
            actor=account_for(maizuru.heads["310"]),
            on=TODAY,
        )
    assert refused.value.article == "第23条第1項"
    manager = account_for(maizuru.head_of("デジタル推進課"))
    operator_id_issue(
        person=maizuru.staff["310"][0],
        system=system,
        privileges=list(system.privileges.all()[:1]),
        actor=manager,
        operator_code="P-7",
        on=TODAY,
    )
    with pytest.raises(WorkflowError) as refused_request:
        request_file(
            kind="credentials.operator_id",
            actor=account_for(maizuru.heads["310"]),
            on=TODAY,
            payload={
                "person": maizuru.staff["310"][1].staff_number,
                "system": "SYS01",
                "privileges": ["view"],
                "operator_id": "P-7",
            },
        )
    assert refused_request.value.field == "operator_id"

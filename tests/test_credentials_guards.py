"""Guards found by mutation testing (issue 15): each test fails when its rule is broken.

MAI-23 (舞鶴市第23条): each operator has one 照合ID. Asking for a second one for the same person is
refused, naming the article, and nothing is given."""

from __future__ import annotations

import pytest

from mamori.credentials.models import IdState, OperatorId, VerificationId
from mamori.credentials.operator_ids import operator_id_issue, verification_id_end
from mamori.credentials.services import CredentialError
from mamori.records.models import Record
from mamori.systems.models import System
from tests.conftest import TODAY, make_city


@pytest.fixture
def maizuru(db):
    return make_city("maizuru")


def issue(manager, person, system_code, **codes):
    system = System.objects.get(code=system_code)
    return operator_id_issue(
        person=person,
        system=system,
        privileges=list(system.privileges.filter(code="view")),
        actor=manager,
        on=TODAY,
        **codes,
    )


def test_MAI_23_a_second_verification_id_for_the_same_person_is_refused(maizuru, account_for):
    """MAI-23: the person holds V-1; an issue naming V-2 for them is refused with the field and
    第23条, and neither a 照合ID nor an 操作者ID is made."""
    manager = account_for(maizuru.head_of("デジタル推進課"))
    person = maizuru.staff["310"][0]
    issue(manager, person, "SYS01", verification_code="V-1", operator_code="P-1")
    records = Record.objects.count()
    with pytest.raises(CredentialError) as refused:
        issue(manager, person, "SYS02", verification_code="V-2", operator_code="P-2")
    assert refused.value.field == "verification_id"
    assert "V-1" in refused.value.message and "一人に一つ" in refused.value.message
    assert refused.value.article.startswith("第23条")
    assert list(VerificationId.objects.filter(person=person).values_list("code", flat=True)) == ["V-1"]
    assert not OperatorId.objects.filter(code="P-2").exists()
    assert Record.objects.count() == records


def test_MAI_23_naming_the_person_s_own_verification_id_adds_an_operator_id_under_it(maizuru, account_for):
    """MAI-23: the same 照合ID named again is theirs: the second 操作者ID goes under it."""
    manager = account_for(maizuru.head_of("デジタル推進課"))
    person = maizuru.staff["310"][0]
    issue(manager, person, "SYS01", verification_code="V-1")
    second = issue(manager, person, "SYS02", verification_code="V-1", operator_code="P-2")
    assert second.verification.code == "V-1"
    assert OperatorId.objects.filter(verification__code="V-1").count() == 2


def test_MAI_23_ending_one_person_s_verification_id_ends_only_their_operator_ids(maizuru, account_for):
    """MAI-23: ending V-1 ends the 操作者IDs under it, and nobody else's; each end is recorded with
    the actor, the state before and the reason."""
    manager = account_for(maizuru.head_of("デジタル推進課"))
    first, second = maizuru.staff["310"][0], maizuru.staff["310"][1]
    issue(manager, first, "SYS01", verification_code="V-1", operator_code="P-1")
    issue(manager, second, "SYS01", verification_code="V-2", operator_code="P-2")
    verification_id_end(verification=VerificationId.objects.get(code="V-1"), actor=manager, reason=" 退職 ")
    states = dict(OperatorId.objects.values_list("code", "state"))
    assert states == {"P-1": IdState.ENDED, "P-2": IdState.ACTIVE}
    assert VerificationId.objects.get(code="V-2").state == IdState.ACTIVE
    ended = VerificationId.objects.get(code="V-1")
    assert ended.state == IdState.ENDED and ended.ended_at is not None
    for action, code in (
        ("credentials.verification_id.ended", "V-1"),
        ("credentials.operator_id.ended", "P-1"),
    ):
        record = Record.objects.get(action=action)
        assert record.actor_id == manager.pk
        assert record.before["state"] == IdState.ACTIVE and record.after["state"] == IdState.ENDED
        assert record.after["code"] == code and record.after["reason"] == "退職"


def test_MAI_23_an_end_needs_a_reason_and_happens_once(maizuru, account_for):
    """MAI-23: no reason, no end (the field is named); a second end is refused."""
    manager = account_for(maizuru.head_of("デジタル推進課"))
    issue(manager, maizuru.staff["310"][0], "SYS01", verification_code="V-1")
    verification = VerificationId.objects.get(code="V-1")
    with pytest.raises(CredentialError) as refused:
        verification_id_end(verification=verification, actor=manager, reason="  ")
    assert refused.value.field == "reason" and refused.value.message
    verification_id_end(verification=verification, actor=manager, reason="異動")
    with pytest.raises(CredentialError) as again:
        verification_id_end(verification=verification, actor=manager, reason="異動")
    assert "V-1" in again.value.message


def test_MAI_23_a_code_of_another_person_is_refused_citing_the_second_paragraph(maizuru, account_for):
    """MAI-23 (第23条第2項): the refusal names the paragraph that forbids lending an ID."""
    manager = account_for(maizuru.head_of("デジタル推進課"))
    first, second = maizuru.staff["310"][0], maizuru.staff["310"][1]
    issue(manager, first, "SYS01", verification_code="V-1")
    with pytest.raises(CredentialError) as refused:
        issue(manager, second, "SYS01", verification_code="V-1")
    assert "（第23条第2項）" in refused.value.message
    assert refused.value.field == "verification_id"

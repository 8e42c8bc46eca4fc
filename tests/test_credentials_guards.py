"""Guards found by mutation testing (issue 15): each test fails when its rule is broken.

MAI-23 (舞鶴市第23条): each operator has one 照合ID. Asking for a second one for the same person is
refused, naming the article, and nothing is given."""

from __future__ import annotations

import pytest

from mamori.access.models import System
from mamori.credentials.models import OperatorId, VerificationId
from mamori.credentials.operator_ids import operator_id_issue
from mamori.credentials.services import CredentialError
from mamori.records.models import Record
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

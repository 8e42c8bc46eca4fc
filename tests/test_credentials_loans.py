"""KIT-11: viewing-ID loans — lent by the section's 情報セキュリティ責任者 to someone from outside,
with the viewer's name, the ID and the times; one ID is not lent twice at once; a loan not returned
by the end of the day it was lent is a finding."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from mamori.core import time
from mamori.credentials.loans import loan_lend, loan_return, viewing_id_register
from mamori.credentials.models import Loan
from mamori.credentials.services import CredentialError
from mamori.findings.models import Finding, FindingState
from mamori.findings.services import findings_run
from mamori.records.models import Record
from mamori.workflows.services import WorkflowError, current_step, request_decide, request_file
from tests.conftest import TODAY

RULE = "credentials.viewing_id_not_returned"


@pytest.fixture
def viewing(city, people):
    # 市民部長 is the 情報セキュリティ責任者 of 市民課, where the terminal is.
    return viewing_id_register(code="ETSURAN-01", unit=city.units["310"], actor=people.requester, on=TODAY)


def test_kit_11_lending_records_the_viewer_the_id_and_the_time(city, people, viewing):
    """KIT-11: 閲覧者の氏名, 閲覧用ユーザID, 貸与日時 and its return are recorded."""
    viewer = people.outsider.person
    loan = loan_lend(
        viewing_id=viewing, viewer=viewer, actor=people.requester, purpose="生活保護の資格確認", on=TODAY
    )
    assert loan.viewer_name == viewer.name and loan.viewer_unit == "福祉課"
    assert loan.lent_as == "情報セキュリティ責任者"
    lent = Record.objects.get(action="credentials.loan.lent")
    assert lent.requirement == "KIT-11" and lent.after["viewer_name"] == viewer.name
    staff = city.staff["310"][0]
    from mamori.accounts.services import account_create

    clerk, _ = account_create(username="clerk310", person=staff, actor=None)
    returned = loan_return(loan=loan, actor=clerk, on=TODAY)
    assert returned.returned_at is not None and returned.returned_to == clerk
    assert Record.objects.get(action="credentials.loan.returned").capacity == "市民課職員（返却の受領）"
    with pytest.raises(CredentialError):
        loan_return(loan=loan, actor=clerk, on=TODAY)


def test_kit_11_one_id_is_not_lent_twice_at_once(city, people, viewing):
    """KIT-11: the service refuses a second loan, and the database refuses it too."""
    loan = loan_lend(viewing_id=viewing, viewer=people.outsider.person, actor=people.requester, on=TODAY)
    with pytest.raises(CredentialError) as refused:
        loan_lend(viewing_id=viewing, viewer=city.staff["510"][0], actor=people.requester, on=TODAY)
    assert "貸与中" in refused.value.message
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(
            viewing_id=viewing,
            viewer=city.staff["510"][0],
            viewer_name="x",
            lent_at=time.now(),
            lent_by=people.requester,
        )
    loan_return(loan=loan, actor=people.requester, on=TODAY)
    assert loan_lend(viewing_id=viewing, viewer=city.staff["510"][0], actor=people.requester, on=TODAY)


def test_kit_11_only_outsiders_borrow_and_only_the_sections_officer_lends(city, people, viewing):
    """KIT-11 第1項/第2項: 課以外の者 borrow; the 情報セキュリティ責任者 of the section lends."""
    with pytest.raises(CredentialError) as insider:
        loan_lend(viewing_id=viewing, viewer=city.staff["310"][0], actor=people.requester, on=TODAY)
    assert insider.value.article == "第11条第1項"
    with pytest.raises(CredentialError) as not_officer:
        loan_lend(viewing_id=viewing, viewer=city.staff["510"][0], actor=people.approver, on=TODAY)
    assert not_officer.value.article == "第11条第2項"
    assert not Loan.objects.exists()


def test_kit_11_a_loan_not_returned_by_the_end_of_the_day_is_a_finding(city, people, viewing):
    """KIT-11: open after the day it was lent → finding; open on the same day → not yet; returned → resolved."""
    loan = loan_lend(viewing_id=viewing, viewer=people.outsider.person, actor=people.requester, on=TODAY)
    lent_day = time.local(loan.lent_at).date()
    findings_run(on=lent_day, only=[RULE])
    assert not Finding.objects.filter(rule=RULE).exists()
    findings_run(on=lent_day + dt.timedelta(days=1), only=[RULE])
    finding = Finding.objects.get(rule=RULE)
    assert finding.requirement == "KIT-11" and finding.article == "第11条第2項"
    assert "ETSURAN-01" in finding.title and finding.person == people.outsider.person
    loan_return(loan=loan, actor=people.requester, on=TODAY)
    findings_run(on=lent_day + dt.timedelta(days=1), only=[RULE])
    finding.refresh_from_db()
    assert finding.state == FindingState.RESOLVED


def test_kit_11_the_approved_request_is_the_permission_for_the_loan(city, people, viewing):
    """KIT-11: the viewer's 申出 goes to the section's 情報セキュリティ責任者; its approval permits the loan."""
    with pytest.raises(WorkflowError):
        request_file(
            kind="access.viewing_id",
            actor=people.outsider,
            on=TODAY,
            payload={"unit": "310"},  # no purpose
        )
    request = request_file(
        kind="access.viewing_id",
        actor=people.outsider,
        on=TODAY,
        payload={"unit": "310", "purpose": "資格確認"},
    )
    step = current_step(request)
    assert [a.person for a in step.assignees.all()] == [people.requester.person]
    with pytest.raises(CredentialError):  # not yet permitted
        loan_lend(
            viewing_id=viewing,
            viewer=people.outsider.person,
            actor=people.requester,
            request=request,
            on=TODAY,
        )
    request_decide(step=step, actor=people.requester, action="approve", on=TODAY)
    request.refresh_from_db()
    loan = loan_lend(
        viewing_id=viewing, viewer=people.outsider.person, actor=people.requester, request=request, on=TODAY
    )
    assert loan.request == request and loan.purpose == "資格確認"

"""Findings you can act on: each links to its evidence, the list filters, sorts, pages and exports
what the viewer may see, and a finding about a condition that is mended resolves at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from mamori.access.models import System
from mamori.accounts.models import User
from mamori.accounts.services import password_change, password_issue_temporary
from mamori.core import time
from mamori.credentials.loans import loan_lend, loan_return, viewing_id_register
from mamori.credentials.services import credential_change_confirm, credential_issue_temporary
from mamori.demo.city import DEMO_PASSWORD
from mamori.findings.models import Finding, FindingState
from mamori.findings.services import findings_recheck, findings_run
from mamori.records.models import Record
from tests.conftest import TODAY

ACCOUNTS_RULE = "accounts.temporary_password_not_changed"
CREDENTIALS_RULE = "credentials.temporary_password_not_changed"
LOAN_RULE = "credentials.viewing_id_not_returned"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _resolved_with_its_record(finding: Finding, actor: User) -> None:
    finding.refresh_from_db()
    assert finding.state == FindingState.RESOLVED and finding.closed_at == time.now()
    record = Record.objects.get(action="findings.resolved", object_id=str(finding.pk))
    assert record.actor_id == actor.pk and record.requirement == finding.requirement
    assert record.before["state"] == FindingState.OPEN and record.after["state"] == FindingState.RESOLVED


@pytest.fixture
def overdue_login_password(people) -> Finding:
    """KIT-8-2: the outsider's temporary log-in password, issued 30 days ago and never changed."""
    password_issue_temporary(user=people.outsider, actor=people.admin, password=DEMO_PASSWORD)
    User.objects.filter(pk=people.outsider.pk).update(password_changed_at=time.now() - dt.timedelta(days=30))
    findings_run(on=TODAY, only=[ACCOUNTS_RULE])
    return Finding.objects.get(rule=ACCOUNTS_RULE, object_id=str(people.outsider.pk), state=FindingState.OPEN)


def test_kit_8_2_changing_the_temporary_password_resolves_its_finding_at_once(people, overdue_login_password):
    """KIT-8-2: the change itself resolves the finding, with its record; no wait for the daily run."""
    password_change(user=people.outsider, old_password=DEMO_PASSWORD, new_password="Kawaru-Pass-2026!x")
    _resolved_with_its_record(overdue_login_password, people.outsider)


def test_kit_8_2_a_recheck_leaves_a_condition_that_still_holds_open(people, overdue_login_password):
    """KIT-8-2: a recheck only resolves what the rule no longer sees; another user's finding stays."""
    resolved = findings_recheck(
        rule=ACCOUNTS_RULE, object_type="accounts.User", object_id=people.outsider.pk, actor=people.admin
    )
    assert resolved == 0
    overdue_login_password.refresh_from_db()
    assert overdue_login_password.state == FindingState.OPEN
    assert not Record.objects.filter(action="findings.resolved").exists()


def test_kit_8_2_confirming_a_managed_password_change_resolves_its_finding_at_once(city, people):
    """KIT-8-2〜4: the system password past its change deadline is resolved by the confirmation."""
    later = TODAY + dt.timedelta(days=8)
    issued = credential_issue_temporary(
        person=city.staff["310"][0], system=System.objects.get(code="SYS01"), actor=people.approver, on=TODAY
    )
    findings_run(on=later, only=[CREDENTIALS_RULE])
    finding = Finding.objects.get(rule=CREDENTIALS_RULE, object_id=str(issued.credential.pk))
    assert finding.state == FindingState.OPEN
    credential_change_confirm(credential=issued.credential, actor=people.approver, on=later)
    _resolved_with_its_record(finding, people.approver)


def test_kit_11_returning_a_viewing_id_resolves_its_finding_at_once(city, people, clock):
    """KIT-11: a viewing ID still out the next day is a finding; its return resolves it then and there."""
    viewing = viewing_id_register(code="ETSURAN-01", unit=city.units["310"], actor=people.requester, on=TODAY)
    loan = loan_lend(viewing_id=viewing, viewer=people.outsider.person, actor=people.requester, on=TODAY)
    tomorrow = TODAY + dt.timedelta(days=1)
    clock.move_to(dt.datetime.combine(tomorrow, dt.time(9, 0), tzinfo=time.TOKYO))
    findings_run(on=tomorrow, only=[LOAN_RULE])
    finding = Finding.objects.get(rule=LOAN_RULE, object_id=str(loan.pk))
    assert finding.state == FindingState.OPEN and finding.requirement == "KIT-11"
    loan_return(loan=loan, actor=people.requester, on=tomorrow)
    _resolved_with_its_record(finding, people.requester)
